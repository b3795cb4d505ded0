import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isLoopback } from '../../src/config/http-schema.js';
import { loadConfig } from '../../src/config/load.js';
import { makeTempDir, writeConfigIn } from '../helpers/cli.js';
import { accepted, pipe, refused } from '../helpers/config-refusals.js';

describe('config: http', () => {
  it('is null by default; filled in, it binds loopback without a token, read-only', async (t) => {
    const dir = makeTempDir(t);
    writeConfigIn(dir, { pipelines: [pipe()] });
    assert.equal((await loadConfig({ config: 'sluice.yaml', cwd: dir })).http, null);
    writeConfigIn(dir, { http: { port: 9464 }, pipelines: [pipe()] });
    assert.deepEqual((await loadConfig({ config: 'sluice.yaml', cwd: dir })).http,
      { host: '127.0.0.1', port: 9464, token: null, actions: false, allowedHosts: [] });
  });

  it('refuses the old metrics: key, naming http: (also metrics: null)', async (t) => {
    for (const metrics of [{ port: 9464 }, null]) {
      const problems = await refused(t, { metrics, pipelines: [pipe()] }, 'metrics');
      assert.match(problems.join('\n'), /renamed to http:/);
    }
  });

  it('refuses a non-loopback bind without a token, naming http.token', async (t) => {
    for (const host of ['0.0.0.0', '192.168.1.10', '::', 'sluice.example.com']) {
      const problems = await refused(t, { http: { host, port: 8080 }, pipelines: [pipe()] }, 'http.token');
      assert.match(problems.join('\n'), /not a loopback address/);
    }
    await accepted(t, { http: { host: '0.0.0.0', port: 8080, token: 'a-long-random-secret' }, pipelines: [pipe()] });
    await accepted(t, { http: { host: '::1', port: 8080 }, pipelines: [pipe()] });
    await accepted(t, { http: { host: 'localhost', port: 0, actions: true }, pipelines: [pipe()] });
  });

  it('refuses a bad port, token, actions or host, each by its key', async (t) => {
    await refused(t, { http: { host: '127.0.0.1' }, pipelines: [pipe()] }, 'http.port');
    await refused(t, { http: { port: 70000 }, pipelines: [pipe()] }, 'http.port');
    await refused(t, { http: { port: 1, token: '' }, pipelines: [pipe()] }, 'http.token');
    await refused(t, { http: { port: 1, token: 'has a space' }, pipelines: [pipe()] }, 'http.token');
    await refused(t, { http: { port: 1, actions: 'yes' }, pipelines: [pipe()] }, 'http.actions');
    await refused(t, { http: { port: 1, host: 'a b' }, pipelines: [pipe()] }, 'http.host');
    await refused(t, { http: { port: 1, extra: 1 }, pipelines: [pipe()] }, 'http.extra');
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopback(h), h);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com', '127.0.0.1.example.com']) assert.ok(!isLoopback(h), h);
  });
});
