import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AbortedError, ExitCode, SluiceError, StageTimeoutError, toSluiceError, type ErrorClass } from '../../src/errors.js';
import { report } from '../../src/cli/main.js';

const errno = (code: string) => Object.assign(new Error(`${code}: something happened`), { code });

// The error taxonomy: what is retried (transient), what fails the file at once (permanent), what stops sluice (fatal).
describe('error taxonomy: toSluiceError', () => {
  const table: [string, unknown, string, ErrorClass][] = [
    // Resources that come back: retried.
    ['disk full', errno('ENOSPC'), 'ENOSPC', 'transient'],
    ['busy', errno('EBUSY'), 'EBUSY', 'transient'],
    ['try again', errno('EAGAIN'), 'EAGAIN', 'transient'],
    ['too many open files', errno('EMFILE'), 'EMFILE', 'transient'],
    ['file table full', errno('ENFILE'), 'ENFILE', 'transient'],
    ['timed out', errno('ETIMEDOUT'), 'ETIMEDOUT', 'transient'],
    ['permission denied (an operator can fix it)', errno('EACCES'), 'EACCES', 'transient'],
    ['operation not permitted', errno('EPERM'), 'EPERM', 'transient'],
    ['I/O error', errno('EIO'), 'EIO', 'transient'],
    ['a vanished path in a module (the engine checks the input itself)', errno('ENOENT'), 'ENOENT', 'transient'],
    ['a stage timeout', new StageTimeoutError('gzip', 100), 'STAGE_TIMEOUT', 'transient'],
    ['a lock wait that timed out (SQLite busy)', Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }), 'SQLITE_BUSY', 'transient'],
    // Anything a user's module throws unclassified: retried.
    ['a plain Error', new Error('boom'), 'TRANSFORM_FAILED', 'transient'],
    ['a string', 'boom', 'TRANSFORM_FAILED', 'transient'],
    ['undefined', undefined, 'TRANSFORM_FAILED', 'transient'],
    ['null', null, 'TRANSFORM_FAILED', 'transient'],
    ['an object', { what: 1 }, 'TRANSFORM_FAILED', 'transient'],
    ['an Error with its own code', Object.assign(new Error('x'), { code: 'MY_CODE' }), 'MY_CODE', 'transient'],
    // No number of attempts helps: failed at once.
    ['name too long', errno('ENAMETOOLONG'), 'ENAMETOOLONG', 'permanent'],
    ['symlink loop', errno('ELOOP'), 'ELOOP', 'permanent'],
    ['a folder where a file is wanted', errno('EISDIR'), 'EISDIR', 'permanent'],
    ['a file where a folder is wanted', errno('ENOTDIR'), 'ENOTDIR', 'permanent'],
    ['invalid argument', errno('EINVAL'), 'EINVAL', 'permanent'],
    ['a module marking its error permanent', Object.assign(new Error('bad invoice'), { permanent: true }), 'TRANSFORM_FAILED', 'permanent'],
    ['permanent wins over a transient errno', Object.assign(errno('ENOSPC'), { permanent: true }), 'ENOSPC', 'permanent'],
    ['invalid input proved by a built-in', new SluiceError('INPUT_INVALID', 'not JSON'), 'INPUT_INVALID', 'permanent'],
    ['an output path that escapes', new SluiceError('OUTPUT_ESCAPES', 'escapes', { kind: 'permanent' }), 'OUTPUT_ESCAPES', 'permanent'],
    ['an input that vanished', new SluiceError('INPUT_VANISHED', 'gone', { kind: 'permanent' }), 'INPUT_VANISHED', 'permanent'],
    ['shutdown', new AbortedError('shutting down'), 'ABORTED', 'permanent'],
    // The process cannot go on.
    ['state store corrupt', new SluiceError('STATE_UNAVAILABLE', 'not a database', { kind: 'fatal' }), 'STATE_UNAVAILABLE', 'fatal'],
    ['state store unwritable', new SluiceError('STATE_FAILED', 'readonly', { kind: 'fatal' }), 'STATE_FAILED', 'fatal'],
  ];

  for (const [what, thrown, code, kind] of table) {
    test(`${what} → ${code}, ${kind}`, () => {
      const err = toSluiceError(thrown, { stage: 's' });
      assert.ok(err instanceof SluiceError);
      assert.equal(err.code, code);
      assert.equal(err.kind, kind);
      assert.equal(err.transient, kind === 'transient');
      assert.ok(err.message.length > 0, 'a message for the operator');
      if (!(thrown instanceof SluiceError)) {
        assert.equal(err.cause, thrown, 'the original is kept as the cause');
        assert.deepEqual(err.context, { stage: 's' });
      } else {
        assert.equal(err, thrown, 'a SluiceError passes through unchanged');
      }
    });
  }

  test('a fatal error exits 1; config errors 2; a held lock 3', () => {
    const write = process.stderr.write;
    const lines: string[] = [];
    process.stderr.write = ((s: string) => lines.push(s) > 0) as unknown as typeof process.stderr.write;
    try {
      assert.equal(report(new SluiceError('STATE_FAILED', 'The state store failed.', { kind: 'fatal', exitCode: 7 }), false), ExitCode.failures);
      assert.equal(report(toSluiceError(errno('ENOSPC')), false), ExitCode.failures);
    } finally {
      process.stderr.write = write;
    }
    assert.deepEqual(lines, ['sluice: The state store failed.\n', 'sluice: ENOSPC: something happened\n']);
  });
});
