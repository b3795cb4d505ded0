import { describe, test } from 'node:test';
import { accepted, pipe, refused, type Obj } from '../helpers/config-refusals.js';

const folderExec = { use: 'exec', with: { command: ['pdftoppm', '{in}', '{outDir}/page'] } };
const fileExec = { use: 'exec', with: { command: ['convert', '{in}', '{out}'] } };
const config = (over: Obj) => ({ pipelines: [pipe(over)] });

describe('config refusals: folder outputs, markers, conflicts, ext', () => {
  test('folder outputs with the stages that fill them are accepted', async (t) => {
    await accepted(t, config({ output: { dir: './out', path: '{relDir}/{name}/', marker: '{relDir}/{name}/_SUCCESS' }, stages: [folderExec] }));
    await accepted(t, config({ output: { dir: './out', path: '{relDir}/' }, stages: [{ ...fileExec, ext: '.png' }, folderExec] }));
    await accepted(t, config({ input: { dir: './in', marker: '{base}.done' }, output: { dir: './out', conflict: 'rename' }, stages: [fileExec] }));
    await accepted(t, config({ stages: [{ use: 'exec', with: { command: ['./scripts/ocr.sh'] } }] }));
  });

  test('a folder output in append mode', async (t) => {
    await refused(t, config({ output: { dir: './out', path: '{name}/', mode: 'append' }, stages: [folderExec] }), 'pipelines[0].output.mode');
  });

  test('{outDir} in a stage that is not the last, or in a file-output pipeline', async (t) => {
    await refused(t, config({ output: { dir: './out', path: '{name}/' }, stages: [folderExec, folderExec] }), 'pipelines[0].stages[0].with.command');
    await refused(t, config({ stages: [folderExec] }), 'pipelines[0].stages[0].with.command');
  });

  test('{out} or stdout: true in the last stage of a folder-output pipeline, or a built-in there', async (t) => {
    await refused(t, config({ output: { dir: './out', path: '{name}/' }, stages: [fileExec] }), 'pipelines[0].stages[0].with.command');
    await refused(t, config({ output: { dir: './out', path: '{name}/' }, stages: [{ use: 'exec', with: { command: ['cat'], stdout: true } }] }),
      'pipelines[0].stages[0].with.command');
    await refused(t, config({ output: { dir: './out', path: '{name}/' }, stages: [{ use: 'gzip' }] }), 'pipelines[0].stages[0].use');
  });

  test('conflict or marker with mode: append', async (t) => {
    await refused(t, config({ output: { dir: './out', mode: 'append', conflict: 'keep' } }), 'pipelines[0].output.conflict');
    await refused(t, config({ output: { dir: './out', mode: 'append', marker: '{base}.done' } }), 'pipelines[0].output.marker');
    await refused(t, config({ output: { dir: './out', conflict: 'skip' } }), 'pipelines[0].output.conflict');
  });

  test('bad markers, maxFiles and ext', async (t) => {
    await refused(t, config({ input: { dir: './in', marker: 'done/{base}' } }), 'pipelines[0].input.marker');
    await refused(t, config({ input: { dir: './in', marker: '{base}' } }), 'pipelines[0].input.marker');
    await refused(t, config({ input: { dir: './in', marker: '{relDir}.done' } }), 'pipelines[0].input.marker');
    await refused(t, config({ output: { dir: './out', marker: '../{base}.done' } }), 'pipelines[0].output.marker');
    await refused(t, config({ output: { dir: './out', marker: '{name}/' } }), 'pipelines[0].output.marker');
    await refused(t, config({ output: { dir: './out', maxFiles: 0 } }), 'pipelines[0].output.maxFiles');
    await refused(t, config({ stages: [{ ...fileExec, ext: 'wav' }, fileExec] }), 'pipelines[0].stages[0].ext');
    await refused(t, config({ stages: [{ ...fileExec, ext: '.wav' }] }), 'pipelines[0].stages[0].ext');
  });
});
