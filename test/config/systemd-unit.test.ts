import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { configSchema } from '../../src/config/schema.js';
import { makeTempDir, sluiceBin } from '../helpers/cli.js';

const unitFile = fileURLToPath(new URL('../../../config/sluice.service', import.meta.url));

type Unit = Record<string, Record<string, string[]>>;

/** A systemd unit file: sections of keys, each with every value it was given (keys may repeat). */
function parseUnit(text: string): Unit {
  const unit: Unit = {};
  let section: Record<string, string[]> | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = unit[header[1]!] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(section && eq > 0, `not a key=value line inside a section: ${line}`);
    (section[line.slice(0, eq).trim()] ??= []).push(line.slice(eq + 1).trim());
  }
  return unit;
}

/** systemd time spans used here: `45`, `45s`, `2min`, `1min 30s`. */
function timeSpanMs(value: string): number {
  let ms = 0;
  for (const [, n, unit] of value.matchAll(/(\d+)\s*(ms|s|sec|min|m|h)?/g)) {
    ms += Number(n) * ({ ms: 1, s: 1000, sec: 1000, min: 60_000, m: 60_000, h: 3_600_000 }[unit ?? 's'] ?? 1000);
  }
  return ms;
}

const one = (unit: Unit, section: string, key: string): string => {
  const values = unit[section]?.[key];
  assert.ok(values && values.length === 1, `[${section}] ${key} is set once (got ${JSON.stringify(values)})`);
  return values[0]!;
};

test('config/sluice.service: a simple service that restarts on failure, stops with SIGTERM and reloads with SIGHUP', () => {
  const unit = parseUnit(fs.readFileSync(unitFile, 'utf8'));
  assert.equal(one(unit, 'Service', 'Type'), 'simple');
  assert.equal(one(unit, 'Service', 'Restart'), 'on-failure');
  assert.equal(one(unit, 'Service', 'KillSignal'), 'SIGTERM');
  assert.equal(one(unit, 'Service', 'ExecReload'), '/bin/kill -HUP $MAINPID');
  assert.match(one(unit, 'Service', 'ExecStart'), /bin\/sluice watch( |$)/);
  const user = one(unit, 'Service', 'User');
  assert.notEqual(user, 'root', 'a dedicated user');
  const defaultGraceMs = configSchema.parse({ pipelines: [{ name: 'p', stages: [{ use: 'copy' }] }] }).shutdownGraceMs;
  assert.ok(timeSpanMs(one(unit, 'Service', 'TimeoutStopSec')) > defaultGraceMs,
    `TimeoutStopSec exceeds the default shutdownGraceMs (${defaultGraceMs} ms), so sluice drains before SIGKILL`);
  assert.equal(one(unit, 'Install', 'WantedBy'), 'multi-user.target');
});

test('config/sluice.service: hardened, with write access only to the listed folders', () => {
  const unit = parseUnit(fs.readFileSync(unitFile, 'utf8'));
  assert.equal(one(unit, 'Service', 'NoNewPrivileges'), 'yes');
  assert.equal(one(unit, 'Service', 'ProtectSystem'), 'strict');
  assert.equal(one(unit, 'Service', 'PrivateTmp'), 'yes');
  assert.ok(['yes', 'read-only', 'tmpfs'].includes(one(unit, 'Service', 'ProtectHome')));
  const writable = (unit['Service']!['ReadWritePaths'] ?? []).flatMap((v) => v.split(/\s+/));
  assert.ok(writable.length > 0 && writable.every((p) => path.isAbsolute(p.replace(/^-/, ''))), `ReadWritePaths: ${writable.join(' ')}`);
  assert.ok(writable.some((p) => one(unit, 'Service', 'WorkingDirectory').startsWith(p)), 'the working folder (state, hot folders) is writable');
});

test('config/sluice.service passes systemd-analyze verify (when installed)', (t) => {
  if (spawnSync('systemd-analyze', ['--version']).status !== 0) {
    t.skip('systemd-analyze is not installed');
    return;
  }
  // verify insists that ExecStart's program exists: point it at this node and this checkout.
  const dir = makeTempDir(t);
  const copy = path.join(dir, 'sluice.service');
  const text = fs.readFileSync(unitFile, 'utf8').replace(/^ExecStart=\S+ ((?:--\S+ )*)\S+/m, `ExecStart=${process.execPath} $1${sluiceBin}`);
  fs.writeFileSync(copy, text);
  const r = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr.trim(), '', 'no warnings');
});
