/**
 * The consumer (manual assignment) against an in-process fake broker that stages what a real one
 * cannot on demand: a corrupt batch, a response cut at a byte limit, an absurd size prefix, a
 * frame cut off, a connection dropped mid-fetch, a broker that goes away and comes back, moved
 * leaders and out-of-range offsets, a broker that never answers, an application that stops
 * polling. Each test ends by counting what the application received: every record of the log
 * exactly once, in offset order, and nothing else.
 */
import { describe, expect, it, vi } from 'vitest';
import type { ConsumerConfig } from '../../src/consumer/config.js';
import { Consumer, type ConsumerBatch, type TopicPartition } from '../../src/consumer/consumer.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { KafkaError, ProtocolError } from '../../src/protocol/errors.js';
import { decodeRecordBatches } from '../../src/protocol/records/record-batch.js';
import {
  FakeBroker,
  type FakeBrokerOptions,
  type FakeClusterView,
  FakeLog,
  LOG_APIS,
} from '../helpers/fake-broker.js';
import { faultHarness } from '../helpers/fault-harness.js';

const TOPIC = 'events';
const P0: TopicPartition = { topic: TOPIC, partition: 0 };
const P1: TopicPartition = { topic: TOPIC, partition: 1 };
const FETCH = 1;
const LIST_OFFSETS = 2;
const METADATA = 3;
const MiB = 1024 * 1024;

const { brokers, clients: consumers } = faultHarness<Consumer>((c) => c.close());

async function startBroker(
  options: Omit<FakeBrokerOptions, 'log'> & { log?: FakeLog; partitions?: number } = {},
): Promise<{ broker: FakeBroker; log: FakeLog }> {
  const log = options.log ?? new FakeLog({ topics: { [TOPIC]: options.partitions ?? 1 } });
  const broker = await new FakeBroker({ ...options, log }).start();
  brokers.push(broker);
  return { broker, log };
}

/** Small timeouts and backoffs: every scenario settles in well under a second. */
function newConsumer(broker: FakeBroker, config: Partial<ConsumerConfig> = {}): Consumer {
  const c = new Consumer({
    bootstrapServers: `127.0.0.1:${broker.port}`,
    autoOffsetReset: 'earliest',
    fetchMaxWaitMs: 50,
    retryBackoffMs: 10,
    retryBackoffMaxMs: 40,
    requestTimeoutMs: 1000,
    ...config,
  });
  consumers.push(c);
  return c;
}

function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

function range(from: number, to: number): bigint[] {
  return Array.from({ length: to - from }, (_, i) => BigInt(from + i));
}

/** Appends `batches` batches of `perBatch` records `${prefix}0`, `${prefix}1`, …; returns the values. */
function seed(log: FakeLog, partition: number, prefix: string, batches: number, perBatch: number): string[] {
  const all = names(prefix, batches * perBatch);
  for (let b = 0; b < batches; b++) {
    log.appendValues(TOPIC, partition, all.slice(b * perBatch, (b + 1) * perBatch));
  }
  return all;
}

/** What the application received, in the order it received it. */
class Received {
  readonly records: { partition: number; offset: bigint; value: string | null }[] = [];

  add(batches: ConsumerBatch[]): void {
    for (const b of batches) {
      for (const r of b.records) {
        this.records.push({
          partition: b.partition,
          offset: r.offset,
          value: r.value?.toString('utf8') ?? null,
        });
      }
    }
  }

  get count(): number {
    return this.records.length;
  }

  values(partition: number): (string | null)[] {
    return this.records.filter((r) => r.partition === partition).map((r) => r.value);
  }

  offsets(partition: number): bigint[] {
    return this.records.filter((r) => r.partition === partition).map((r) => r.offset);
  }
}

