import { loadConfig } from '../config/load.js';
import type { ResolvedConfig } from '../config/resolved.js';
import type { LogFormat, LogLevel } from '../config/schema.js';
import { EventBus } from '../observability/events.js';
import { logEvents } from '../observability/log-events.js';
import { closeLogger, createLogger, type Logger } from '../observability/logger.js';
import type { TransformLog } from '../transforms/types.js';

export interface GlobalOptions {
  readonly logLevel?: LogLevel;
  readonly logFormat?: LogFormat;
}

/** What every command that runs the engine needs: the config, a logger subscribed to engine events. */
export interface Session {
  readonly config: ResolvedConfig;
  readonly logger: Logger;
  readonly events: EventBus;
  readonly log: TransformLog;
  close(): Promise<void>;
}

export async function openSession(configFile: string | undefined, global: GlobalOptions): Promise<Session> {
  const config = await loadConfig({ config: configFile, logLevel: global.logLevel, logFormat: global.logFormat });
  const logger = createLogger(config.log);
  const events = new EventBus();
  events.on(logEvents(logger));
  const log: TransformLog = {
    debug: (message, fields) => logger.debug(message, fields),
    info: (message, fields) => logger.info(message, fields),
    warn: (message, fields) => logger.warn(message, fields),
  };
  return { config, logger, events, log, close: () => closeLogger(logger) };
}
