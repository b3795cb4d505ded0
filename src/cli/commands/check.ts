import { stringify } from 'yaml';
import { loadConfig } from '../../config/load.js';
import { plainConfig } from '../../config/print.js';
import { ExitCode } from '../../errors.js';
import { writeOut } from '../stdout.js';

/** `sluice check`: validates the config and prints it resolved (absolute paths, defaults filled in). */
export async function checkCommand(options: { config?: string; json?: boolean }): Promise<number> {
  const config = await loadConfig({ config: options.config });
  const plain = plainConfig(config);
  if (options.json) {
    await writeOut(`${JSON.stringify({ valid: true, file: config.file, config: plain }, null, 2)}\n`);
  } else {
    await writeOut(`# config is valid: ${config.file ?? 'built-in default'}\n${stringify(plain)}`);
  }
  return ExitCode.ok;
}
