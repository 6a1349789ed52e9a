/**
 * KafkaJS's logging: `logLevel`, a `logCreator` hook, and loggers with namespaces.
 *
 * These loggers carry what the compatibility layer has to say (a consumer crash and restart, a
 * handler that threw, start and stop) and, through `nativeLogging`, what kafkawire's engine logs
 * (outages, reconnects, missing topics, group membership), with the engine's fields as extras. The level can be changed at run time per logger, and the
 * `KAFKAJS_LOG_LEVEL` environment variable wins over the configured level, as in KafkaJS.
 */
import type { Logger as NativeLogger } from '../network/logger.js';

/** Log levels, as KafkaJS numbers them (KafkaJS: `logLevel`). */
export const logLevel = { NOTHING: 0, ERROR: 1, WARN: 2, INFO: 4, DEBUG: 5 } as const;
/** One of the {@link logLevel} values. */
export type logLevel = (typeof logLevel)[keyof typeof logLevel];

/** What a log function gets (KafkaJS: `LogEntry`). */
export interface LogEntry {
  namespace: string;
  level: logLevel;
  /** `ERROR`, `WARN`, `INFO` or `DEBUG`. */
  label: string;
  log: LoggerEntryContent;
}

/** The body of a log entry: a message, a timestamp, and any extra fields. */
export interface LoggerEntryContent {
  readonly timestamp: string;
  readonly message: string;
  [key: string]: unknown;
}

/** Makes the function that writes entries, given the configured level (KafkaJS: `logCreator`). */
export type logCreator = (logLevel: logLevel) => (entry: LogEntry) => void;

/** A logger (KafkaJS: `Logger`). */
export interface Logger {
  info(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  debug(message: string, extra?: object): void;
  /** A logger whose entries carry this namespace, optionally at its own level. */
  namespace(namespace: string, logLevel?: logLevel): Logger;
  setLogLevel(logLevel: logLevel): void;
}

/**
 * The engine's `logger` / `logLevel` options writing to a KafkaJS logger: every level is passed
 * on and the KafkaJS logger filters, so `setLogLevel` keeps working at run time.
 */
export function nativeLogging(log: Logger): { logger: NativeLogger; logLevel: 'debug' } {
  return {
    logger: {
      debug: (fields, message) => log.debug(message, fields),
      info: (fields, message) => log.info(message, fields),
      warn: (fields, message) => log.warn(message, fields),
      error: (fields, message) => log.error(message, fields),
    },
    logLevel: 'debug',
  };
}

const LABELS: Record<number, string> = { 1: 'ERROR', 2: 'WARN', 4: 'INFO', 5: 'DEBUG' };

/** KafkaJS's default: one JSON line per entry on the console, errors on stderr. */
const consoleLogCreator: logCreator = () => (entry) => {
  const { timestamp, message, ...extra } = entry.log;
  const line = JSON.stringify({
    level: entry.label,
    timestamp,
    logger: 'kafkawire/kafkajs',
    ...(entry.namespace ? { namespace: entry.namespace } : {}),
    message,
    ...extra,
  });
  if (entry.level === logLevel.ERROR) console.error(line);
  else if (entry.level === logLevel.WARN) console.warn(line);
  else console.log(line);
};

function levelFromEnv(): logLevel | undefined {
  const v = process.env.KAFKAJS_LOG_LEVEL?.toUpperCase();
  if (v === undefined) return undefined;
  const level = (logLevel as Record<string, logLevel>)[v];
  return level;
}

/**
 * The root logger of a `Kafka` instance. A namespaced logger follows the root's level until
 * its own is set (by `namespace(ns, level)` or its `setLogLevel`).
 */
export function createLogger(
  level: logLevel = logLevel.INFO,
  creator: logCreator = consoleLogCreator,
): Logger {
  const start = levelFromEnv() ?? level;
  const write = creator(start);
  const root: { level: logLevel | null } = { level: start };
  const make = (namespace: string, state: { level: logLevel | null }): Logger => {
    const log = (lvl: logLevel, message: string, extra?: object) => {
      const current = state.level ?? root.level ?? start;
      if (current === logLevel.NOTHING || lvl > current) return;
      write({
        namespace,
        level: lvl,
        label: LABELS[lvl] ?? 'INFO',
        log: { timestamp: new Date().toISOString(), message, ...(extra ?? {}) },
      });
    };
    return {
      info: (m, e) => log(logLevel.INFO, m, e),
      error: (m, e) => log(logLevel.ERROR, m, e),
      warn: (m, e) => log(logLevel.WARN, m, e),
      debug: (m, e) => log(logLevel.DEBUG, m, e),
      namespace: (ns, lvl) => make(namespace ? `${namespace}.${ns}` : ns, { level: lvl ?? null }),
      setLogLevel: (lvl) => {
        state.level = lvl;
      },
    };
  };
  return make('', root);
}
