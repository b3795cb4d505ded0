export type Figure = number | string | null;

export interface Row {
  readonly tool: string;
  readonly figures: Record<string, Figure>;
  /** Headline ratio against sluice (> 1: sluice is better), or null for sluice itself. */
  ratio?: number | null;
  readonly note?: string;
}

export interface Target {
  readonly name: string;
  /** null: could not be judged (a peer or figure is missing). */
  readonly met: boolean | null;
  readonly detail: string;
}

export interface CaseResult {
  readonly id: string;
  readonly title: string;
  readonly params: Record<string, unknown>;
  readonly rows: Row[];
  readonly targets: Target[];
  /** Peers that were not run, and why. */
  readonly skipped: string[];
  /** Wrong or missing sluice outputs: the bench fails. */
  readonly errors: string[];
}

export function newCase(id: string, title: string, params: Record<string, unknown>): CaseResult {
  return { id, title, params, rows: [], targets: [], skipped: [], errors: [] };
}

export const round = (n: number | null, digits = 0): number | null =>
  n === null || !Number.isFinite(n) ? null : Math.round(n * 10 ** digits) / 10 ** digits;

export const mb = (kb: number | null): number | null => (kb === null ? null : round(kb / 1024, 1));

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A plain-text table: one block per case, one line per tool, then the targets. */
export function formatCase(c: CaseResult): string {
  const lines = [`## ${c.title}`];
  const keys = [...new Set(c.rows.flatMap((r) => Object.keys(r.figures)))];
  const header = ['tool', ...keys, 'ratio'];
  const body = c.rows.map((r) => [r.tool, ...keys.map((k) => fmt(r.figures[k] ?? null)), r.ratio == null ? '' : `${fmt(r.ratio)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
  lines.push(line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line));
  for (const r of c.rows) if (r.note) lines.push(`  ${r.tool}: ${r.note}`);
  for (const s of c.skipped) lines.push(`  skipped: ${s}`);
  for (const t of c.targets) lines.push(`  target ${t.met === null ? 'n/a    ' : t.met ? 'met    ' : 'NOT MET'}  ${t.name}: ${t.detail}`);
  for (const e of c.errors) lines.push(`  ERROR: ${e}`);
  return lines.join('\n');
}

function fmt(v: Figure): string {
  if (v === null) return '-';
  if (typeof v === 'number') return String(round(v, v < 10 ? 2 : v < 100 ? 1 : 0));
  return v;
}
