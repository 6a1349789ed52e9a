/**
 * The `logger` / `logLevel` options: checked at construction, level filtering, the client's base
 * fields on every line, a throwing logger never breaking the client, and error fields.
 */
import { describe, expect, it } from 'vitest';
import { Admin } from '../../src/admin/admin.js';
import { Consumer } from '../../src/consumer/consumer.js';
import {
  ClientLog,
  clientLog,
  consoleLogger,
  errorFields,
  type Logger,
  winstonLogger,
} from '../../src/network/logger.js';
import { Producer } from '../../src/producer/producer.js';
import { ConfigError, kafkaError } from '../../src/protocol/errors.js';

type Line = { level: string; fields: Record<string, unknown>; message: string };

function recorder(): Logger & { lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: string) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields: fields as Record<string, unknown>, message });
    };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

describe('clientLog', () => {
  it('passes lines at or above the level, with the client kind and id on each', () => {
    const rec = recorder();
    const log = clientLog({ logger: rec, logLevel: 'warn' }, 'producer', 'app-1');
    log.debug({ a: 1 }, 'd');
    log.info({ a: 2 }, 'i');
    log.warn({ a: 3 }, 'w');
    log.error({ a: 4, clientId: 'overridden' }, 'e');
    expect(rec.lines).toEqual([
      { level: 'warn', fields: { client: 'producer', clientId: 'app-1', a: 3 }, message: 'w' },
      { level: 'error', fields: { client: 'producer', clientId: 'overridden', a: 4 }, message: 'e' },
    ]);
    expect(log.enabled('info')).toBe(false);
    expect(log.enabled('warn')).toBe(true);
  });

  it("defaults to 'info' with a logger and to silence without one", () => {
    const rec = recorder();
    const log = clientLog({ logger: rec }, 'consumer', 'c');
    log.debug({}, 'd');
    log.info({}, 'i');
    expect(rec.lines.map((l) => l.message)).toEqual(['i']);
    const none = clientLog({}, 'consumer', 'c');
    expect(none.enabled('error')).toBe(false);
    const silenced = clientLog({ logger: rec, logLevel: 'silent' }, 'consumer', 'c');
    silenced.error({}, 'e');
    expect(rec.lines).toHaveLength(1);
  });

  it('rejects a logger without the four methods and an unknown level with a ConfigError', () => {
    expect(() => clientLog({ logger: { info() {} } }, 'admin', 'a')).toThrow(ConfigError);
    expect(() => clientLog({ logger: { info() {} } }, 'admin', 'a')).toThrow(/debug is missing/);
    expect(() => clientLog({ logger: consoleLogger, logLevel: 'verbose' }, 'admin', 'a')).toThrow(
      /logLevel.*"verbose"/,
    );
  });

  it('survives a logger that throws', () => {
    const log = new ClientLog(
      {
        debug: () => {},
        info: () => {},
        warn: () => {
          throw new Error('sink down');
        },
        error: () => {},
      },
      'debug',
      {},
    );
    expect(() => log.warn({}, 'w')).not.toThrow();
  });

  it('the clients check the options at construction', () => {
    const bad = { bootstrapServers: '127.0.0.1:1', logLevel: 'loud' as never };
    expect(() => new Producer(bad)).toThrow(ConfigError);
    expect(() => new Consumer({ ...bad, groupId: 'g' })).toThrow(ConfigError);
    expect(() => new Admin(bad)).toThrow(ConfigError);
    expect(() => new Producer({ bootstrapServers: '127.0.0.1:1', logger: {} as never })).toThrow(/logger/);
  });
});

describe('errorFields', () => {
  it('names the error class, message, Kafka code and what the error is about', () => {
    const err = kafkaError(15, { group: 'g1' });
    const fields = errorFields(err);
    expect(fields.group).toBe('g1');
    expect(fields.error).toMatchObject({ code: 15, codeName: 'COORDINATOR_NOT_AVAILABLE' });
    expect(errorFields('plain')).toEqual({ error: { message: 'plain' } });
  });
});

describe('winstonLogger', () => {
  it("passes pino-shaped calls to winston's log(level, message, meta), through a client's log", () => {
    const calls: unknown[][] = [];
    const winston = { log: (...args: unknown[]) => calls.push(args) };
    const log = clientLog({ logger: winstonLogger(winston), logLevel: 'debug' }, 'consumer', 'c1');
    log.warn({ topic: 't' }, 'Topic not found');
    log.debug({}, 'detail');
    expect(calls).toEqual([
      ['warn', 'Topic not found', { client: 'consumer', clientId: 'c1', topic: 't' }],
      ['debug', 'detail', { client: 'consumer', clientId: 'c1' }],
    ]);
    expect(() => winstonLogger({} as never)).toThrow(/log\(level, message, meta\)/);
  });
});
