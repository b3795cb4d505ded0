import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { z } from 'zod';
import { defineOptions } from '../../src/transforms/options.js';

describe('defineOptions', () => {
  const parse = defineOptions(z.strictObject({ level: z.number().int().default(6), name: z.string().optional() }));

  test('absent or null `with` parses as {} so defaults apply', () => {
    assert.deepEqual(parse(undefined), { ok: true, value: { level: 6 } });
    assert.deepEqual(parse(null), { ok: true, value: { level: 6 } });
  });

  test('reports every violation at once, an unknown key at its own path', () => {
    const result = parse({ level: 'high', colour: 'red', size: 3 });
    assert.equal(result.ok, false);
    if (result.ok) return;
    assert.deepEqual(result.issues.map((i) => i.path), [['level'], ['colour'], ['size']]);
    for (const issue of result.issues) assert.ok(issue.message.length > 0);
  });

  test('a non-object `with` is one issue at the root', () => {
    const result = parse('fast');
    assert.equal(result.ok, false);
    if (!result.ok) assert.deepEqual(result.issues.map((i) => i.path), [[]]);
  });
});
