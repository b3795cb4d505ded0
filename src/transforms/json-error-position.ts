/** Where a JSON text first goes wrong: `offset` in UTF-16 code units, `line` and `column` 1-based. */
export interface JsonPosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

type Expect = 'value' | 'key' | 'after';

/** One grammar step: where scanning goes on (or `-1 - errorOffset` on failure) and what comes next. */
interface Step {
  readonly next: number;
  readonly expect: Expect;
}

/**
 * Finds the first syntax error in `text` by the JSON grammar (RFC 8259), or undefined when the text is valid JSON.
 * JSON.parse only sometimes names a position; this scanner always does. Iterative (nesting depth costs only the
 * stack array), one pass; meant for the error path, after JSON.parse has failed.
 */
export function jsonErrorPosition(text: string): JsonPosition | undefined {
  const stack: string[] = [];
  let step: Step = { next: 0, expect: 'value' };
  for (;;) {
    const i = skipSpace(text, step.next);
    if (step.expect === 'after' && stack.length === 0) return i === text.length ? undefined : positionOf(text, i);
    if (step.expect === 'value') step = stepValue(text, i, stack);
    else if (step.expect === 'key') step = stepKey(text, i);
    else step = stepAfter(text, i, stack);
    if (step.next < 0) return positionOf(text, -1 - step.next);
  }
}

const closer: Record<string, string> = { '{': '}', '[': ']' };

function fail(offset: number): Step {
  return { next: -1 - offset, expect: 'value' };
}

function stepValue(text: string, i: number, stack: string[]): Step {
  const c = text[i]!;
  if (c !== '{' && c !== '[') return { next: scanScalar(text, i), expect: 'after' };
  stack.push(c);
  const j = skipSpace(text, i + 1);
  if (text[j] !== closer[c]) return { next: j, expect: c === '{' ? 'key' : 'value' };
  stack.pop();
  return { next: j + 1, expect: 'after' };
}

function stepKey(text: string, i: number): Step {
  if (text[i] !== '"') return fail(i);
  const end = scanString(text, i);
  if (end < 0) return { next: end, expect: 'key' };
  const j = skipSpace(text, end);
  return text[j] === ':' ? { next: j + 1, expect: 'value' } : fail(j);
}

function stepAfter(text: string, i: number, stack: string[]): Step {
  const top = stack.at(-1)!;
  if (text[i] === ',') return { next: i + 1, expect: top === '{' ? 'key' : 'value' };
  if (text[i] !== closer[top]) return fail(i);
  stack.pop();
  return { next: i + 1, expect: 'after' };
}

const space = new Set([' ', '\t', '\n', '\r']);

function skipSpace(text: string, i: number): number {
  while (i < text.length && space.has(text[i]!)) i++;
  return i;
}

/** Scanners return the index after the token, or `-1 - errorIndex` on failure. */
function scanScalar(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return scanString(text, i);
  if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return scanNumber(text, i);
  for (const word of ['true', 'false', 'null']) {
    if (c !== word[0]) continue;
    for (let k = 1; k < word.length; k++) if (text[i + k] !== word[k]) return -1 - (i + k);
    return i + word.length;
  }
  return -1 - i;
}

function scanString(text: string, i: number): number {
  for (i++; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -1 - i;
    if (c !== 0x5c) continue;
    const e = text[++i];
    if (e === 'u') {
      for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? '')) return -1 - (i + k);
      i += 4;
    } else if (e === undefined || !'"\\/bfnrt'.includes(e)) return -1 - i;
  }
  return -1 - i;
}

function scanNumber(text: string, i: number): number {
  const match = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  match.lastIndex = i;
  const found = match.exec(text);
  if (found === null || found[0] === '-') return -1 - (i + (text[i] === '-' ? 1 : 0));
  const end = i + found[0].length;
  // "1." or "1e" stop the match early; point at the character that breaks the number.
  return text[end] === '.' || text[end] === 'e' || text[end] === 'E' ? -1 - (end + 1) : end;
}

function positionOf(text: string, offset: number): JsonPosition {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < offset; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}
