import assert from 'node:assert/strict';
import http from 'node:http';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { debugJson, pipeline, Sandbox, shStage, type SluiceProcess, waitFor } from '../helpers/process.js';
import { actionHeaders, dashboardUrl, request } from './helpers.js';

const token = 'test-token-0123456789abcdef';

// The HTTP listener's security rules, each against a real daemon.
describe('dashboard security', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  async function daemon(http: Record<string, unknown>, over: Record<string, unknown> = {}): Promise<{ sluice: SluiceProcess; base: URL }> {
    // The stage fails while the flag file is missing: the cause of a failure can be fixed without touching the input.
    const stage = shStage(`[ -f "${box.path('flag')}" ] || { echo "the flag file is missing" >&2; exit 3; }; cp "$1" "$2"`);
    const config = box.config({ http: { port: 0, ...http }, pipelines: [pipeline({ stages: [stage], ...over })] });
    const sluice = box.start(['watch', '-c', config, ...debugJson]);
    await sluice.ready();
    return { sluice, base: await dashboardUrl(sluice) };
  }

  test('a Host that is not the listener nor localhost is misdirected (DNS rebinding), on every path', async () => {
    const { base } = await daemon({});
    for (const path of ['/', '/api/status', '/metrics', '/healthz', '/assets/js/app.js']) {
      for (const host of ['attacker.example', `attacker.example:${base.port}`, '127.0.0.1.attacker.example', 'localhost.attacker.example']) {
        const res = await request(new URL(path, base), { headers: { host } });
        assert.equal(res.status, 421, `${path} with Host ${host}`);
        assert.doesNotMatch(res.body, /"pid"/);
      }
    }
    assert.equal((await request(new URL('/api/status', base), { headers: { host: `localhost:${base.port}` } })).status, 200);
    assert.equal((await request(new URL('/api/status', base))).status, 200);
  });

  test('static files come from web/ only: no way out of it, no hidden or unknown files', async () => {
    const { base } = await daemon({});
    const page = await request(new URL('/', base));
    assert.equal(page.status, 200);
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.doesNotMatch(page.body, /<script>|<style>| style=| on[a-z]+=/i, 'no inline script, style or handler');
    for (const path of ['/assets/../package.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/..%2fpackage.json',
      '/assets/.hidden.js', '/assets/js/../../../package.json', '/package.json', '/assets/index.html.bak']) {
      const res = await rawGet(base, path);
      assert.equal(res.status, 404, path);
      assert.doesNotMatch(res.body, /"name": "sluice"/, path);
    }
  });

  test('every response carries the CSP, nosniff and no-referrer headers', async () => {
    const { base } = await daemon({});
    for (const [path, host] of [['/', base.host], ['/api/status', base.host], ['/nope', base.host], ['/', 'evil.example']] as const) {
      const res = await request(new URL(path, base), { headers: { host } });
      const csp = String(res.headers['content-security-policy']);
      for (const rule of ["default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"]) assert.ok(csp.includes(rule), `${path}: ${csp}`);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
    }
  });

  test('with a token every request needs it, by bearer or by the cookie /login sets; /healthz stays open', async () => {
    const { base } = await daemon({ token });
    for (const path of ['/', '/api/status', '/api/failures', '/api/events', '/metrics']) {
      assert.equal((await request(new URL(path, base))).status, 401, path);
      assert.equal((await request(new URL(path, base), { headers: { authorization: 'Bearer wrong' } })).status, 401, path);
    }
    assert.equal((await request(new URL('/api/status', base), { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const metrics = await request(new URL('/metrics', base), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /sluice_files_total/);
    assert.equal((await request(new URL('/healthz', base))).status, 200);

    assert.equal((await request(new URL('/login?token=wrong', base))).status, 403);
    const login = await request(new URL(`/login?token=${token}`, base));
    assert.equal(login.status, 303);
    assert.equal(login.headers.location, '/');
    const cookie = String(login.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.ok(!cookie.includes(token), 'the cookie is not the token');
    const session = cookie.split(';')[0]!;
    assert.equal((await request(new URL('/api/status', base), { headers: { cookie: session } })).status, 200);
    assert.equal((await request(new URL('/api/status', base), { headers: { cookie: 'sluice_session=forged' } })).status, 401);
  });

  test('without actions: true, retry is refused (403) even when well-formed, and the page gets no CSRF token', async () => {
    box.write('inbox/bad.json', '{nope');
    const { sluice, base } = await daemon({});
    await sluice.waitForLog('bad.json failed', (l) => l.path === 'bad.json' && /^failed after/.test(l.message));
    const status = (await request(new URL('/api/status', base))).json();
    assert.equal(status.actions, false);
    assert.equal(status.csrf, null);
    const res = await request(new URL('/api/retry', base), {
      method: 'POST', headers: actionHeaders(base, 'x'), body: JSON.stringify({ items: [{ pipeline: 'p', path: 'bad.json' }] }),
    });
    assert.equal(res.status, 403);
    assert.match(res.json().error, /http\.actions/);
    assert.equal((await request(new URL('/api/failures', base))).json().total, 1, 'nothing changed');
  });

  test('with actions on, a retry needs the exact Origin, same-origin fetch metadata, JSON and the CSRF header', async () => {
    box.write('inbox/bad.json', '{nope');
    const { sluice, base } = await daemon({ actions: true });
    await sluice.waitForLog('bad.json failed', (l) => l.path === 'bad.json' && /^failed after/.test(l.message));
    const { csrf } = (await request(new URL('/api/status', base))).json();
    assert.match(csrf, /^[0-9a-f]{64}$/);
    const body = JSON.stringify({ items: [{ pipeline: 'p', path: 'bad.json' }] });
    const good = actionHeaders(base, csrf);
    const otherPort = `http://127.0.0.1:${Number(base.port) + 1}`;
    const bad: Record<string, Record<string, string>> = {
      'cross-origin': { ...good, origin: 'http://attacker.example' },
      'another local port': { ...good, origin: otherPort, 'sec-fetch-site': 'same-site' },
      'no Origin': Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'origin')),
      'cross-site fetch metadata': { ...good, 'sec-fetch-site': 'cross-site' },
      'no CSRF header': Object.fromEntries(Object.entries(good).filter(([k]) => k !== 'x-csrf-token')),
      'a wrong CSRF header': { ...good, 'x-csrf-token': 'f'.repeat(64) },
      'a form post': { ...good, 'content-type': 'text/plain' },
    };
    for (const [what, headers] of Object.entries(bad)) {
      const res = await request(new URL('/api/retry', base), { method: 'POST', headers, body });
      assert.equal(res.status, 403, what);
    }
    assert.equal((await request(new URL('/api/failures', base))).json().total, 1, 'nothing changed');
    assert.equal((await request(new URL('/api/retry', base), { method: 'GET' })).status, 404, 'GET never acts');

    box.write('flag', '');
    const res = await request(new URL('/api/retry', base), { method: 'POST', headers: good, body });
    assert.equal(res.status, 200);
    assert.deepEqual(res.json(), { retried: 1, skipped: [] });
    await sluice.processed('bad.json');
    await waitFor('the failure to leave the list', async () => (await request(new URL('/api/failures', base))).json().total === 0);
  });
});

/** A GET of `path` exactly as written (URL() would resolve `..` before it is sent). */
function rawGet(base: URL, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, path, method: 'GET', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}
