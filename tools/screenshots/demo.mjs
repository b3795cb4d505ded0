// Demo data for the dashboard's screenshots: a temp folder with four pipelines (slow invoices in two stages, slow
// thumbnails, JSON reports of which some are broken, scans waiting for their ready markers) and a real `sluice watch`.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const sh = (script) => ({ use: 'exec', with: { command: ['/bin/sh', '-c', script, 'sh', '{in}', '{out}'], permanentExitCodes: [3] } });

/** The demo config: relative folders below the demo folder. */
function demoConfig() {
  const folders = (name) => ({ dir: `./incoming/${name}`, settleMs: 200 });
  return {
    http: { host: '127.0.0.1', port: 0, token: null, actions: true },
    log: { format: 'json', level: 'info' },
    pipelines: [
      {
        name: 'invoices', input: folders('invoices'), output: { dir: './out/invoices', path: '{relDir}/{base}.gz' },
        onSuccess: { moveTo: './archive/invoices' }, onFailure: { moveTo: './quarantine/invoices' }, retry: { attempts: 1 },
        stages: [{ ...sh('case "$1" in *corrupt*) echo "pdftotext: Syntax Error: Couldn\'t find trailer dictionary" >&2; exit 3;; esac; ' +
          'sleep 2; cp "$1" "$2"'), concurrency: 2 }, { use: 'gzip' }],
      },
      {
        name: 'thumbnails', input: { ...folders('photos'), include: ['**/*.jpg'] }, output: { dir: './out/thumbnails' },
        retry: { attempts: 1 }, stages: [{ ...sh('sleep 4; cp "$1" "$2"'), concurrency: 1 }],
      },
      {
        name: 'reports', input: folders('reports'), output: { dir: './out/reports' }, onFailure: { moveTo: './quarantine/reports' },
        retry: { attempts: 1 }, stages: [{ use: 'json', with: { indent: 2 } }],
      },
      { name: 'scans', input: { ...folders('scans'), marker: '{base}.done' }, output: { dir: './out/scans' }, stages: [{ use: 'copy' }] },
    ],
  };
}

function write(dir, rel, content) {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

/** The first files: reports (good and broken), scans without markers, a few invoices and photos to start on. */
export function seed(dir) {
  for (let i = 1; i <= 12; i++) write(dir, `incoming/reports/2026-11/daily-${String(i).padStart(2, '0')}.json`, JSON.stringify({ day: i, total: i * 117 }));
  write(dir, 'incoming/reports/2026-11/daily-13.json', '{"day": 13, "total": ');
  write(dir, 'incoming/reports/2026-11/weekly-47.json', '{"week": 47,, "total": 5210}');
  write(dir, 'incoming/reports/export <draft>.json', 'not json at all');
  for (const name of ['scan-0412.tiff', 'scan-0413.tiff', 'contract-signed.pdf']) write(dir, `incoming/scans/${name}`, 'scan');
  write(dir, 'incoming/invoices/2026-11/inv-corrupt-7781.pdf', '%PDF-1.7 truncated');
  for (const name of ['harbour.jpg', 'lighthouse.jpg', 'dunes.jpg']) write(dir, `incoming/photos/2026/${name}`, 'jpeg');
}

/** A few hundred invoices: two in flight at a time, the rest queued behind them. */
export function flood(dir, count = 320) {
  for (let i = 1; i <= count; i++) write(dir, `incoming/invoices/2026-11/inv-${String(i).padStart(5, '0')}.pdf`, `%PDF-1.7 invoice ${i}`);
}

/**
 * Makes the demo folder, writes its config and starts `sluice watch` there (built: dist/ must exist). Resolves with
 * the folder, the dashboard's URL and stop() (SIGTERM, then the folder is removed).
 */
export async function startDemo() {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-demo-')));
  fs.writeFileSync(path.join(dir, 'sluice.json'), JSON.stringify(demoConfig(), null, 2));
  const child = spawn(process.execPath, [path.join(root, 'bin/sluice'), 'watch', '-c', 'sluice.json'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise((resolve) => child.on('close', resolve));
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    child.stderr.setEncoding('utf8').on('data', (s) => {
      seen += s;
      const m = /"message":"dashboard listening on (http:\/\/[^"]+)"/.exec(seen);
      if (m) resolve(m[1]);
    });
    child.on('close', (code) => reject(new Error(`sluice exited (${code}) before its dashboard listened:\n${seen}`)));
  });
  const stop = async () => {
    child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  return { dir, url, stop };
}
