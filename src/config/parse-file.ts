import fs from 'node:fs';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';

/** Reads a config file: `.json` as JSON, anything else as YAML. Syntax errors name the line and column. */
export function parseConfigFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'it does not exist' : code === 'EISDIR' ? 'it is a folder' : `${code ?? err}`;
    throw new ConfigError(`Cannot read the config file ${file}: ${why}. Pass an existing file with -c FILE.`);
  }
  const data = file.endsWith('.json') ? parseJson(file, text) : parseYaml(file, text);
  if (data === null || data === undefined) {
    throw new ConfigError(`The config file ${file} is empty. It needs at least a "pipelines" list (see \`sluice init\`).`);
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError(`The config file ${file} must hold a mapping of keys (stateDir, pipelines, …), not a ${Array.isArray(data) ? 'list' : typeof data}.`);
  }
  return data;
}

function parseYaml(file: string, text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const where = pos ? `line ${pos.line}, column ${pos.col}` : 'somewhere';
      return `${where}: ${e.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')}`;
    });
    throw new ConfigError(`The config file ${file} is not valid YAML:`, problems);
  }
  return doc.toJS();
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /position (\d+)/.exec(message);
    let where = '';
    if (at) {
      const before = text.slice(0, Number(at[1]));
      const line = before.split('\n').length;
      where = `line ${line}, column ${before.length - before.lastIndexOf('\n')}: `;
    }
    throw new ConfigError(`The config file ${file} is not valid JSON:`, [`${where}${message}`]);
  }
}
