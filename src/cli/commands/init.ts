import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExitCode, SluiceError, UsageError } from '../../errors.js';
import { writeAtomic } from '../atomic-file.js';
import { writeOut } from '../stdout.js';

/** The commented starter config `sluice init` writes (shipped in the package's config/ folder). */
export const starterConfigFile = fileURLToPath(new URL('../../../../config/starter.yaml', import.meta.url));

/** Config files discovery would read instead of (or besides) ./sluice.yaml, in its order. */
const otherCandidates = ['sluice.yml', 'sluice.json'];

/**
 * `sluice init [--force]`: writes the starter config to ./sluice.yaml. Refuses (exit 2) to overwrite an existing one
 * unless `--force`.
 */
export async function initCommand(options: { force?: boolean }, cwd = process.cwd()): Promise<number> {
  const target = path.join(cwd, 'sluice.yaml');
  const content = fs.readFileSync(starterConfigFile, 'utf8');
  try {
    await writeAtomic(target, content, options.force ? 'replace' : 'exclusive');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new UsageError(`${target} already exists; not overwriting it. Use \`sluice init --force\` to replace it with the starter config.`);
    }
    throw new SluiceError(code ?? 'INIT_FAILED', `cannot write ${target}: ${(err as Error).message}`, { exitCode: ExitCode.failures, cause: err });
  }
  await writeOut(`wrote ${target}\nnext: edit it, then \`sluice check\` to validate it and \`sluice watch\` (or \`sluice run\`) to start\n`);
  const shadowed = otherCandidates.filter((name) => fs.existsSync(path.join(cwd, name)));
  if (shadowed.length > 0) {
    process.stderr.write(`sluice: note: ${shadowed.join(' and ')} also exist${shadowed.length === 1 ? 's' : ''} here; sluice.yaml takes precedence\n`);
  }
  return ExitCode.ok;
}
