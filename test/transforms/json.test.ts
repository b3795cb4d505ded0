import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { json } from '../../src/transforms/builtin/json.js';
import { jsonErrorPosition } from '../../src/transforms/json-error-position.js';
import { fixture, issuePaths, rejectsWith } from './fixture.js';

describe('json', () => {
  const doc = { b: [1, 'two', { c: null }], a: true };

  test('pretty-prints with indent 2 by default, ending with a newline', async (t) => {
    const f = await fixture(t);
    await f.write('in', JSON.stringify(doc));
    await json.run(await f.context(json, undefined, 'in'));
    assert.equal((await f.read('out')).toString(), `${JSON.stringify(doc, null, 2)}\n`);
  });

  test('indent 0 minifies; a UTF-8 BOM is skipped', async (t) => {
    const f = await fixture(t);
    await f.write('in', `\uFEFF${JSON.stringify(doc, null, 4)}`);
    await json.run(await f.context(json, { indent: 0 }, 'in'));
    assert.equal((await f.read('out')).toString(), `${JSON.stringify(doc)}\n`);
  });

  test('invalid JSON fails permanently with INPUT_INVALID and its position', async (t) => {
    const f = await fixture(t);
    await f.write('in', '{\n  "a": 1,\n  "b": }\n');
    const err = await rejectsWith(json.run(await f.context(json, {}, 'in')), 'INPUT_INVALID', 'permanent');
    assert.deepEqual((err.context as Record<string, unknown>).position, { offset: 19, line: 3, column: 8 });
  });

  test('invalid UTF-8 fails permanently with INPUT_INVALID', async (t) => {
    const f = await fixture(t);
    await f.write('in', Buffer.from([0x22, 0xff, 0xfe, 0x22]));
    await rejectsWith(json.run(await f.context(json, {}, 'in')), 'INPUT_INVALID', 'permanent');
  });

  test('input over maxBytes fails permanently with INPUT_TOO_LARGE', async (t) => {
    const f = await fixture(t);
    await f.write('in', JSON.stringify(Array.from({ length: 1000 }, (_, i) => i)));
    await rejectsWith(json.run(await f.context(json, { maxBytes: 100 }, 'in')), 'INPUT_TOO_LARGE', 'permanent');
  });

  test('defaults and refusals', () => {
    assert.deepEqual(json.parseOptions({}), { ok: true, value: { indent: 2, maxBytes: 256 * 1024 * 1024 } });
    for (const indent of [-1, 11, 2.5, '2']) assert.deepEqual(issuePaths(json, { indent }), [['indent']]);
    for (const maxBytes of [0, 1e12]) assert.deepEqual(issuePaths(json, { maxBytes }), [['maxBytes']]);
    assert.deepEqual(issuePaths(json, { sortKeys: true }), [['sortKeys']]);
  });
});

describe('jsonErrorPosition', () => {
  test('names the first offending character', () => {
    const cases: [string, number][] = [
      ['', 0],
      ['{"a":1,}', 7],
      ['[1,2', 4],
      ['{"a" 1}', 5],
      ['tru', 3],
      ['01', 1],
      ['1.e5', 2],
      ['-', 1],
      ['"a\\x"', 3],
      ['"\\u12g4"', 5],
      ['[1] [2]', 4],
      ['"line\nbreak"', 5],
    ];
    for (const [text, offset] of cases) assert.equal(jsonErrorPosition(text)?.offset, offset, JSON.stringify(text));
  });

  test('agrees with JSON.parse on validity (property)', () => {
    const valid = (s: string) => {
      try {
        JSON.parse(s);
        return true;
      } catch {
        return false;
      }
    };
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[],:"\\ 0123456789.eE+-truefalsn\nx') });
    const agrees = (s: string) => assert.equal(jsonErrorPosition(s) === undefined, valid(s));
    fc.assert(fc.property(fc.oneof(fc.json(), jsonish), agrees), { numRuns: 3000 });
  });
});
