import winston from 'winston';
import type { LogFormat, LogLevel } from '../config/schema.js';

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Also write JSON lines here, rotated by size. */
  readonly file?: string | null;
}

export type Logger = winston.Logger;

const pretty = winston.format.printf((info) => {
  const { level, message, timestamp, ...fields } = info as Record<string, unknown>;
  const extra = Object.entries(fields)
    .filter(([k, v]) => v !== undefined && typeof k === 'string')
    .map(([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join(' ');
  return `${String(timestamp)} ${String(level).padEnd(5)} ${String(message)}${extra ? `  ${extra}` : ''}`;
});

const json = winston.format.combine(
  winston.format.timestamp({ alias: 'time' }),
  winston.format((info) => {
    delete (info as Record<string, unknown>)['timestamp'];
    return info;
  })(),
  winston.format.json(),
);

/** The only place that knows winston: stderr in the chosen format, plus an optional rotated JSON-lines file. */
export function createLogger(options: LoggerOptions): Logger {
  const transports: winston.transport[] = [
    new winston.transports.Console({
      stderrLevels: ['error', 'warn', 'info', 'debug'],
      format: options.format === 'json' ? json : winston.format.combine(winston.format.timestamp(), pretty),
    }),
  ];
  if (options.file) {
    transports.push(new winston.transports.File({
      filename: options.file, format: json, maxsize: 10 * 1024 * 1024, maxFiles: 5, tailable: true,
    }));
  }
  return winston.createLogger({ level: options.level, transports });
}

/** Flushes and closes every transport. */
export function closeLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
    setTimeout(resolve, 500).unref();
  });
}
