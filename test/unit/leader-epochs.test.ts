/**
 * Leader epochs (KIP-320) against the in-process fake broker, which stages what a real cluster
 * does only through an unclean election (test/integration/leader-epochs.test.ts does that on
 * three nodes): a new leader whose log is shorter than what the consumer fetched, a broker whose
 * metadata is behind, an epoch the leader no longer has. Each test counts what the application
 * received: every record of the leader's log once, in offset order, none of the truncated ones
 * handed out after the truncation was known.
 */
import { describe, expect, it } from 'vitest';
import type { ConsumerConfig } from '../../src/consumer/config.js';
import { Consumer, type ConsumerBatch, type LogTruncation } from '../../src/consumer/consumer.js';
import { Cluster } from '../../src/network/cluster.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { LogTruncationError } from '../../src/protocol/errors.js';
import { FakeBroker, type FakeBrokerOptions, FakeLog } from '../helpers/fake-broker.js';
import { faultHarness } from '../helpers/fault-harness.js';

const TOPIC = 'events';
const P0 = { topic: TOPIC, partition: 0 };
const LIST_OFFSETS = 2;

const { brokers, clients: consumers } = faultHarness<Consumer>((c) => c.close());

async function startBroker(
  options: Omit<FakeBrokerOptions, 'log'> = {},
): Promise<{ broker: FakeBroker; log: FakeLog }> {
  const log = new FakeLog({ topics: { [TOPIC]: 1 } });
  const broker = await new FakeBroker({ ...options, log }).start();
  brokers.push(broker);
  return { broker, log };
}

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

/** Appends `batches` batches of 5 records `${prefix}0`, `${prefix}1`, … under the log's current epoch. */
function seed(log: FakeLog, prefix: string, batches: number): string[] {
  const all = Array.from({ length: batches * 5 }, (_, i) => `${prefix}${i}`);
  for (let b = 0; b < batches; b++) log.appendValues(TOPIC, 0, all.slice(b * 5, (b + 1) * 5));
  return all;
}

interface Got {
  offset: bigint;
  value: string;
}

function add(into: Got[], batches: ConsumerBatch[]): void {
  for (const b of batches) for (const r of b.records) into.push({ offset: r.offset, value: String(r.value) });
}

