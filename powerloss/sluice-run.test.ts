import { powerCases } from './cases.js';
import { powerfsSuite } from './powerfs.js';
import type { CaseSpec } from './case-spec.js';

// `sluice run` on powerfs, the power cut at random moments (seeded: SLUICE_POWERLOSS_SEED=<n> replays a run), then
// run to completion: every durable input kept or disposed of as configured, every output exactly right, nothing else.
// Before each start after the first, 60 more inputs are added durably (30 for a folder output).

const run = (output: CaseSpec['output'], onSuccess: CaseSpec['onSuccess'], premade: boolean, flush?: 'syncfs'): CaseSpec =>
  ({ command: 'run', output, onSuccess, premade, files: 200, cuts: 5, perRound: 60, ...(flush && { flush }) });
// A folder output leaves a file per 256 bytes of input (layout's partBytes): fewer inputs, 100 and 30 a round.
const folder = (onSuccess: CaseSpec['onSuccess'], premade: boolean): CaseSpec =>
  ({ ...run('folder', onSuccess, premade), files: 100, perRound: 30 });

powerfsSuite('power loss: sluice run', () => {
  powerCases('run', {
    'gzip, delete': run('gzip', 'delete', false),
    'gzip, moveTo': run('gzip', 'moveTo', true),
    'copy, keep': run('copy', 'keep', false),
    'append, delete': run('append', 'delete', true),
    'append, moveTo': run('append', 'moveTo', false),
    'append, keep': run('append', 'keep', true),
    // The group commit's syncfs path (what runs on ext4, xfs and btrfs), with powerfs' whole-fs sync as the syncfs.
    'gzip, delete, syncfs': run('gzip', 'delete', false, 'syncfs'),
    'gzip, moveTo, syncfs': run('gzip', 'moveTo', true, 'syncfs'),
    'copy, keep, syncfs': run('copy', 'keep', false, 'syncfs'),
    // A folder output ("{relDir}/{name}/" split into parts, "_SUCCESS" marker); watch has one on the syncfs path.
    'folder, delete': folder('delete', false),
    // The replace path: before each start 30 inputs processed already are rewritten (parts gained and lost, rest/ made
    // or emptied); 40 inputs and 5 more a round.
    'folder, keep, rewrites': { ...folder('keep', false), files: 40, cuts: 8, perRound: 5, rewrites: 30 },
  });
});
