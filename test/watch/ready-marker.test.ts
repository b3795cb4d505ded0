import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { splitTemplate } from '../../src/config/template.js';
import { ReadyMarker } from '../../src/watch/ready-marker.js';

const marker = (source: string) => new ReadyMarker({ source, parts: splitTemplate(source, ['base', 'name', 'ext']).parts, folder: false });

describe('ReadyMarker (input.marker)', () => {
  test('"{base}.done": the marker of a/b.pdf is a/b.pdf.done, and a marker names its input directly', () => {
    const m = marker('{base}.done');
    assert.equal(m.folder, false);
    assert.equal(m.pathFor('a/b.pdf'), 'a/b.pdf.done');
    assert.equal(m.pathFor('top.pdf'), 'top.pdf.done');
    assert.equal(m.isMarker('b.pdf.done'), true);
    assert.equal(m.isMarker('b.pdf'), false);
    assert.deepEqual(m.targets('a/b.pdf.done'), { kind: 'files', relPaths: ['a/b.pdf'] });
    assert.deepEqual(marker('ready-{base}').targets('x/ready-c.txt'), { kind: 'files', relPaths: ['x/c.txt'] });
  });

  test('"{name}.ready": pairs by name; a marker event lists its folder for the inputs it matches', () => {
    const m = marker('{name}.ready');
    assert.equal(m.pathFor('docs/report.pdf'), 'docs/report.ready');
    assert.equal(m.isMarker('report.ready'), true);
    const targets = m.targets('docs/report.ready');
    assert.equal(targets.kind, 'folder');
    if (targets.kind !== 'folder') return;
    assert.equal(targets.relDir, 'docs');
    assert.equal(targets.match('report.pdf'), true);
    assert.equal(targets.match('other.pdf'), false);
    assert.equal(targets.match('report.ready'), false, 'a marker is never its own input');
  });

  test('a template without placeholders is a folder marker: every file of the folder, not the marker itself', () => {
    const m = marker('_READY');
    assert.equal(m.folder, true);
    assert.equal(m.pathFor('batch/a.txt'), 'batch/_READY');
    assert.equal(m.isMarker('_READY'), true);
    assert.equal(m.isMarker('_READY.txt'), false);
    const targets = m.targets('batch/_READY');
    assert.ok(targets.kind === 'folder' && targets.relDir === 'batch' && targets.match('a.txt') && !targets.match('_READY'));
  });

  test('regex characters in the template are literals', () => {
    const m = marker('{base}.(ok)+');
    assert.equal(m.isMarker('a.txt.(ok)+'), true);
    assert.equal(m.isMarker('a.txt.okok'), false);
  });
});
