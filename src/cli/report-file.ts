import fs from 'node:fs';
import path from 'node:path';
import { describe, ExitCode, SluiceError, UsageError } from '../errors.js';
import { writeAtomic } from './atomic-file.js';

/**
 * Where `run --report FILE` writes: checked before the run starts (so a typo does not cost a whole run), written after
 * it (temp + fsync + rename, so a reader never sees half a report).
 */
export class ReportFile {
  readonly path: string;

  private constructor(file: string) {
    this.path = file;
  }

  /** Resolves FILE against `cwd` and checks it can be written: its folder exists and is writable, it is not a folder. */
  static check(file: string, cwd = process.cwd()): ReportFile {
    const abs = path.resolve(cwd, file);
    const dir = path.dirname(abs);
    let why: string | null = null;
    try {
      if (!fs.statSync(dir).isDirectory()) why = `${dir} is not a folder`;
      else fs.accessSync(dir, fs.constants.W_OK);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      why = code === 'ENOENT' || code === 'ENOTDIR' ? `the folder ${dir} does not exist` : code === 'EACCES' ? `the folder ${dir} is not writable` : describe(err);
    }
    if (why === null && fs.statSync(abs, { throwIfNoEntry: false })?.isDirectory()) why = `${abs} is a folder`;
    if (why !== null) throw new UsageError(`cannot write the run report to ${abs}: ${why}. Give --report a file in an existing, writable folder.`);
    return new ReportFile(abs);
  }

  /** Writes the report (one JSON object and a newline, like `--json`). */
  async write(report: object): Promise<void> {
    try {
      await writeAtomic(this.path, `${JSON.stringify(report)}\n`, 'replace');
    } catch (err) {
      throw new SluiceError('REPORT_UNWRITABLE', `the run finished, but its report could not be written to ${this.path}: ${describe(err)}`,
        { exitCode: ExitCode.failures, cause: err });
    }
  }
}
