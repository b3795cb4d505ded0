import { powerCases } from './cases.js';
import { powerfsSuite } from './powerfs.js';
import type { CaseSpec } from './scenario.js';

// `sluice run` on powerfs, the power cut at random moments (seeded: SLUICE_POWERLOSS_SEED=<n> replays a run), then
// run to completion: every durable input kept or disposed of as configured, every output exactly right, nothing else.
// Before each start after the first, 60 more inputs are added durably.

const run = (output: CaseSpec['output'], onSuccess: CaseSpec['onSuccess'], premade: boolean, flush?: 'syncfs'): CaseSpec =>
  ({ command: 'run', output, onSuccess, premade, files: 200, cuts: 5, perRound: 60, ...(flush && { flush }) });

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
  });
});
