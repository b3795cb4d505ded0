import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, it } from 'node:test';
import type { HttpSettings } from '../../src/config/resolved.js';
import { allowedHostNames, hostNameOf } from '../../src/http/host-check.js';

const settings = (host: string, allowedHosts: string[] = []): HttpSettings => ({ host, port: 9464, token: null, actions: false, allowedHosts });

describe('host check', () => {
  it('reads the host name of a Host header, without port, brackets, case or a trailing dot', () => {
    assert.equal(hostNameOf('127.0.0.1:9464'), '127.0.0.1');
    assert.equal(hostNameOf('LocalHost'), 'localhost');
    assert.equal(hostNameOf('[::1]:9464'), '::1');
    assert.equal(hostNameOf('sluice.example.com.:80'), 'sluice.example.com');
    for (const bad of [undefined, '', 'a b', 'x:y:z', 'host:99999999', '[::1']) assert.equal(hostNameOf(bad), null, String(bad));
  });

  it('allows the listener address and localhost; a localhost bind, both loopback addresses; allowedHosts', () => {
    assert.deepEqual([...allowedHostNames(settings('127.0.0.1'))].sort(), ['127.0.0.1', 'localhost']);
    assert.ok(allowedHostNames(settings('localhost')).has('127.0.0.1'));
    assert.ok(allowedHostNames(settings('localhost')).has('::1'));
    assert.ok(allowedHostNames(settings('::1')).has('::1'));
    assert.ok(allowedHostNames(settings('127.0.0.1', ['Sluice.Example.com'])).has('sluice.example.com'));
    assert.ok(!allowedHostNames(settings('127.0.0.1')).has('attacker.example'));
  });

  it('bound to a wildcard address, also this machine own addresses and host name', () => {
    const names = allowedHostNames(settings('0.0.0.0'));
    assert.ok(names.has(os.hostname().toLowerCase()));
    assert.ok(names.has('127.0.0.1'));
    assert.ok(!names.has('attacker.example'));
  });
});
