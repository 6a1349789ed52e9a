import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { afterRetries, toKafkaJSError } from '../../src/kafkajs/errors.js';
import {
  Kafka,
  KafkaJSConnectionError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSOffsetOutOfRange,
  KafkaJSProtocolError,
  KafkaJSRequestTimeoutError,
  type LogEntry,
  logLevel,
  Partitioners,
} from '../../src/kafkajs/index.js';
import { createLogger } from '../../src/kafkajs/logger.js';
import { KafkaJSBatch, parseOffset, toKafkaMessage } from '../../src/kafkajs/messages.js';
import { legacyMurmur2, type PartitionMetadata } from '../../src/kafkajs/partitioners.js';
import { retryWait } from '../../src/kafkajs/runner-helpers.js';
import { partitionForKey } from '../../src/producer/murmur2.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ConfigError, ConnectionError, KafkaError, TimeoutError } from '../../src/protocol/errors.js';

const partitions = (n: number, down: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, p) => ({
    partitionErrorCode: 0,
    partitionId: p,
    leader: down.includes(p) ? -1 : 1,
    replicas: [1],
    isr: [1],
  }));

describe('KafkaJS partitioners', () => {
  it("LegacyPartitioner's hash equals KafkaJS 1.x's for every recorded key", () => {
    const fixture = JSON.parse(
      readFileSync(new URL('../conformance/fixtures/kafkajs-legacy-murmur2.json', import.meta.url), 'utf8'),
    ) as { vectors: [string, number][] };
    expect(fixture.vectors.length).toBeGreaterThan(30);
    for (const [key, hash] of fixture.vectors) expect(legacyMurmur2(Buffer.from(key))).toBe(hash);
  });

  it('DefaultPartitioner: explicit partition, Java murmur2 for keys, round-robin over partitions with a leader', () => {
    const choose = Partitioners.DefaultPartitioner();
    const md = partitions(4, [2]);
    expect(choose({ topic: 't', partitionMetadata: md, message: { partition: 3, key: 'k' } })).toBe(3);
    for (const key of ['a', 'order-1', 'customer-42']) {
      expect(choose({ topic: 't', partitionMetadata: md, message: { key } })).toBe(
        partitionForKey(Buffer.from(key), 4),
      );
    }
    const seen = Array.from({ length: 9 }, () =>
      choose({ topic: 't', partitionMetadata: md, message: { key: null } }),
    );
    expect(new Set(seen)).toEqual(new Set([0, 1, 3]));
    // Round-robin: each available partition in turn.
    expect(seen[0]).not.toBe(seen[1]);
    expect(seen.slice(0, 3).sort()).toEqual([0, 1, 3]);
  });

  it('JavaCompatiblePartitioner is DefaultPartitioner', () => {
    expect(Partitioners.JavaCompatiblePartitioner).toBe(Partitioners.DefaultPartitioner);
  });
});

describe('KafkaJS logger', () => {
  const saved = process.env.KAFKAJS_LOG_LEVEL;
  afterEach(() => {
    if (saved === undefined) delete process.env.KAFKAJS_LOG_LEVEL;
    else process.env.KAFKAJS_LOG_LEVEL = saved;
  });

  it('writes entries at or above its level through logCreator, with namespaces', () => {
    const entries: LogEntry[] = [];
    const root = createLogger(logLevel.WARN, () => (e) => entries.push(e));
    root.info('hidden');
    root.warn('shown', { extra: 1 });
    const ns = root.namespace('Consumer');
    ns.error('boom');
    expect(entries.map((e) => [e.namespace, e.label, e.log.message])).toEqual([
      ['', 'WARN', 'shown'],
      ['Consumer', 'ERROR', 'boom'],
    ]);
    expect(entries[0]!.log.extra).toBe(1);
    ns.setLogLevel(logLevel.DEBUG);
    ns.debug('now shown');
    root.debug('still hidden');
    expect(entries.map((e) => e.log.message)).toEqual(['shown', 'boom', 'now shown']);
    root.setLogLevel(logLevel.NOTHING);
    root.error('nothing');
    expect(entries).toHaveLength(3);
  });

  it('KAFKAJS_LOG_LEVEL wins over the configured level', () => {
    process.env.KAFKAJS_LOG_LEVEL = 'debug';
    const entries: LogEntry[] = [];
    createLogger(logLevel.ERROR, () => (e) => entries.push(e)).debug('x');
    expect(entries).toHaveLength(1);
  });
});

