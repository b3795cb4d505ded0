import { powerCases } from './cases.js';
import { powerfsSuite } from './powerfs.js';
import type { CaseSpec } from './case-spec.js';

// `sluice watch` on powerfs while the test keeps adding inputs durably (written, fsynced, renamed into place, folder
// fsynced: only then counted; 60 per start, 30 for a folder output), the power cut at random moments, restarted each
// time; finally watched until idle and stopped with SIGTERM. The same contract as for `run`, to the byte.

const watch = (output: CaseSpec['output'], onSuccess: CaseSpec['onSuccess'], premade: boolean, flush?: 'syncfs'): CaseSpec =>
  ({ command: 'watch', output, onSuccess, premade, files: 150, cuts: 5, perRound: 60, ...(flush && { flush }) });
// A folder output leaves a file per 256 bytes of input (layout's partBytes): fewer inputs, 100 and 30 a round.
const folder = (onSuccess: CaseSpec['onSuccess'], premade: boolean, flush?: 'syncfs'): CaseSpec =>
  ({ ...watch('folder', onSuccess, premade, flush), files: 100, perRound: 30 });

powerfsSuite('power loss: sluice watch', () => {
  powerCases('watch', {
    'gzip, moveTo': watch('gzip', 'moveTo', false),
    'gzip, delete': watch('gzip', 'delete', true),
    'copy, keep': watch('copy', 'keep', false),
    'append, delete': watch('append', 'delete', true),
    'append, moveTo': watch('append', 'moveTo', false),
    'append, keep': watch('append', 'keep', true),
    // The group commit's syncfs path, with powerfs' whole-fs sync as the syncfs.
    'gzip, moveTo, syncfs': watch('gzip', 'moveTo', false, 'syncfs'),
    'copy, delete, syncfs': watch('copy', 'delete', true, 'syncfs'),
    // Folder outputs ("{relDir}/{name}/" split into parts, "_SUCCESS" marker), one on the syncfs path.
    'folder, moveTo': folder('moveTo', true),
    'folder, delete, syncfs': folder('delete', false, 'syncfs'),
    // The replace path: while it runs 30 inputs processed already are rewritten (parts gained and lost, rest/ made or
    // emptied); 40 inputs and 5 more a round.
    'folder, keep, rewrites': { ...folder('keep', true), files: 40, cuts: 8, perRound: 5, rewrites: 30 },
  });
});
