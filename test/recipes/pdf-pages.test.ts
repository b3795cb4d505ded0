import assert from 'node:assert/strict';
import fs from 'node:fs';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { fileIn, runJson, Sandbox, writeConfig } from '../helpers/cli.js';
import { gs, identify, imageInfo, pdftoppm, requirePrograms, run } from '../helpers/programs.js';

// README recipe 3, PDF pages with poppler: an output path ending in "/" is a folder output. The stage gets an empty
// temp folder as {outDir}; pdftoppm writes page-1.png … page-N.png into it (zero-padded to the page count's digits:
// page-01.png … page-12.png for 12 pages); all of them become the input's outputs, then output.marker is written.
describe('recipe: PDF pages with poppler into a folder output with a _SUCCESS marker', () => {
  let box: Sandbox;
  beforeEach(() => {
    box = Sandbox.create();
  });
  afterEach(async () => {
    await box.dispose();
  });

  // The README's config, with the program's absolute path and test-friendly settling and retries.
  const config = `
pipelines:
  - name: pages
    input:
      dir: ./inbox
      include: ["**/*.pdf"]
      settleMs: 0
    output:
      dir: ./outbox
      path: "{relDir}/{name}/"
      marker: "{relDir}/{name}/_SUCCESS"
    retry: { attempts: 1 }
    stages:
      - use: exec
        with:
          command: ["${pdftoppm.program}", "-png", "-r", "50", "{in}", "{outDir}/page"]
`;

  /** Writes an A4 PDF of `pages` pages (a black bar of a different width on each) with Ghostscript. */
  function makePdf(rel: string, pages: number): void {
    const file = box.write(rel, '');
    const page = '72 72 moveto 0 100 rlineto 40 mul 0 rlineto 0 -100 rlineto closepath fill showpage';
    const options = ['-q', '-dNOPAUSE', '-dBATCH', '-dSAFER', '-sPAPERSIZE=a4', '-dFIXEDMEDIA', '-sDEVICE=pdfwrite'];
    run(gs, [...options, `-sOutputFile=${file}`, '-c', `1 1 ${pages} { ${page} } for`]);
  }

  test('a 3-page PDF becomes {name}/page-1.png … page-3.png and an empty _SUCCESS; a re-run finds it done', async (t) => {
    if (!requirePrograms(t, [gs, pdftoppm, identify])) return;
    writeConfig(box, config);
    makePdf('inbox/docs/report.pdf', 3);
    makePdf('inbox/memo.pdf', 1);
    const r = await runJson(box);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.report.processed, 2);
    const pages = {
      'docs/report.pdf': ['docs/report/page-1.png', 'docs/report/page-2.png', 'docs/report/page-3.png'],
      'memo.pdf': ['memo/page-1.png'],
    };
    assert.deepEqual(box.files('outbox'), [
      'docs/report/_SUCCESS', ...pages['docs/report.pdf'], 'memo/_SUCCESS', ...pages['memo.pdf'],
    ], 'the pages and a marker per input, no temp file left');
    for (const [input, outputs] of Object.entries(pages)) {
      const absolute = outputs.map((rel) => box.path('outbox', rel));
      // Whether the report also lists the marker is not the contract's concern here: the pages must be there.
      assert.deepEqual(fileIn(r.report, input).outputs.filter((p) => !p.endsWith('/_SUCCESS')).sort(), absolute);
      for (const out of absolute) assert.deepEqual(imageInfo(out), { format: 'PNG', width: 414, height: 585 }, out);
    }
    assert.equal(fs.statSync(box.path('outbox/docs/report/_SUCCESS')).size, 0, 'the marker is empty');
    const again = await runJson(box);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual([again.report.processed, again.report.unchanged], [0, 2]);
    assert.equal(box.files('outbox').length, 6, 'nothing written twice');
  });
});