/** Polls until `received` holds `count` records; a poll's error fails the test. */
async function pollUntil(c: Consumer, received: Received, count: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (received.count < count) {
    if (Date.now() > deadline) throw new Error(`received ${received.count} of ${count} records in time`);
    received.add(await c.poll({ timeoutMs: 100 }));
  }
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A copy of a response frame with another size prefix. */
function withSize(frame: Buffer, size: number): Buffer {
  const b = Buffer.from(frame);
  b.writeUInt32BE(size, 0);
  return b;
}

/** The announced APIs with Fetch capped at `max`. */
function apisWithFetchMax(max: number) {
  return [{ apiKey: 18, min: 0, max: 4 }, ...LOG_APIS.map((a) => (a.apiKey === FETCH ? { ...a, max } : a))];
}

/** Where the complete batches of a served `records` end (the next offset to fetch), or null. */
function endOfCompleteBatches(records: Buffer | null | undefined): bigint | null {
  if (!records || records.length === 0) return null;
  const last = decodeRecordBatches(records, { verifyCrc: false }).batches.at(-1);
  return last ? last.lastOffset + 1n : null;
}

describe('Consumer against a faulty broker', () => {
  it('delivers the records before a corrupt batch, then fails each poll with a ProtocolError naming its offset until a seek past it', async () => {
    const { broker, log } = await startBroker();
    log.appendValues(TOPIC, 0, names('a', 3)); // offsets 0-2
    log.appendValues(TOPIC, 0, names('b', 3)); // 3-5, its CRC broken below
    log.appendValues(TOPIC, 0, names('c', 3)); // 6-8
    log.corrupt(TOPIC, 0, 3n);
    const c = newConsumer(broker);
    c.assign([P0]);
    const got = new Received();

    got.add(await c.poll({ timeoutMs: 2000 }));
    expect(got.values(0)).toEqual(names('a', 3));
    // The first failure comes from the fetch that held the batch, the later ones from fetches of
    // offset 3 again: the consumer neither skips the batch nor moves past it.
    for (let i = 0; i < 3; i++) {
      const err = await c.poll({ timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProtocolError);
      expect((err as Error).message).toMatch(/offset 3\b/);
      expect(c.position(P0)).toBe(3n);
    }
    expect(broker.fetchRequests.filter((r) => r.partitions[0].fetchOffset === 3n).length).toBeGreaterThan(0);

    c.seek(P0, 6);
    await pollUntil(c, got, 6);
    expect(got.values(0)).toEqual([...names('a', 3), ...names('c', 3)]);
    expect(got.offsets(0)).toEqual([0n, 1n, 2n, 6n, 7n, 8n]);
  });

  it.each([17, 12])(
    'fetches on from the first offset of a partial batch the broker cut at the byte limit (Fetch v%i)',
    async (version) => {
      const { broker, log } = await startBroker(version === 17 ? {} : { apis: apisWithFetchMax(version) });
      const expected = seed(log, 0, 'r', 10, 3);
      const batchSize = log.batches(TOPIC, 0)[0].bytes.length;
      const c = newConsumer(broker, { maxPartitionFetchBytes: Math.floor(batchSize * 2.5) });
      c.assign([P0]);
      const got = new Received();

      await pollUntil(c, got, expected.length);

      expect(got.values(0)).toEqual(expected);
      expect(got.offsets(0)).toEqual(range(0, 30));
      expect(broker.fetchRequests.every((r) => r.apiVersion === version)).toBe(true);
      // Responses ended in half a batch, and each next fetch asked for that batch again.
      const fetches = broker.fetchRequests.map((r) => r.partitions[0]);
      const cut = fetches.filter((p) => p.served?.records && decodeRecordBatches(p.served.records).truncated);
      expect(cut.length).toBeGreaterThan(2);
      for (let i = 0; i + 1 < fetches.length; i++) {
        const end = endOfCompleteBatches(fetches[i].served?.records);
        if (end !== null) expect(fetches[i + 1].fetchOffset).toBe(end);
      }
    },
  );

  it('drops the connection on a 2 GiB size prefix without allocating it, and fetches again', async () => {
    const { broker, log } = await startBroker({
      onFetch: (req) => {
        if (req.index === 0) return { frame: (f) => withSize(f, 0x80000000) }; // 2 GiB: negative as an int32
        if (req.index === 1) return { frame: (f) => withSize(f, 0x7fffffff) };
        return undefined;
      },
    });
    const expected = seed(log, 0, 'r', 3, 3);
    const before = process.memoryUsage().arrayBuffers;
    const c = newConsumer(broker);
    c.assign([P0]);
    const got = new Received();

    await pollUntil(c, got, expected.length);

    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * MiB);
    expect(broker.count(FETCH)).toBeGreaterThanOrEqual(3);
    expect(broker.fetchRequests.slice(0, 3).map((r) => r.partitions[0].fetchOffset)).toEqual([0n, 0n, 0n]);
    expect(got.values(0)).toEqual(expected);
    expect(got.offsets(0)).toEqual(range(0, 9));
  });

  it('waits out a 64 MiB size prefix followed by silence without buffering it, then fetches again', async () => {
    const { broker, log } = await startBroker({
      onFetch: (req) =>
        req.index === 0 ? { frame: (f) => withSize(f.subarray(0, 16), 64 * MiB) } : undefined,
    });
    const expected = seed(log, 0, 'r', 2, 3);
    const before = process.memoryUsage().arrayBuffers;
    const c = newConsumer(broker, { requestTimeoutMs: 200 });
    c.assign([P0]);
    const got = new Received();
    const started = Date.now();

    await pollUntil(c, got, expected.length);

    expect(Date.now() - started).toBeLessThan(1500);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(32 * MiB);
    expect(broker.count(FETCH)).toBe(2);
    expect(got.values(0)).toEqual(expected);
    expect(got.offsets(0)).toEqual(range(0, 6));
  });

  it('fetches again after a response frame cut off mid-way and a closed connection', async () => {
    const { broker, log } = await startBroker({
      onFetch: (req) =>
        req.index === 0
          ? { frame: (f) => f.subarray(0, Math.floor(f.length / 2)), connection: 'reply-then-drop' }
          : undefined,
    });
    const expected = seed(log, 0, 'r', 3, 3);
    const c = newConsumer(broker);
    c.assign([P0]);
    const got = new Received();

    await pollUntil(c, got, expected.length);

    expect(broker.fetchRequests.slice(0, 2).map((r) => r.partitions[0].fetchOffset)).toEqual([0n, 0n]);
    expect(got.values(0)).toEqual(expected);
    expect(got.offsets(0)).toEqual(range(0, 9));
  });

  it('surfaces a fetch response it cannot decode as a ProtocolError, then fetches the same offset again', async () => {
    const { broker, log } = await startBroker({
      // A whole frame (its size prefix matches) whose body ends 20 bytes early, inside the records.
      onFetch: (req) =>
        req.index === 0 ? { frame: (f) => withSize(f.subarray(0, f.length - 20), f.length - 24) } : undefined,
    });
    const expected = seed(log, 0, 'r', 1, 3);
    const c = newConsumer(broker);
    c.assign([P0]);
    const got = new Received();
    const err = await c.poll({ timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    // The response, not a batch, named with its API and broker.
    expect((err as Error).message).toMatch(
      /^Cannot decode Fetch v\d+ response from 127\.0\.0\.1:\d+: Truncated input: need \d+ bytes/,
    );

    await pollUntil(c, got, expected.length);

    expect(broker.fetchRequests.slice(0, 2).map((r) => r.partitions[0].fetchOffset)).toEqual([0n, 0n]);
    expect(got.values(0)).toEqual(expected);
    expect(got.offsets(0)).toEqual(range(0, 3));
  });

  it('retries a fetch whose connection drops mid-request and delivers everything once', async () => {
    const { broker, log } = await startBroker({
      onFetch: (req) => (req.index === 1 ? { delayMs: 20, connection: 'drop' } : undefined),
    });
    log.appendValues(TOPIC, 0, names('a', 3));
    const c = newConsumer(broker);
    c.assign([P0]);
    const got = new Received();
    await pollUntil(c, got, 3);
    await until(() => broker.count(FETCH) >= 2); // the fetch that will be dropped is in
    log.appendValues(TOPIC, 0, names('b', 3));

    await pollUntil(c, got, 6);

    expect(broker.fetchRequests.slice(0, 3).map((r) => r.partitions[0].fetchOffset)).toEqual([0n, 3n, 3n]);
    expect(got.values(0)).toEqual(log.values(TOPIC, 0));
    expect(got.offsets(0)).toEqual(range(0, 6));
  });

  it('reconnects to a broker that went away and came back at the same address, losing and repeating nothing', async () => {
    const { broker, log } = await startBroker();
    log.appendValues(TOPIC, 0, names('a', 3));
    const c = newConsumer(broker);
    c.assign([P0]);
    const got = new Received();
    await pollUntil(c, got, 3);

    const port = broker.port;
    await broker.stop();
    brokers.length = 0;
    log.appendValues(TOPIC, 0, names('b', 3));
    // Polls while the broker is away return nothing and fail with nothing.
    expect(await c.poll({ timeoutMs: 150 })).toEqual([]);
    const { broker: back } = await startBroker({ log, port });

    await pollUntil(c, got, 6);

    expect(back.fetchRequests[0].partitions[0].fetchOffset).toBe(3n);
    expect(got.values(0)).toEqual([...names('a', 3), ...names('b', 3)]);
    expect(got.offsets(0)).toEqual(range(0, 6));
  });

  it('refreshes metadata on NOT_LEADER_OR_FOLLOWER and fetches on from the new leader', async () => {
    const log = new FakeLog({ topics: { [TOPIC]: 1 } });
    let leader = 1;
    const view: FakeClusterView = { brokers: [], leader: () => leader };
    const { broker: b1 } = await startBroker({ log, nodeId: 1, cluster: () => view });
    const { broker: b2 } = await startBroker({ log, nodeId: 2, cluster: () => view });
    view.brokers = [b1.node, b2.node];
    log.appendValues(TOPIC, 0, names('a', 3));
    const c = newConsumer(b1);
    c.assign([P0]);
    const got = new Received();
    await pollUntil(c, got, 3);
    const metadataBefore = b1.count(METADATA) + b2.count(METADATA);

    leader = 2;
    log.appendValues(TOPIC, 0, names('b', 3));
    await pollUntil(c, got, 6);

    const answered = b1.fetchRequests.map((r) => r.partitions[0].served?.errorCode);
    expect(answered).toContain(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(b1.count(METADATA) + b2.count(METADATA)).toBeGreaterThan(metadataBefore);
    expect(b2.fetchRequests[0].partitions[0].fetchOffset).toBe(3n);
    expect(got.values(0)).toEqual(log.values(TOPIC, 0));
    expect(got.offsets(0)).toEqual(range(0, 6));
  });

  it('resets to the log start offset on OFFSET_OUT_OF_RANGE with autoOffsetReset earliest', async () => {
    const { broker, log } = await startBroker();
    seed(log, 0, 'r', 5, 2);
    log.deleteRecordsBefore(TOPIC, 0, 4n); // retention took offsets 0-3
    const c = newConsumer(broker, { autoOffsetReset: 'earliest' });
    c.assign([P0]);
    c.seek(P0, 1);
    const got = new Received();

    await pollUntil(c, got, 6);

    expect(broker.fetchRequests[0].partitions[0].served?.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(broker.count(LIST_OFFSETS)).toBe(1);
    expect(got.values(0)).toEqual(names('r', 10).slice(4));
    expect(got.offsets(0)).toEqual(range(4, 10));
  });

  it('resets to the log end offset on OFFSET_OUT_OF_RANGE with autoOffsetReset latest', async () => {
    const { broker, log } = await startBroker();
    log.appendValues(TOPIC, 0, names('a', 5));
    const c = newConsumer(broker, { autoOffsetReset: 'latest' });
    c.assign([P0]);
    c.seek(P0, 100);
    const got = new Received();
    const deadline = Date.now() + 2000;
    while (c.position(P0) !== 5n && Date.now() < deadline) got.add(await c.poll({ timeoutMs: 20 }));
    expect(c.position(P0)).toBe(5n);
    log.appendValues(TOPIC, 0, names('b', 3));

    await pollUntil(c, got, 3);

    expect(broker.fetchRequests[0].partitions[0].served?.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(got.values(0)).toEqual(names('b', 3));
    expect(got.offsets(0)).toEqual(range(5, 8));
  });

  it('fails each poll with OFFSET_OUT_OF_RANGE under autoOffsetReset none until the application seeks', async () => {
    const { broker, log } = await startBroker();
    log.appendValues(TOPIC, 0, names('a', 5));
    const c = newConsumer(broker, { autoOffsetReset: 'none' });
    c.assign([P0]);
    // No position at all: nothing to reset to either.
    const first = await c.poll({ timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(KafkaError);
    expect(first).toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE, topic: TOPIC, partition: 0 });
    c.seek(P0, 100);
    for (let i = 0; i < 2; i++) {
      const err = await c.poll({ timeoutMs: 1000 }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KafkaError);
      expect(err).toMatchObject({ code: ErrorCode.OFFSET_OUT_OF_RANGE, topic: TOPIC, partition: 0 });
      expect(c.position(P0)).toBe(100n);
    }
    expect(broker.count(LIST_OFFSETS)).toBe(0);

    c.seek(P0, 0);
    const got = new Received();
    await pollUntil(c, got, 5);
    expect(got.values(0)).toEqual(names('a', 5));
    expect(got.offsets(0)).toEqual(range(0, 5));
  });

  it('returns an empty poll within its timeout from a broker that never answers a fetch, and closes promptly', async () => {
    const { broker, log } = await startBroker({ onFetch: () => ({ connection: 'silent' }) });
    log.appendValues(TOPIC, 0, names('a', 3));
    const c = newConsumer(broker, { requestTimeoutMs: 30_000 });
    c.assign([P0]);

    for (const timeoutMs of [200, 100]) {
      const started = Date.now();
      expect(await c.poll({ timeoutMs })).toEqual([]);
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(timeoutMs - 5);
      expect(took).toBeLessThan(timeoutMs + 250);
    }
    expect(broker.count(FETCH)).toBe(1); // waiting on its answer, not resending

    // close() used to wait up to 1 s for the fetch in flight (cluster.close(1000)), whose answer
    // nobody would read: a second against a silent broker, the long poll against a live one.
    const started = Date.now();
    await c.close();
    expect(Date.now() - started).toBeLessThan(300);
    expect(broker.fetchRequests[0].partitions[0].served).toBeUndefined();
  });

  it('stops fetching while the application does not poll, holding a bounded number of bytes undelivered', async () => {
    const { broker, log } = await startBroker({ partitions: 2 });
    const value = 'v'.repeat(40);
    for (const p of [0, 1]) {
      for (let b = 0; b < 40; b++) log.appendValues(TOPIC, p, Array(5).fill(`${p}-${b}-${value}`));
    }
    const batchSize = log.batches(TOPIC, 0)[0].bytes.length;
    const maxPartitionFetchBytes = 4 * batchSize;
    const fetchMaxBytes = 6 * batchSize;
    const c = newConsumer(broker, { maxPartitionFetchBytes, fetchMaxBytes, maxPollRecords: 5 });
    c.assign([P0, P1]);
    const got = new Received();

    /** Bytes of the batches fetched whole and not yet (entirely) handed to the application. */
    const undelivered = (p: number) => {
      let end = 0n;
      for (const r of broker.fetchRequests) {
        for (const part of r.partitions) {
          const e = part.partition === p ? endOfCompleteBatches(part.served?.records) : null;
          if (e !== null && e > end) end = e;
        }
      }
      const position = c.position({ topic: TOPIC, partition: p }) ?? 0n;
      let bytes = 0;
      for (const b of log.batches(TOPIC, p))
        if (b.lastOffset >= position && b.lastOffset < end) bytes += b.bytes.length;
      return bytes;
    };
    // A fetch asks for what is left of fetchMaxBytes (a broker may send one batch beyond it);
    // the batch being handed out is one more. It used to be twice fetchMaxBytes.
    const bound = fetchMaxBytes + 2 * batchSize;
    const partitionBound = 2 * maxPartitionFetchBytes + batchSize;

    got.add(await c.poll({ timeoutMs: 1000 }));
    await sleep(150); // the application is busy: no poll
    const fetches = broker.count(FETCH);
    await sleep(300);
    expect(broker.count(FETCH)).toBe(fetches);
    expect(undelivered(0) + undelivered(1)).toBeLessThanOrEqual(bound);
    expect(undelivered(0)).toBeLessThanOrEqual(partitionBound);
    expect(undelivered(1)).toBeLessThanOrEqual(partitionBound);

    while (got.count < 400) {
      got.add(await c.poll({ timeoutMs: 1000 }));
      expect(undelivered(0) + undelivered(1)).toBeLessThanOrEqual(bound);
    }

    for (const p of [0, 1]) {
      expect(got.values(p)).toEqual(log.values(TOPIC, p));
      expect(got.offsets(p)).toEqual(range(0, 200));
    }
    expect(got.count).toBe(400);
  });
});

/**
 * Bugs in src/consumer found with the fake broker, now fixed. Each test states the behaviour
 * wanted; the comment above it says what went wrong before the fix.
 */
describe('Consumer: regressions of bugs staged with the fake broker', () => {
  // consumer.ts take(): the decoder's ProtocolError ("Record batch at offset 0 is corrupt: …")
  // reached the application as is: with several partitions assigned it could not tell which one
  // to seek past. Java names the partition ("… fetching the next record from events-1 …").
  it('names the topic and partition of a corrupt batch in the error, so the application knows where to seek', async () => {
    const { broker, log } = await startBroker({ partitions: 2 });
    log.appendValues(TOPIC, 0, names('a', 2));
    log.appendValues(TOPIC, 1, names('b', 2));
    log.corrupt(TOPIC, 1, 0n);
    const c = newConsumer(broker);
    c.assign([P0, P1]);
    const got = new Received();
    let err: unknown = null;
    const deadline = Date.now() + 2000;
    while (err === null && Date.now() < deadline) {
      try {
        got.add(await c.poll({ timeoutMs: 100 }));
      } catch (e) {
        err = e;
      }
    }
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/topic events, partition 1\b/);
    expect(err).toMatchObject({ topic: 'events', partition: 1 });
    expect(c.position(P1)).toBe(0n);
    c.seek(P1, 2);
    log.appendValues(TOPIC, 1, ['b2']);
    await pollUntil(c, got, 3);
    expect(got.values(0)).toEqual(names('a', 2));
    expect(got.values(1)).toEqual(['b2']);
  });

  // consumer.ts onPartition: bytes with no whole batch at or past the fetch offset left
  // fetchOffset where it was, and the fetch loop asked again at once: ~3,000 fetches a second,
  // nothing delivered, nothing reported. A KIP-74 broker always sends the first batch whole, so
  // the answer never changes; Java fails the poll ("Failed to make progress reading messages").
  it('fails the poll with a ProtocolError, instead of fetching in a loop, when a response holds part of a batch and no whole one', async () => {
    let partial = true;
    const { broker, log } = await startBroker({
      onFetch: () =>
        partial
          ? { partitions: (p) => ({ records: log.read(TOPIC, 0, p.fetchOffset, MiB).subarray(0, 30) }) }
          : undefined,
    });
    const expected = seed(log, 0, 'r', 2, 3);
    const c = newConsumer(broker);
    c.assign([P0]);

    const err = await c.poll({ timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    expect((err as Error).message).toMatch(/offset 0\b.*\[topic events, partition 0\]/);
    await sleep(200); // the application takes its time: the consumer waits for it
    // The first answer, and at most one more fetched as the error was handed out.
    expect(broker.count(FETCH)).toBeLessThanOrEqual(2);
    expect(c.position(P0)).toBe(0n);

    partial = false;
    const got = new Received();
    // A fetch answered before the broker mended its ways holds its error for the next poll.
    const stored = await c.poll({ timeoutMs: 50 }).then(
      (batches) => got.add(batches),
      (e: unknown) => e,
    );
    if (stored !== undefined) expect(stored).toBeInstanceOf(ProtocolError);
    await pollUntil(c, got, expected.length);
    expect(got.values(0)).toEqual(expected);
    expect(got.offsets(0)).toEqual(range(0, 6));
  });

  // consumer.ts onPartition: a partition missing from the response (`if (!p) return`) was
  // fetchable again at once: a fetch per round trip for as long as the broker left it out.
  it('fetches a partition left out of the response again after a backoff, not in a loop', async () => {
    let leaveOut = true;
    const { broker, log } = await startBroker({
      onFetch: () => (leaveOut ? { partitions: 'discard' } : undefined),
    });
    const expected = seed(log, 0, 'r', 2, 3);
    const c = newConsumer(broker, { retryBackoffMs: 20, retryBackoffMaxMs: 50 });
    c.assign([P0]);

    expect(await c.poll({ timeoutMs: 300 })).toEqual([]);
    expect(broker.count(FETCH)).toBeGreaterThan(1);
    expect(broker.count(FETCH)).toBeLessThan(20);

    leaveOut = false;
    const got = new Received();
    await pollUntil(c, got, expected.length);
    expect(got.values(0)).toEqual(expected);
    expect(got.offsets(0)).toEqual(range(0, 6));
  });

  // consumer.ts fetchOnce: the response's top-level error code was never read. Such a response
  // has no partitions, so each looked unanswered and was fetched again at once, in a loop, and a
  // fatal error never reached the application.
  it('backs off on a retriable top-level Fetch error and reports a fatal one at poll', async () => {
    let errorCode: number = ErrorCode.FETCH_SESSION_ID_NOT_FOUND;
    const { broker, log } = await startBroker({
      onFetch: () => (errorCode === ErrorCode.NONE ? undefined : { errorCode }),
    });
    const expected = seed(log, 0, 'r', 2, 3);
    const c = newConsumer(broker, { retryBackoffMs: 20, retryBackoffMaxMs: 50 });
    c.assign([P0]);

    expect(await c.poll({ timeoutMs: 300 })).toEqual([]);
    expect(broker.count(FETCH)).toBeGreaterThan(1);
    expect(broker.count(FETCH)).toBeLessThan(20);

    errorCode = ErrorCode.UNKNOWN_SERVER_ERROR;
    let err: unknown = null;
    const deadline = Date.now() + 1000;
    while (err === null && Date.now() < deadline)
      err = await c.poll({ timeoutMs: 50 }).then(
        () => null,
        (e) => e,
      );
    expect(err).toBeInstanceOf(KafkaError);
    expect(err).toMatchObject({ code: ErrorCode.UNKNOWN_SERVER_ERROR });

    errorCode = ErrorCode.NONE;
    const got = new Received();
    await pollUntil(c, got, expected.length);
    expect(got.values(0)).toEqual(expected);
    expect(got.offsets(0)).toEqual(range(0, 6));
  });

  // consumer.ts kickAfter: a timer counts from the event loop's cached clock and may fire a
  // millisecond before Date.now() reaches the partition's retryAt. The kick then found nothing
  // due, and nothing kicked again until the next poll: the retry waited out the poll's timeout
  // (seen now and then as a 300 ms poll with one fetch in it). A Date.now() running at half the
  // timers' speed makes every backoff timer early.
  it('fetches again once a backoff is over even when its timer fires before Date.now() gets there', async () => {
    const { broker, log } = await startBroker({
      onFetch: (req) =>
        req.index === 0 ? { partitions: { errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH } } : undefined,
    });
    const expected = seed(log, 0, 'r', 1, 3);
    const c = newConsumer(broker);
    c.assign([P0]);
    const realNow = Date.now.bind(Date);
    const t0 = realNow();
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => t0 + Math.floor((realNow() - t0) / 2));
    try {
      const got = new Received();
      const started = performance.now(); // the timers' clock, not the stubbed one
      got.add(await c.poll({ timeoutMs: 500 }));
      // The backoff is ~10 ms (20 of real time here); the stalled retry waited for the poll's
      // own wait to end, ~480 ms of real time.
      expect(performance.now() - started).toBeLessThan(200);
      expect(broker.count(FETCH)).toBe(2);
      expect(got.values(0)).toEqual(expected);
      expect(got.offsets(0)).toEqual(range(0, 3));
    } finally {
      clock.mockRestore();
    }
  });

  // consumer.ts onPartition → fetchOnce: a ProtocolError from reading a batch header escaped
  // onPartition, and fetchOnce's catch gave it to every partition of the fetch: the healthy
  // partition reported the other's error, and neither was named.
  it('fails only the partition whose batch header cannot be read, and names it', async () => {
    let bad = true;
    const { broker, log } = await startBroker({
      partitions: 2,
      onFetch: () => {
        if (!bad) return undefined;
        return {
          partitions: (p) => {
            if (p.partition !== 1) return 'log';
            const records = Buffer.from(log.read(TOPIC, 1, p.fetchOffset, MiB));
            if (records.length > 0) records.writeInt32BE(3, 8); // batch length 3: less than a header
            return { records };
          },
        };
      },
    });
    log.appendValues(TOPIC, 0, names('a', 3));
    log.appendValues(TOPIC, 1, names('b', 2));
    const c = newConsumer(broker);
    c.assign([P0, P1]);
    const got = new Received();
    const errors: unknown[] = [];
    const deadline = Date.now() + 2000;
    while ((got.count < 3 || errors.length < 2) && Date.now() < deadline) {
      try {
        got.add(await c.poll({ timeoutMs: 50 }));
      } catch (e) {
        errors.push(e);
      }
    }
    expect(got.values(0)).toEqual(names('a', 3));
    expect(got.values(1)).toEqual([]);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    for (const e of errors) {
      expect(e).toBeInstanceOf(ProtocolError);
      expect((e as Error).message).toMatch(/\[topic events, partition 1\]$/);
    }

    bad = false;
    await pollUntil(c, got, 5);
    expect(got.values(0)).toEqual(names('a', 3));
    expect(got.values(1)).toEqual(names('b', 2));
    expect(got.offsets(1)).toEqual(range(0, 2));
  });
});
