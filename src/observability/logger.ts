import winston from 'winston';
import type { LogFormat, LogLevel } from '../config/schema.js';

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Also write JSON lines here, rotated by size. */
  readonly file?: string | null;
  /** Size at which the file is rotated. @default 10 MiB */
  readonly maxBytes?: number;
  /** Rotated files kept (`sluice.log`, `sluice1.log`, … with the newest always in `file`). @default 5 */
  readonly maxFiles?: number;
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

function transportsFor(options: LoggerOptions): winston.transport[] {
  const transports: winston.transport[] = [
    new winston.transports.Console({
      stderrLevels: ['error', 'warn', 'info', 'debug'],
      format: options.format === 'json' ? json : winston.format.combine(winston.format.timestamp(), pretty),
    }),
  ];
  if (options.file) {
    transports.push(new winston.transports.File({
      filename: options.file, format: json, maxsize: options.maxBytes ?? 10 * 1024 * 1024, maxFiles: options.maxFiles ?? 5,
      tailable: true,
    }));
  }
  return transports;
}

/** The only place that knows winston: stderr in the chosen format, plus an optional rotated JSON-lines file. */
export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({ level: options.level, transports: transportsFor(options) });
}

/** Applies new options to a running logger (a config reload): level, format and file; the old file is closed. */
export function reconfigureLogger(logger: Logger, options: LoggerOptions): void {
  const old = [...logger.transports];
  logger.configure({ level: options.level, transports: transportsFor(options) });
  for (const transport of old) (transport as { close?: () => void }).close?.();
}

/** Flushes and closes every transport. */
export function closeLogger(logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    logger.on('finish', () => resolve());
    logger.end();
    setTimeout(resolve, 500).unref();
  });
}

/** A line the logger wrote: its level, message and fields. */
export interface WrittenLine {
  readonly level: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/**
 * Calls `listener` with each line the logger writes (at its level or above), whatever its transports; survives a
 * reconfigure. Returns the unsubscribe function.
 */
export function onLogLine(logger: Logger, listener: (line: WrittenLine) => void): () => void {
  const tap = (info: { level: string; message: unknown; [key: string]: unknown }) => {
    if (!logger.isLevelEnabled(info.level)) return;
    const { level, message, ...fields } = info;
    listener({ level, message: String(message), fields });
  };
  logger.on('data', tap);
  return () => logger.off('data', tap);
}