describe('KafkaJS errors', () => {
  it('map kafkawire errors to the KafkaJS family, keeping code, type, retriable and cause', () => {
    const ke = new KafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, { topic: 't', partition: 1 });
    const e = toKafkaJSError(ke) as KafkaJSProtocolError;
    expect(e).toBeInstanceOf(KafkaJSProtocolError);
    expect([e.type, e.code, e.retriable, e.topic, e.partition, e.cause]).toEqual([
      'NOT_LEADER_OR_FOLLOWER',
      6,
      true,
      't',
      1,
      ke,
    ]);
    expect(toKafkaJSError(new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE))).toBeInstanceOf(
      KafkaJSOffsetOutOfRange,
    );
    expect(toKafkaJSError(new ConnectionError('gone', 'h:1'))).toBeInstanceOf(KafkaJSConnectionError);
    expect(toKafkaJSError(new TimeoutError('slow'))).toBeInstanceOf(KafkaJSRequestTimeoutError);
    const config = toKafkaJSError(new ConfigError('lingerMs', 'bad'));
    expect(config).toBeInstanceOf(KafkaJSNonRetriableError);
    expect((config as KafkaJSNonRetriableError).retriable).toBe(false);
  });

  it('after retries: retriable failures become KafkaJSNumberOfRetriesExceeded, broker refusals stay protocol errors', () => {
    const gone = afterRetries(new ConnectionError('gone'), 5);
    expect(gone).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded);
    expect((gone as KafkaJSNumberOfRetriesExceeded).cause).toBeInstanceOf(KafkaJSConnectionError);
    const refused = afterRetries(
      new KafkaError(ErrorCode.TOPIC_AUTHORIZATION_FAILED),
      5,
    ) as KafkaJSProtocolError;
    expect(refused).toBeInstanceOf(KafkaJSProtocolError);
    expect(refused.type).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(afterRetries(new TypeError('bug'), 5)).toBeInstanceOf(KafkaJSNonRetriableError);
  });
});

describe('KafkaJS message shapes', () => {
  it('a record becomes a KafkaMessage with string offset and timestamp, headers by key', () => {
    const m = toKafkaMessage({
      offset: 12345678901234n,
      timestamp: 1700000000123,
      key: Buffer.from('k'),
      value: null,
      headers: [
        { key: 'a', value: Buffer.from('1') },
        { key: 'b', value: Buffer.from('2') },
        { key: 'a', value: Buffer.from('3') },
      ],
    });
    expect(m.offset).toBe('12345678901234');
    expect(m.timestamp).toBe('1700000000123');
    expect(m.value).toBeNull();
    expect((m.headers.a as Buffer[]).map(String)).toEqual(['1', '3']);
    expect(String(m.headers.b)).toBe('2');
  });

  it('Batch lag helpers follow KafkaJS', () => {
    const rec = (offset: bigint) => ({ offset, timestamp: 0, key: null, value: null, headers: [] });
    const b = new KafkaJSBatch({ topic: 't', partition: 0, highWatermark: 10n, records: [rec(4n), rec(5n)] });
    expect([b.firstOffset(), b.lastOffset(), b.offsetLag(), b.offsetLagLow(), b.isEmpty()]).toEqual([
      '4',
      '5',
      '4',
      '5',
      false,
    ]);
    const empty = new KafkaJSBatch({ topic: 't', partition: 0, highWatermark: 10n, records: [] });
    expect([empty.firstOffset(), empty.lastOffset(), empty.offsetLag()]).toEqual([null, '9', '0']);
  });

  it('offsets parse from strings and numbers, never negative', () => {
    expect(parseOffset('42')).toBe(42n);
    expect(parseOffset(7)).toBe(7n);
    expect(parseOffset('-1')).toBeNull();
    expect(parseOffset('1.5')).toBeNull();
    expect(parseOffset(null)).toBeNull();
  });

  it('retry waits grow by the multiplier, randomized by the factor, capped by maxRetryTime', () => {
    const r = { initialRetryTime: 100, multiplier: 2, factor: 0.2, maxRetryTime: 1000 };
    for (let i = 0; i < 50; i++) {
      const w0 = retryWait(r, 0);
      expect(w0).toBeGreaterThanOrEqual(80);
      expect(w0).toBeLessThanOrEqual(120);
      const w3 = retryWait(r, 3);
      expect(w3).toBeGreaterThanOrEqual(640);
      expect(w3).toBeLessThanOrEqual(960);
      expect(retryWait(r, 10)).toBeLessThanOrEqual(1200);
    }
  });
});

describe('the engine logs through logCreator', () => {
  it("a producer's connection failures reach logCreator under its namespace, with the engine's fields", async () => {
    const entries: LogEntry[] = [];
    const kafka = new Kafka({
      brokers: ['127.0.0.1:1'],
      logLevel: logLevel.INFO,
      logCreator: () => (e) => entries.push(e),
      retry: { retries: 1, initialRetryTime: 50, maxRetryTime: 100 },
    });
    const producer = kafka.producer();
    await expect(producer.connect()).rejects.toThrow(/No broker answered/);
    await producer.disconnect().catch(() => {});
    const failed = entries.find((e) => e.log.message.startsWith('Connection attempt failed'));
    expect(failed).toMatchObject({
      namespace: 'Producer',
      label: 'INFO',
      log: { client: 'producer', broker: '127.0.0.1:1', failedAttempts: 1 },
    });
    expect(entries.filter((e) => e.log.message === 'No broker reachable')).toHaveLength(1);
    // The engine's debug lines stay below the configured INFO.
    expect(entries.every((e) => e.level <= logLevel.INFO)).toBe(true);
  });
});
