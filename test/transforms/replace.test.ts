import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { replace } from '../../src/transforms/builtin/replace.js';
import { LineReplacer } from '../../src/transforms/line-replacer.js';
import { fixture, issuePaths, rejectsWith } from './fixture.js';

/** Runs `chunks` through a LineReplacer and returns the decoded output. */
function through(chunks: Buffer[], pattern: RegExp, replacement: string, maxLineChars?: number): Promise<string> {
  return text(Readable.from(chunks).pipe(new LineReplacer(pattern, replacement, maxLineChars)));
}

/** The reference: the same replacement applied to each line of the whole text. */
function lineWise(input: string, pattern: RegExp, replacement: string): string {
  return input
    .split('\n')
    .map((line) => line.replace(pattern, replacement))
    .join('\n');
}

describe('replace', () => {
  test('replaces every match by default, keeping newlines and a last line without one', async (t) => {
    const f = await fixture(t);
    await f.write('in', 'foo1 foo2\nbar\r\nfoo3');
    await replace.run(await f.context(replace, { pattern: 'foo(\\d)', replacement: 'F$1' }, 'in'));
    assert.equal((await f.read('out')).toString(), 'F1 F2\nbar\r\nF3');
  });

  test('without the g flag replaces the first match of each line; flags are honoured', async (t) => {
    const f = await fixture(t);
    await f.write('in', 'a a\nA a\n');
    await replace.run(await f.context(replace, { pattern: 'a', replacement: 'x', flags: 'i' }, 'in'));
    assert.equal((await f.read('out')).toString(), 'x a\nx a\n');
  });

  test('a sticky regex starts every line afresh', async () => {
    assert.equal(await through([Buffer.from('ab\nab\nab')], /a/y, '-'), '-b\n-b\n-b');
  });

  test('multibyte UTF-8 across chunk boundaries in a multi-chunk file', async (t) => {
    const f = await fixture(t);
    const unit = 'né€😀 foo € 😀x\n';
    const input = `${unit.repeat(40_000)}tail €`;
    await f.write('in', input);
    await replace.run(await f.context(replace, { pattern: '€|😀', replacement: '<$&>', flags: 'gu' }, 'in'));
    assert.equal((await f.read('out')).toString(), lineWise(input, /€|😀/gu, '<$&>'));
  });

  test('any split of the bytes gives the line-wise result (property)', async () => {
    const unit = fc.constantFrom('a', 'b', 'é', '€', '😀', ' ', '\n');
    const lines = fc.array(fc.string({ unit }), { maxLength: 8 });
    await fc.assert(
      fc.asyncProperty(lines, fc.array(fc.nat(), { maxLength: 6 }), async (parts, cuts) => {
        const input = Buffer.from(parts.join('\n'));
        const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort((a, b) => a - b);
        const chunks = [0, ...points].map((start, i) => input.subarray(start, [...points, input.length][i]));
        const out = await through(chunks.filter((c) => c.length > 0), /[é€😀]+/gu, '_');
        assert.equal(out, lineWise(input.toString(), /[é€😀]+/gu, '_'));
      }),
    );
  });

  test('a line longer than the bound fails permanently with INPUT_TOO_LARGE', async () => {
    await rejectsWith(through([Buffer.from('a'.repeat(50))], /a/g, 'b', 10), 'INPUT_TOO_LARGE', 'permanent');
    assert.equal(await through([Buffer.from('aaaa\n'.repeat(20))], /a/g, 'b', 10), 'bbbb\n'.repeat(20));
  });

  test('defaults and refusals', () => {
    assert.deepEqual(replace.parseOptions({ pattern: 'x' }), {
      ok: true,
      value: { pattern: 'x', replacement: '', flags: 'g' },
    });
    assert.deepEqual(issuePaths(replace, undefined), [['pattern']]);
    assert.deepEqual(issuePaths(replace, { pattern: '(' }), [['pattern']]);
    assert.deepEqual(issuePaths(replace, { pattern: 'x', replacement: 3 }), [['replacement']]);
    assert.deepEqual(issuePaths(replace, { pattern: 'x', flags: 'gg' }), [['flags']]);
    assert.deepEqual(issuePaths(replace, { pattern: 'x', flags: 'uv' }), [['flags']]);
    assert.deepEqual(issuePaths(replace, { pattern: 'x', flags: 'q' }), [['flags']]);
    assert.deepEqual(issuePaths(replace, { pattern: 'x', with: 'y' }), [['with']]);
  });

  test('a pattern valid only without the u flag is refused at the pattern', () => {
    assert.deepEqual(issuePaths(replace, { pattern: '\\-', flags: 'u' }), [['pattern']]);
  });
});
