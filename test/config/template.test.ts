import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseTemplate, placeholders, renderFolder, renderRaw, templateValues, type TemplateValues } from '../../src/config/template.js';

const at = new Date('2026-03-04T23:59:59Z');

function render(source: string, relPath: string, pipeline = 'p'): string | null {
  const { template, problems } = parseTemplate(source);
  assert.deepEqual(problems, [], `template ${source} refused`);
  return renderRaw(template, templateValues(relPath, pipeline, at));
}

describe('templateValues', () => {
  test('a file at the top has relDir ""', () => {
    assert.deepEqual(templateValues('report.csv', 'compress', at), {
      relDir: '', base: 'report.csv', name: 'report', ext: '.csv', pipeline: 'compress', date: '2026-03-04',
    } satisfies TemplateValues);
  });

  test('a nested file: relDir is its folder with / separators, name drops only the last extension', () => {
    const v = templateValues('a/b/archive.tar.gz', 'x', at);
    assert.equal(v.relDir, 'a/b');
    assert.equal(v.base, 'archive.tar.gz');
    assert.equal(v.name, 'archive.tar');
    assert.equal(v.ext, '.gz');
  });

  test('a file without extension has ext "" and name = base', () => {
    const v = templateValues('dir/Makefile', 'x', at);
    assert.equal(v.ext, '');
    assert.equal(v.name, 'Makefile');
  });

  test('{date} is the UTC date YYYY-MM-DD', () => {
    assert.equal(templateValues('f', 'x', new Date('2026-12-31T23:30:00-05:00')).date, '2027-01-01');
    assert.match(templateValues('f', 'x').date, /^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('renderRaw', () => {
  test('the default template keeps the relative path; no leading slash at the top', () => {
    assert.equal(render('{relDir}/{base}', 'x.txt'), 'x.txt');
    assert.equal(render('{relDir}/{base}', 'a/b/x.txt'), 'a/b/x.txt');
  });

  test('every placeholder renders', () => {
    assert.equal(render('{pipeline}/{date}/{relDir}/{name}{ext}.gz', 'in/x.txt', 'zip'), 'zip/2026-03-04/in/x.txt.gz');
    assert.equal(render('{name}-copy{ext}', 'd/x.txt'), 'x-copy.txt');
  });

  test('results are normalised: doubled slashes, "./" and inner ".." that stay inside collapse', () => {
    assert.equal(render('./{relDir}//{base}', 'x.txt'), 'x.txt');
    assert.equal(render('{relDir}/./{base}', 'a/x.txt'), 'a/x.txt');
    assert.equal(render('out//{relDir}/{name}.bak', 'a/b/x.txt'), 'out/a/b/x.bak');
  });

  test('null for a path that names a folder or nothing', () => {
    assert.equal(render('{relDir}', 'x.txt'), null, 'relDir "" at the top renders to nothing');
    assert.equal(render('{relDir}/.', 'x.txt'), null, '"." is the output folder itself');
    const { template } = parseTemplate('{relDir}/');
    assert.equal(renderRaw(template, templateValues('a/x.txt', 'p', at)), null, 'a trailing slash names a folder');
  });

  test('null for values that would escape output.dir', () => {
    const { template } = parseTemplate('{relDir}/{base}');
    const values = (over: Partial<TemplateValues>): TemplateValues => ({ ...templateValues('x', 'p', at), ...over });
    assert.equal(renderRaw(template, values({ relDir: '..', base: 'x' })), null);
    assert.equal(renderRaw(template, values({ relDir: 'a/../..', base: 'x' })), null);
    assert.equal(renderRaw(template, values({ relDir: '', base: '..' })), null);
    assert.equal(renderRaw(template, values({ relDir: 'a', base: '..' })), null, 'a/.. is the output folder itself');
    assert.equal(renderRaw(template, values({ base: 'x\0y' })), null);
  });
});

describe('parseTemplate', () => {
  test('knows exactly the contract placeholders', () => {
    assert.deepEqual([...placeholders].sort(), ['base', 'date', 'ext', 'name', 'pipeline', 'relDir']);
    for (const p of placeholders) assert.deepEqual(parseTemplate(`x/{${p}}.out`).problems, [], p);
  });

  test('an unknown placeholder is refused and named', () => {
    const { problems } = parseTemplate('{relDir}/{basename}.txt');
    assert.equal(problems.length, 1);
    assert.match(problems[0]!, /\{basename\}/);
  });

  test('unbalanced braces are refused', () => {
    assert.notDeepEqual(parseTemplate('{base').problems, []);
    assert.notDeepEqual(parseTemplate('base}').problems, []);
  });

  test('templates that can escape output.dir are refused', () => {
    for (const source of ['../x', '../{base}', '{relDir}/../{base}', 'a/../../{base}', '/abs/{base}', '/{base}']) {
      assert.notDeepEqual(parseTemplate(source).problems, [], source);
    }
  });

  test('a template ending in "/" is a folder output; one that escapes is refused', () => {
    assert.deepEqual(parseTemplate('{relDir}/').problems, []);
    assert.equal(parseTemplate('{relDir}/{name}/').template.folder, true);
    assert.equal(parseTemplate('{relDir}/{name}.png').template.folder, false);
    assert.notDeepEqual(parseTemplate('../{name}/').problems, []);
  });

  test('a folder template renders to a folder inside output.dir, "" for output.dir itself', () => {
    const folder = (source: string, rel: string) => renderFolder(parseTemplate(source).template, templateValues(rel, 'p'));
    assert.equal(folder('{relDir}/{name}/', 'docs/report.pdf'), 'docs/report');
    assert.equal(folder('{relDir}/', 'report.pdf'), '');
    assert.equal(folder('{relDir}/', 'a/b/c.pdf'), 'a/b');
  });

  test('every problem is reported, not just the first', () => {
    assert.ok(parseTemplate('/{nope}/{alsoNope}').problems.length >= 3);
  });
});
