/**
 * Logging: the `logger` and `logLevel` options every client takes, and the leveled, structured
 * wrapper the client logs through.
 *
 * A logger is anything with `debug/info/warn/error(fields, message)` — pino's shape, so a pino
 * logger (or a child of one) plugs in as is; `consoleLogger` prints to the console. Without a
 * `logger` the client logs nothing (warnings the user must see still go out as process
 * warnings). Invariants: every line carries an object of fields (at least `client`, the client
 * kind, and `clientId`); the message is a short constant sentence, the variable parts are fields;
 * a logger that throws never breaks the client; nothing logged holds a credential.
 */
import { ConfigError, KafkaError } from '../protocol/errors.js';

/** A log sink with pino's call shape: fields first, then the message. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The lowest level passed to the logger; `'silent'` passes none. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
type Method = Exclude<LogLevel, 'silent'>;

/**
 * A logger printing to the console: `console.debug/info/warn/error` with the message and its
 * fields as JSON on one line. For structured output in production prefer pino (or any logger of
 * the same shape).
 */
export const consoleLogger: Logger = {
  debug: (fields, message) => console.debug(`kafkawire ${message} ${json(fields)}`),
  info: (fields, message) => console.info(`kafkawire ${message} ${json(fields)}`),
  warn: (fields, message) => console.warn(`kafkawire ${message} ${json(fields)}`),
  error: (fields, message) => console.error(`kafkawire ${message} ${json(fields)}`),
};

/** A logger with winston's call shape: `log(level, message, meta)`. */
export interface WinstonLike {
  log(level: string, message: string, meta?: object): unknown;
}

/**
 * Adapts a winston logger (or anything with `log(level, message, meta)`: message first, fields
 * after) to kafkawire's pino-shaped {@link Logger}; the fields become winston's metadata.
 */
export function winstonLogger(winston: WinstonLike): Logger {
  if (winston === null || typeof winston !== 'object' || typeof winston.log !== 'function')
    throw new ConfigError(
      'logger',
      'winstonLogger() needs an object with a log(level, message, meta) method',
    );
  return {
    debug: (fields, message) => winston.log('debug', message, fields),
    info: (fields, message) => winston.log('info', message, fields),
    warn: (fields, message) => winston.log('warn', message, fields),
    error: (fields, message) => winston.log('error', message, fields),
  };
}

function json(fields: object): string {
  try {
    return JSON.stringify(fields);
  } catch {
    return '{}';
  }
}

/** What a client logs through: the user's logger behind a level and the client's own fields. */
export class ClientLog {
  private readonly threshold: number;

  constructor(
    private readonly sink: Logger | null,
    level: LogLevel,
    private readonly base: Readonly<Record<string, unknown>>,
  ) {
    this.threshold = sink ? LEVELS.indexOf(level) : LEVELS.length;
  }

  /** True when a line at `level` reaches the logger (to skip building costly fields). */
  enabled(level: Method): boolean {
    return LEVELS.indexOf(level) >= this.threshold;
  }

  debug(fields: object, message: string): void {
    this.write('debug', fields, message);
  }

  info(fields: object, message: string): void {
    this.write('info', fields, message);
  }

  warn(fields: object, message: string): void {
    this.write('warn', fields, message);
  }

  error(fields: object, message: string): void {
    this.write('error', fields, message);
  }

  private write(level: Method, fields: object, message: string): void {
    if (!this.sink || LEVELS.indexOf(level) < this.threshold) return;
    try {
      this.sink[level]({ ...this.base, ...fields }, message);
    } catch {
      // A logger that fails must not fail the client.
    }
  }
}

/** A ClientLog that logs nothing (internal parts built without a client around them). */
export const SILENT_LOG = new ClientLog(null, 'silent', {});

/**
 * The `logger` and `logLevel` options, checked: a logger must have the four methods; the level
 * defaults to `'info'` when a logger is given.
 */
export function clientLog(
  options: { logger?: unknown; logLevel?: unknown },
  client: 'producer' | 'consumer' | 'admin',
  clientId: string,
): ClientLog {
  const { logger, logLevel } = options;
  if (logger !== undefined && logger !== null) {
    for (const m of ['debug', 'info', 'warn', 'error'] as const) {
      if (typeof (logger as Record<string, unknown>)[m] !== 'function')
        throw new ConfigError(
          'logger',
          `expected an object with debug, info, warn and error methods (pino's shape); ${m} is missing`,
        );
    }
  }
  if (logLevel !== undefined && !LEVELS.includes(logLevel as LogLevel))
    throw new ConfigError(
      'logLevel',
      `expected one of ${LEVELS.map((l) => `"${l}"`).join(', ')}, got ${JSON.stringify(logLevel)}`,
    );
  return new ClientLog(
    (logger as Logger | null | undefined) ?? null,
    (logLevel as LogLevel | undefined) ?? 'info',
    {
      client,
      clientId,
    },
  );
}

/**
 * The fields of an error for a log line: its class, message and Kafka error code (number and
 * name), and the broker, topic, partition and group it names.
 */
export function errorFields(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { error: { message: String(err) } };
  const e = err as Error & Record<string, unknown>;
  const error: Record<string, unknown> = { type: e.name, message: e.message };
  if (typeof e.code === 'number') error.code = e.code;
  if (err instanceof KafkaError) error.codeName = err.type;
  const fields: Record<string, unknown> = { error };
  for (const k of ['broker', 'topic', 'group'] as const) if (typeof e[k] === 'string') fields[k] = e[k];
  if (typeof e.partition === 'number') fields.partition = e.partition;
  if (typeof e.repeated === 'number' && e.repeated > 1) fields.repeated = e.repeated;
  return fields;
}

/** The logging options of every client. */
export interface LoggingConfig {
  /**
   * Where the client logs: any object with `debug/info/warn/error(fields, message)`, such as a
   * pino logger or `consoleLogger`. Default: none (the client logs nothing).
   */
  logger?: Logger;
  /** The lowest level passed to `logger`. Default `'info'`. */
  logLevel?: LogLevel;
}

/** Names of the logging options (see `LoggingConfig`). */
export const LOGGING_OPTIONS = ['logger', 'logLevel'] as const;