async function pollUntil(c: Consumer, into: Got[], count: number, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (into.length < count) {
    if (Date.now() > deadline) throw new Error(`received ${into.length} of ${count} records in time`);
    add(into, await c.poll({ timeoutMs: 50 }));
  }
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * An unclean election as the consumer sees it: the new leader (epoch 1) never had the records
 * from `from` on, and gets `fresh` batches of new ones there.
 */
function electUncleanly(log: FakeLog, from: bigint, fresh: number): string[] {
  log.truncateTo(TOPIC, 0, from);
  log.setLeaderEpoch(TOPIC, 0, log.leaderEpoch(TOPIC, 0) + 1);
  return seed(log, 'new-', fresh);
}

describe('leader epochs (KIP-320)', () => {
  it('fences Fetch and ListOffsets with the leader epoch the metadata announces', async () => {
    const { broker, log } = await startBroker();
    log.setLeaderEpoch(TOPIC, 0, 7);
    const values = seed(log, 'v', 2);
    const c = newConsumer(broker);
    c.assign([P0]);
    const got: Got[] = [];
    await pollUntil(c, got, 10);
    expect(got.map((g) => g.value)).toEqual(values);
    expect(broker.listOffsetsQueries.map((q) => q.currentLeaderEpoch)).toEqual([7]);
    expect(broker.fetchRequests.length).toBeGreaterThan(0);
    for (const f of broker.fetchRequests) expect(f.partitions[0].currentLeaderEpoch).toBe(7);
  });

  it('validates after a leader change and goes on at the same offset when nothing was truncated', async () => {
    const { broker, log } = await startBroker();
    const before = seed(log, 'old-', 3);
    const c = newConsumer(broker);
    c.assign([P0]);
    const got: Got[] = [];
    await pollUntil(c, got, 15);
    // A clean election: the new leader has every record; the consumer's next fetch is fenced.
    log.setLeaderEpoch(TOPIC, 0, 1);
    const after = seed(log, 'new-', 2);
    await pollUntil(c, got, 25);
    expect(got.map((g) => g.value)).toEqual([...before, ...after]);
    expect(got.map((g) => g.offset)).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(i)));
    expect(broker.epochQueries).toEqual([
      { topic: TOPIC, partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 },
    ]);
    const last = broker.fetchRequests.at(-1);
    expect(last?.partitions[0].currentLeaderEpoch).toBe(1);
  });

  it("reads again from the divergent offset after a truncation below the position ('earliest')", async () => {
    const { broker, log } = await startBroker();
    const before = seed(log, 'old-', 4); // offsets 0-19 under epoch 0
    const c = newConsumer(broker);
    const events: LogTruncation[] = [];
    c.on('logTruncated', (e) => events.push(e));
    c.assign([P0]);
    const got: Got[] = [];
    await pollUntil(c, got, 20);
    // The new leader had only 0-9: 10-19 are gone, and 15 new records take offsets 10-24.
    const fresh = electUncleanly(log, 10n, 3);
    await pollUntil(c, got, 35);
    expect(got.slice(0, 20).map((g) => g.value)).toEqual(before);
    // Without validation the consumer fetched on at 20 under the new epoch: new-10..new-14
    // only, the first ten new records skipped without a word.
    expect(got.slice(20).map((g) => g.value)).toEqual(fresh);
    expect(got.slice(20).map((g) => g.offset)).toEqual(Array.from({ length: 15 }, (_, i) => BigInt(10 + i)));
    expect(events).toEqual([
      { topic: TOPIC, partition: 0, fetchOffset: 20n, divergentOffset: 10n, resetTo: 'divergentOffset' },
    ]);
    // Commits follow the position back: nothing past the truncation counts as consumed.
    expect(c.position(P0)).toBe(25n);
  });

  it("throws LogTruncationError at every poll until a seek ('none'), fetching nothing past it", async () => {
    const { broker, log } = await startBroker();
    seed(log, 'old-', 4);
    const c = newConsumer(broker, { autoOffsetReset: 'none' });
    c.assign([P0]);
    c.seek(P0, 0);
    const got: Got[] = [];
    await pollUntil(c, got, 20);
    const fresh = electUncleanly(log, 10n, 3);
    const fetchesBefore = broker.fetchRequests.length;
    let first: unknown;
    await until(() => broker.epochQueries.length > 0);
    for (let i = 0; i < 3; i++) {
      const err = await c.poll({ timeoutMs: 500 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(LogTruncationError);
      first ??= err;
    }
    expect(first).toMatchObject({
      code: ErrorCode.OFFSET_OUT_OF_RANGE,
      topic: TOPIC,
      partition: 0,
      fetchOffset: 20n,
      divergentOffset: 10n,
    });
    // Not fetched under the new epoch meanwhile (a fenced fetch under the old one may have gone).
    const fetchedAfter = broker.fetchRequests
      .slice(fetchesBefore)
      .filter((f) => f.partitions[0].currentLeaderEpoch === 1);
    expect(fetchedAfter).toEqual([]);
    c.seek(P0, (first as LogTruncationError).divergentOffset as bigint);
    await pollUntil(c, got, 35);
    expect(got.slice(20).map((g) => g.value)).toEqual(fresh);
  });

  it('resets by autoOffsetReset when the new leader has no epoch as old as what was fetched', async () => {
    const { broker, log } = await startBroker();
    log.setLeaderEpoch(TOPIC, 0, 2);
    seed(log, 'old-', 2);
    const c = newConsumer(broker);
    const events: LogTruncation[] = [];
    c.on('logTruncated', (e) => events.push(e));
    c.assign([P0]);
    const got: Got[] = [];
    await pollUntil(c, got, 10);
    // Everything the consumer read is gone; the new leader's log starts at epoch 3.
    log.truncateTo(TOPIC, 0, 0n);
    log.setLeaderEpoch(TOPIC, 0, 3);
    const fresh = seed(log, 'new-', 1);
    await pollUntil(c, got, 15);
    expect(got.slice(10).map((g) => g.value)).toEqual(fresh);
    expect(events).toEqual([
      { topic: TOPIC, partition: 0, fetchOffset: 10n, divergentOffset: null, resetTo: 'earliest' },
    ]);
  });

  it('drops what was fetched ahead when only that was truncated, and fetches again from the position', async () => {
    const { broker, log } = await startBroker();
    const before = seed(log, 'old-', 4);
    const c = newConsumer(broker, { maxPollRecords: 5 });
    c.assign([P0]);
    const got: Got[] = [];
    await pollUntil(c, got, 5); // position 5; 5-19 fetched ahead
    const fresh = electUncleanly(log, 10n, 3);
    await until(() => broker.epochQueries.length > 0);
    await pollUntil(c, got, 25);
    expect(got.map((g) => g.value)).toEqual([...before.slice(0, 10), ...fresh]);
    expect(got.map((g) => g.offset)).toEqual(Array.from({ length: 25 }, (_, i) => BigInt(i)));
  });

  it('backs off a ListOffsets the leader keeps fencing (a broker whose metadata is behind)', async () => {
    // Metadata says epoch 0 while the leader is at 1: every ListOffsets answers FENCED_LEADER_EPOCH.
    const { broker, log } = await startBroker({ metadataLeaderEpoch: () => 0 });
    log.setLeaderEpoch(TOPIC, 0, 1);
    const c = newConsumer(broker);
    c.assign([P0]);
    await c.poll({ timeoutMs: 1000 });
    // Each round waits for fresh metadata and retryBackoffMs (10 ms): well under 100 a second.
    // They used to go out back to back, as fast as the broker answered (thousands a second).
    expect(broker.count(LIST_OFFSETS)).toBeGreaterThan(1);
    expect(broker.count(LIST_OFFSETS)).toBeLessThan(120);
  });
});

describe('cluster metadata and leader epochs', () => {
  it('never replaces a partition leader epoch with an older one from a broker that is behind', async () => {
    let announced = 3;
    const { broker } = await startBroker({ metadataLeaderEpoch: () => announced });
    const cluster = new Cluster({ bootstrapServers: `127.0.0.1:${broker.port}` });
    try {
      cluster.addTopics(new Set([TOPIC]));
      await cluster.refresh();
      expect(cluster.metadata.topics.get(TOPIC)?.partitions[0].leaderEpoch).toBe(3);
      announced = 2;
      await cluster.refresh();
      expect(cluster.metadata.topics.get(TOPIC)?.partitions[0].leaderEpoch).toBe(3);
      announced = 4;
      await cluster.refresh();
      expect(cluster.metadata.topics.get(TOPIC)?.partitions[0].leaderEpoch).toBe(4);
    } finally {
      await cluster.close();
    }
  });
});
