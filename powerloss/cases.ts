/**
 * Runs the power-loss cases of one test file: one test per case, its figures as diagnostics, failing on a violation.
 * SLUICE_POWERLOSS_REPORT=<dir> also writes each case's rounds and every violation (the failure shows the first 40)
 * to <dir>/<case>.txt.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { CaseSpec } from './case-spec.js';
import { PowerCase } from './scenario.js';
import { suiteSeed } from './seed.js';

export function powerCases(command: string, cases: Record<string, CaseSpec>): void {
  for (const [name, spec] of Object.entries(cases)) {
    test(`${name}: ${spec.cuts} cuts${spec.premade ? ', folders made beforehand' : ''}`, { timeout: 180_000 }, async (t) => {
      const c = await PowerCase.open(`${command} ${name}`, spec);
      try {
        const report = await c.play();
        const rewrites = report.rewrites > 0 ? `, ${report.rewrites} rewrites` : '';
        t.diagnostic(`${command} ${name}: seed ${suiteSeed}, ${report.files} files${rewrites}, ${report.cuts} cuts, ` +
          `${report.violations.length} violations`);
        for (const line of report.rounds) t.diagnostic(`  ${line}`);
        keep(`${command} ${name}`, report.rounds, report.violations);
        if (report.violations.length > 0) {
          assert.fail(`${command} ${name} (replay: SLUICE_POWERLOSS_SEED=${suiteSeed}): ${report.violations.length} ` +
            `violation(s):\n${report.violations.slice(0, 40).join('\n')}`);
        }
      } finally {
        await c.close();
      }
    });
  }
}

function keep(name: string, rounds: readonly string[], violations: readonly string[]): void {
  const dir = process.env.SLUICE_POWERLOSS_REPORT;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.txt`);
  fs.writeFileSync(file, `seed ${suiteSeed}\n${rounds.join('\n')}\n\n${violations.join('\n')}\n`);
}
