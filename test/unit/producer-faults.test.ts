/**
 * The producer against an in-process fake broker that stages what a real one cannot on demand:
 * a produce answer lost after the append, retriable and fatal error codes, a leader that moves,
 * a broker that forgets the producer or never answers. Each test ends by reading the fake's log:
 * every record acknowledged is there exactly once, in order, and nothing else is.
 */
import { describe, expect, it } from 'vitest';
import type { ProducerConfig } from '../../src/producer/config.js';
import { Producer, type RecordMetadata } from '../../src/producer/producer.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { KafkaError, TimeoutError } from '../../src/protocol/errors.js';
import {
  FakeBroker,
  type FakeBrokerOptions,
  type FakeClusterView,
  FakeLog,
  type FakeLogOptions,
} from '../helpers/fake-broker.js';
import { faultHarness } from '../helpers/fault-harness.js';

const TOPIC = 'orders';
const PRODUCE = 0;
const METADATA = 3;

const { brokers, clients: producers } = faultHarness<Producer>((p) => p.close({ timeoutMs: 200 }));

async function startBroker(
  options: Omit<FakeBrokerOptions, 'log'> & { log?: FakeLog; logOptions?: Partial<FakeLogOptions> } = {},
): Promise<{ broker: FakeBroker; log: FakeLog }> {
  const log = options.log ?? new FakeLog({ topics: { [TOPIC]: 2 }, ...options.logOptions });
  const broker = await new FakeBroker({ ...options, log }).start();
  brokers.push(broker);
  return { broker, log };
}

/** Small timeouts and backoffs: every scenario settles in well under a second. */
function newProducer(broker: FakeBroker, config: Partial<ProducerConfig> = {}): Producer {
  const p = new Producer({
    bootstrapServers: `127.0.0.1:${broker.port}`,
    lingerMs: 0,
    retryBackoffMs: 10,
    retryBackoffMaxMs: 40,
    requestTimeoutMs: 1000,
    deliveryTimeoutMs: 3000,
    maxBlockMs: 2000,
    ...config,
  });
  producers.push(p);
  return p;
}

/** Records whose values are `${prefix}0`, `${prefix}1`, … on one partition. */
function records(prefix: string, n: number, partition = 0) {
  return Array.from({ length: n }, (_, i) => ({ topic: TOPIC, partition, value: `${prefix}${i}` }));
}

function names(prefix: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${i}`);
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

function offsets(mds: RecordMetadata[]): bigint[] {
  return mds.map((m) => m.offset);
}

/** Smaller than a batch of one record (61 bytes of header + the record): every record is its own batch. */
const ONE_RECORD_PER_BATCH = 64;

describe('Producer against a faulty broker', () => {
  it('resends with the same sequence when the answer is lost after the append, and the broker dedups', async () => {
    const { broker, log } = await startBroker({
      onProduce: (req) => (req.index === 0 ? { connection: 'drop' } : undefined),
    });
    const p = newProducer(broker);
    const mds = await p.send(records('lost-', 5));

    expect(log.values(TOPIC, 0)).toEqual(names('lost-', 5));
    expect(offsets(mds)).toEqual([0n, 1n, 2n, 3n, 4n]); // the broker's cached offset of the first append
    const sent = broker.produceRequests.map((r) => r.partitions[0]);
    expect(sent).toHaveLength(2);
    expect(sent.map((s) => [s.producerId, s.producerEpoch, s.baseSequence, s.recordCount])).toEqual([
      [1000n, 0, 0, 5],
      [1000n, 0, 0, 5],
    ]);
  });

  it('settles a retry the broker reports as DUPLICATE_SEQUENCE_NUMBER as a success with unknown offsets', async () => {
    const { broker, log } = await startBroker({
      logOptions: { duplicates: 'error' },
      onProduce: (req) => (req.index === 0 ? { connection: 'drop' } : undefined),
    });
    const p = newProducer(broker);
    const mds = await p.send(records('dup-', 3));
    expect(log.values(TOPIC, 0)).toEqual(names('dup-', 3));
    expect(offsets(mds)).toEqual([-1n, -1n, -1n]);
  });

  it('loses nothing and duplicates nothing when a connection with several batches in flight drops after an append', async () => {
    const { broker, log } = await startBroker({
      onProduce: async (req) => {
        if (req.index !== 2) return undefined;
        await until(() => broker.count(PRODUCE) >= 5); // all five requests are in flight
        return { connection: 'drop' };
      },
    });
    const p = newProducer(broker, { batchSize: ONE_RECORD_PER_BATCH });
    const mds = await p.send(records('inflight-', 5));

    expect(log.values(TOPIC, 0)).toEqual(names('inflight-', 5));
    expect(offsets(mds)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(log.batches(TOPIC, 0).map((b) => b.baseSequence)).toEqual([0, 1, 2, 3, 4]);
  });

  it('resends in order when the first in-flight batch gets NOT_ENOUGH_REPLICAS and the rest OUT_OF_ORDER_SEQUENCE_NUMBER', async () => {
    const { broker, log } = await startBroker({
      onProduce: async (req) => {
        if (req.index !== 1) return undefined; // the log refuses seq 2.. with OUT_OF_ORDER (no seq 1 yet)
        await until(() => broker.count(PRODUCE) >= 6);
        return { partitions: { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS } };
      },
    });
    const p = newProducer(broker, { batchSize: ONE_RECORD_PER_BATCH });
    // One acknowledged batch first: only then does the producer pipeline a partition's batches.
    await p.send({ topic: TOPIC, partition: 0, value: 'first' });
    const mds = await p.send(records('nr-', 5));

    expect(log.values(TOPIC, 0)).toEqual(['first', ...names('nr-', 5)]);
    expect(offsets(mds)).toEqual([1n, 2n, 3n, 4n, 5n]);
    const seqs = broker.produceRequests.map((r) => r.partitions[0].baseSequence);
    // Five pipelined first attempts, then each batch once more, strictly one after the other.
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
    expect(broker.produceRequests.map((r) => r.partitions[0].producerEpoch)).toEqual(Array(11).fill(0));
  });

  it('sends one batch of a partition until its first acknowledgement, so a later batch cannot be written ahead of it', async () => {
    // Right after a topic is created the leader may refuse the first batch (NOT_LEADER) and
    // take the next one a moment later; with no state for the producer yet, a 4.x broker
    // takes any first sequence, so a second batch in flight would land before the first.
    const { broker, log } = await startBroker({
      onProduce: (req) =>
        req.index === 0 ? { partitions: { errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER } } : undefined,
    });
    const p = newProducer(broker, { batchSize: ONE_RECORD_PER_BATCH });
    const mds = await p.send(records('new-', 5));

    expect(log.values(TOPIC, 0)).toEqual(names('new-', 5));
    expect(offsets(mds)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(log.batches(TOPIC, 0).map((b) => b.baseSequence)).toEqual([0, 1, 2, 3, 4]);
    const requests = broker.produceRequests.map((r) => r.partitions.map((x) => x.baseSequence));
    expect(requests.slice(0, 2)).toEqual([[0], [0]]); // the refused batch alone, then again
  });

  it('refreshes metadata on NOT_LEADER_OR_FOLLOWER and resends to the new leader', async () => {
    const log = new FakeLog({ topics: { [TOPIC]: 1 } });
    let leader = 1;
    const view: FakeClusterView = { brokers: [], leader: () => leader };
    const { broker: b1 } = await startBroker({ log, nodeId: 1, cluster: () => view });
    const { broker: b2 } = await startBroker({ log, nodeId: 2, cluster: () => view });
    view.brokers = [b1.node, b2.node];

    const p = newProducer(b1);
    expect((await p.send({ topic: TOPIC, partition: 0, value: 'before' })).offset).toBe(0n);
    const metadataBefore = b1.count(METADATA) + b2.count(METADATA);

    leader = 2; // the producer does not know yet: broker 1 answers NOT_LEADER_OR_FOLLOWER
    const md = await p.send({ topic: TOPIC, partition: 0, value: 'after' });

    expect(md.offset).toBe(1n);
    expect(b1.count(METADATA) + b2.count(METADATA)).toBeGreaterThan(metadataBefore);
    expect(b1.produceRequests[1].partitions[0].values).toEqual(['after']);
    expect(b2.produceRequests.map((r) => r.partitions[0].values)).toEqual([['after']]);
    expect(log.values(TOPIC, 0)).toEqual(['before', 'after']);
  });

  it('fails a batch that gets a fresh gap (OUT_OF_ORDER_SEQUENCE_NUMBER) and goes on under a new epoch', async () => {
    const { broker, log } = await startBroker({
      onProduce: (req) =>
        req.partitions[0].values[0] === 'lost'
          ? { partitions: { errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER } }
          : undefined,
    });
    const p = newProducer(broker);
    expect((await p.send({ topic: TOPIC, partition: 0, value: 'kept' })).offset).toBe(0n);
    await expect(p.send({ topic: TOPIC, partition: 0, value: 'lost' })).rejects.toMatchObject({
      code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
      topic: TOPIC,
      partition: 0,
    });
    expect((await p.send({ topic: TOPIC, partition: 0, value: 'next' })).offset).toBe(1n);
    expect(log.initRequests.at(-1)).toEqual({ producerId: 1000n, producerEpoch: 0 });
    expect(log.batches(TOPIC, 0).map((b) => [b.producerEpoch, b.baseSequence, b.values[0]])).toEqual([
      [0, 0, 'kept'],
      [1, 0, 'next'],
    ]);
  });

  it('rejects exactly the batch refused with a non-retriable error and delivers the other partition', async () => {
    const { broker, log } = await startBroker({
      onProduce: () => ({
        partitions: (part) =>
          part.values.includes('bad') ? { errorCode: ErrorCode.INVALID_RECORD, errorMessage: 'no' } : 'log',
      }),
    });
    const p = newProducer(broker);
    const good = p.send([
      { topic: TOPIC, partition: 0, value: 'good-0' },
      { topic: TOPIC, partition: 0, value: 'good-1' },
    ]);
    const bad = p.send({ topic: TOPIC, partition: 1, value: 'bad' });

    const err = await bad.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaError);
    expect(err).toMatchObject({
      code: ErrorCode.INVALID_RECORD,
      topic: TOPIC,
      partition: 1,
      retriable: false,
    });
    expect((err as Error).message).toMatch(/topic orders, partition 1/);
    expect(offsets(await good)).toEqual([0n, 1n]);
    // Both partitions went in one request; the refused batch was not retried.
    expect(broker.produceRequests).toHaveLength(1);
    expect(broker.produceRequests[0].partitions.map((x) => x.partition)).toEqual([0, 1]);
    expect(log.values(TOPIC, 0)).toEqual(['good-0', 'good-1']);
    expect(log.values(TOPIC, 1)).toEqual([]);
  });

  // The Java producer renumbers the partition's later batches when a batch fails for good
  // (TransactionManager.adjustSequencesDueToFailedBatch), so the broker sees no gap.
  it('delivers later records of a partition after one of its batches was refused for good', async () => {
    const { broker, log } = await startBroker({
      onProduce: () => ({
        partitions: (part) => (part.values.includes('bad') ? { errorCode: ErrorCode.INVALID_RECORD } : 'log'),
      }),
    });
    const p = newProducer(broker, { requestTimeoutMs: 300, deliveryTimeoutMs: 600 });
    await expect(p.send({ topic: TOPIC, partition: 0, value: 'bad' })).rejects.toMatchObject({
      code: ErrorCode.INVALID_RECORD,
    });
    const outcome = await p.send({ topic: TOPIC, partition: 0, value: 'next' }).catch((e: unknown) => e);
    const requests = broker.count(PRODUCE);
    expect(outcome).toMatchObject({ offset: 0n });
    expect(requests).toBeLessThan(10);
    expect(log.values(TOPIC, 0)).toEqual(['next']);
  });

  it('renumbers and delivers the batches in flight behind a batch refused for good', async () => {
    const { broker, log } = await startBroker({
      onProduce: async (req) => {
        if (req.index !== 1) return undefined;
        await until(() => broker.count(PRODUCE) >= 5); // the refused batch and 3 behind it
        return { partitions: { errorCode: ErrorCode.INVALID_RECORD } };
      },
    });
    const p = newProducer(broker, { batchSize: ONE_RECORD_PER_BATCH });
    await p.send({ topic: TOPIC, partition: 0, value: 'first' });
    const bad = p.send({ topic: TOPIC, partition: 0, value: 'bad' });
    const rest = p.send(records('behind-', 3));
    await expect(bad).rejects.toMatchObject({ code: ErrorCode.INVALID_RECORD, partition: 0 });
    expect(offsets(await rest)).toEqual([1n, 2n, 3n]);
    expect(log.batches(TOPIC, 0).map((b) => [b.baseSequence, b.values[0]])).toEqual([
      [0, 'first'],
      [1, 'behind-0'],
      [2, 'behind-1'],
      [3, 'behind-2'],
    ]);
    expect(broker.count(PRODUCE)).toBeLessThan(13);
  });

  it('splits a batch refused as MESSAGE_TOO_LARGE until the halves fit, keeping order and sequences', async () => {
    const { broker, log } = await startBroker({
      // A topic whose max.message.bytes holds two of these records.
      onProduce: (req) =>
        req.partitions.some((p) => p.recordCount > 2)
          ? { partitions: { errorCode: ErrorCode.MESSAGE_TOO_LARGE } }
          : undefined,
    });
    const p = newProducer(broker, { lingerMs: 20 });
    await p.send({ topic: TOPIC, partition: 0, value: 'first' });
    const later = new Promise<RecordMetadata[]>((resolve, reject) =>
      setTimeout(() => p.send(records('later-', 2)).then(resolve, reject), 5),
    );
    const mds = await p.send(records('big-', 7));
    expect(offsets(mds)).toEqual([1n, 2n, 3n, 4n, 5n, 6n, 7n]);
    expect(offsets(await later)).toEqual([8n, 9n]);
    expect(log.values(TOPIC, 0)).toEqual(['first', ...names('big-', 7), ...names('later-', 2)]);
    // Every batch in the log fits, and the halves carry the big batches' sequences: they run
    // on without a gap from the first batch to the last, under the first epoch.
    const logged = log.batches(TOPIC, 0);
    expect(logged.every((b) => b.values.length <= 2 && b.producerEpoch === 0)).toBe(true);
    expect(logged.length).toBeGreaterThanOrEqual(5);
    let next = 0;
    for (const b of logged) {
      expect(b.baseSequence).toBe(next);
      next += b.values.length;
    }
  });

  it('after a split, resends the batch that was in flight behind the big one once the halves are in', async () => {
    const { broker, log } = await startBroker({
      onProduce: (req) =>
        req.partitions.some((p) => p.recordCount > 2)
          ? { partitions: { errorCode: ErrorCode.MESSAGE_TOO_LARGE } }
          : undefined,
    });
    // Records of 27 bytes in a batch: 4 fill one of 170 bytes (61 of header), the 5th opens the next.
    const value = (i: number) => `v${i}`.padEnd(20, '.');
    const p = newProducer(broker, { batchSize: 170 });
    await p.send({ topic: TOPIC, partition: 0, value: value(0) });
    const mds = await p.send(
      Array.from({ length: 6 }, (_, i) => ({ topic: TOPIC, partition: 0, value: value(i + 1) })),
    );
    expect(offsets(mds)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(log.values(TOPIC, 0)).toEqual(Array.from({ length: 7 }, (_, i) => value(i)));
    const sent = broker.produceRequests.map((r) => r.partitions.map((x) => [x.baseSequence, x.recordCount]));
    // The 4-record batch and the 2-record one behind it fly together; the broker refuses the
    // first as too large and the second for its gap; the halves go, then the second again.
    expect(sent.slice(1, 3)).toEqual([[[1, 4]], [[5, 2]]]);
    expect(log.batches(TOPIC, 0).map((b) => [b.baseSequence, b.values.length])).toEqual([
      [0, 1],
      [1, 2],
      [3, 2],
      [5, 2],
    ]);
  });

  it('flush() during a split resolves once every half is in, and close() after it loses nothing', async () => {
    let refused = 0;
    const { broker, log } = await startBroker({
      onProduce: (req) => {
        if (!req.partitions.some((p) => p.recordCount > 2)) return undefined;
        refused++;
        return { partitions: { errorCode: ErrorCode.MESSAGE_TOO_LARGE }, delayMs: 20 };
      },
    });
    const p = newProducer(broker, { lingerMs: 1000 });
    const sent = p.send(records('f-', 9));
    await p.flush(); // the batch lingers for a second unless flushed
    expect(refused).toBeGreaterThan(0);
    expect(log.values(TOPIC, 0)).toEqual(names('f-', 9));
    expect(offsets(await sent)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n]);
    await p.close();
  });

  it('splits without idempotence and with retries 0: a split is not a retry', async () => {
    const { broker, log } = await startBroker({
      onProduce: (req) =>
        req.partitions.some((p) => p.recordCount > 1)
          ? { partitions: { errorCode: ErrorCode.MESSAGE_TOO_LARGE } }
          : undefined,
    });
    const p = newProducer(broker, { acks: 1, enableIdempotence: false, retries: 0, lingerMs: 20 });
    const mds = await p.send(records('one-', 5));
    expect(offsets(mds)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(log.values(TOPIC, 0)).toEqual(names('one-', 5));
    expect(log.batches(TOPIC, 0).every((b) => b.values.length === 1)).toBe(true);
  });

  it('bumps the epoch on UNKNOWN_PRODUCER_ID and resends under it with sequences from 0', async () => {
    const { broker, log } = await startBroker({
      logOptions: { unknownProducerError: ErrorCode.UNKNOWN_PRODUCER_ID },
    });
    const p = newProducer(broker);
    expect(offsets(await p.send(records('a', 2)))).toEqual([0n, 1n]);
    log.forgetProducer(1000n); // retention removed the producer's last records

    const mds = await p.send(records('b', 2));

    expect(offsets(mds)).toEqual([2n, 3n]);
    expect(log.initRequests).toEqual([
      { producerId: -1n, producerEpoch: -1 },
      { producerId: 1000n, producerEpoch: 0 }, // KIP-360: bump, keep the id
    ]);
    const sent = broker.produceRequests.map((r) => r.partitions[0]);
    expect(sent.map((s) => [s.producerEpoch, s.baseSequence])).toEqual([
      [0, 0],
      [0, 2],
      [1, 0],
    ]);
    expect(log.values(TOPIC, 0)).toEqual(['a0', 'a1', 'b0', 'b1']);
  });

  it('bumps the epoch when the broker answers UNKNOWN_PRODUCER_ID to the first batch', async () => {
    const { broker, log } = await startBroker({
      onProduce: (req) =>
        req.index === 0 ? { partitions: { errorCode: ErrorCode.UNKNOWN_PRODUCER_ID } } : undefined,
    });
    const p = newProducer(broker, { batchSize: ONE_RECORD_PER_BATCH });
    const mds = await p.send(records('u', 3));
    expect(offsets(mds)).toEqual([0n, 1n, 2n]);
    expect(log.initRequests.at(-1)).toEqual({ producerId: 1000n, producerEpoch: 0 });
    expect(log.batches(TOPIC, 0).map((b) => [b.producerEpoch, b.baseSequence])).toEqual([
      [1, 0],
      [1, 1],
      [1, 2],
    ]);
    expect(log.values(TOPIC, 0)).toEqual(names('u', 3));
  });

  it('waits for a slow answer within requestTimeoutMs without resending', async () => {
    const { broker, log } = await startBroker({
      onProduce: (req) => (req.index === 0 ? { delayMs: 300 } : undefined),
    });
    const p = newProducer(broker);
    const started = Date.now();
    expect(offsets(await p.send(records('slow-', 2)))).toEqual([0n, 1n]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(broker.count(PRODUCE)).toBe(1);
    expect(log.values(TOPIC, 0)).toEqual(names('slow-', 2));
  });

  it('keeps serving after the broker answers and then drops the connection', async () => {
    const { broker, log } = await startBroker({
      onProduce: (req) => (req.index === 0 ? { connection: 'reply-then-drop' } : undefined),
    });
    const p = newProducer(broker);
    expect(offsets(await p.send(records('x', 2)))).toEqual([0n, 1n]);
    await until(() => broker.sockets.size === 0);
    expect(offsets(await p.send(records('y', 2)))).toEqual([2n, 3n]);
    expect(log.values(TOPIC, 0)).toEqual(['x0', 'x1', 'y0', 'y1']);
    expect(broker.count(PRODUCE)).toBe(2);
  });

  it('flushes lingering records on close()', async () => {
    const { broker, log } = await startBroker();
    const p = newProducer(broker, { lingerMs: 10_000, deliveryTimeoutMs: 20_000 });
    const warmUp = p.send({ topic: TOPIC, partition: 1, value: 'warm-up' }); // learns the topic
    await p.flush();
    expect((await warmUp).offset).toBe(0n);

    const onP0 = p.send(records('l', 3));
    const onP1 = p.send({ topic: TOPIC, partition: 1, value: 'l-p1' });
    await new Promise((r) => setTimeout(r, 50));
    expect(broker.count(PRODUCE)).toBe(1); // lingering, not sent
    const started = Date.now();
    await p.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(offsets(await onP0)).toEqual([0n, 1n, 2n]);
    expect((await onP1).offset).toBe(1n);
    expect(log.values(TOPIC, 0)).toEqual(names('l', 3));
    expect(log.values(TOPIC, 1)).toEqual(['warm-up', 'l-p1']);
    await expect(p.send({ topic: TOPIC, value: 'late' })).rejects.toThrow(/closed/);
  });

  it('settles every record within the close timeout when the broker is gone', async () => {
    const { broker, log } = await startBroker();
    const p = newProducer(broker, { deliveryTimeoutMs: 10_000 });
    await p.send({ topic: TOPIC, partition: 0, value: 'first' });
    await broker.stop();
    brokers.length = 0;

    const sends = [p.send(records('gone-', 3)), p.send({ topic: TOPIC, partition: 1, value: 'gone-p1' })];
    const started = Date.now();
    const closed = p.close({ timeoutMs: 300 });
    const results = await Promise.allSettled(sends);
    expect(Date.now() - started).toBeLessThan(300 + 250);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
    }
    await closed;
    expect(Date.now() - started).toBeLessThan(300 + 1000);
    expect(log.values(TOPIC, 0)).toEqual(['first']);
  });

  it('with acks=0 expects no answer and reports offsets as -1', async () => {
    const { broker, log } = await startBroker();
    const p = newProducer(broker, { acks: 0 });
    expect(p.config.enableIdempotence).toBe(false);
    const mds = await p.send(records('z', 3));
    expect(offsets(mds)).toEqual([-1n, -1n, -1n]);
    await until(() => log.values(TOPIC, 0).length === 3);
    expect(log.values(TOPIC, 0)).toEqual(names('z', 3));
    expect(broker.produceRequests.map((r) => r.acks)).toEqual([0]);
    expect(log.batches(TOPIC, 0)[0].producerId).toBe(-1n);
  });
});

/**
 * Bugs in src/producer found with the fake broker, now fixed. Each test states the behaviour
 * the Java producer has; the comment above it says what went wrong before the fix.
 */
describe('Producer: regressions of bugs staged with the fake broker', () => {
  // sender.ts sendRequest: a produce may wait requestTimeoutMs + NETWORK_MARGIN_MS (5 s) for its
  // answer, and drain() only expires batches still queued, not in flight: records to a broker
  // that never answers settle after ~5.2 s, not by deliveryTimeoutMs (Java expires in-flight
  // batches at delivery.timeout.ms, Sender.getExpiredInflightBatches).
  it('fails records with TimeoutError by deliveryTimeoutMs when the broker never answers', async () => {
    const { broker, log } = await startBroker({
      onProduce: () => ({ partitions: 'discard', connection: 'silent' }),
    });
    const p = newProducer(broker, { requestTimeoutMs: 200, deliveryTimeoutMs: 400 });
    await p.connect();
    const started = Date.now();
    const sends = [0, 1, 2].map((i) => p.send({ topic: TOPIC, partition: i % 2, value: `t${i}` }));
    const settledIn = await Promise.race([
      Promise.allSettled(sends).then(() => Date.now() - started),
      new Promise<number>((r) => setTimeout(() => r(Number.POSITIVE_INFINITY), 400 + 500)),
    ]);
    await broker.stop(); // let whatever still waits settle before the assertions
    brokers.length = 0;
    for (const r of await Promise.allSettled(sends)) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
    }
    expect(log.values(TOPIC, 0)).toEqual([]);
    expect(settledIn).toBeLessThan(400 + 500);
  });

  // producer.ts close(): the records settle at the close timeout, but close() then awaits
  // cluster.close() → Connection.close(), which waits up to 5 s more for the unanswered request.
  it('returns from close() within its timeout when the broker stops answering', async () => {
    const { broker, log } = await startBroker({
      onProduce: (req) => (req.index === 0 ? undefined : { partitions: 'discard', connection: 'silent' }),
    });
    const p = newProducer(broker, { deliveryTimeoutMs: 10_000, requestTimeoutMs: 5000 });
    await p.send({ topic: TOPIC, partition: 0, value: 'first' });
    const sends = [p.send(records('mute-', 3))];
    await until(() => broker.count(PRODUCE) === 2);
    const started = Date.now();
    const closed = p.close({ timeoutMs: 300 });
    const results = await Promise.allSettled(sends);
    const settledIn = Date.now() - started;
    const closedIn = await Promise.race([
      closed.then(() => Date.now() - started),
      new Promise<number>((r) => setTimeout(() => r(Number.POSITIVE_INFINITY), 300 + 700)),
    ]);
    await broker.stop();
    brokers.length = 0;
    await closed;
    expect(settledIn).toBeLessThan(300 + 200);
    expect(results[0].status).toBe('rejected');
    expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(TimeoutError);
    expect(log.values(TOPIC, 0)).toEqual(['first']);
    expect(closedIn).toBeLessThan(300 + 700);
  });

  // sender.ts retryOrFail: when `retries` runs out long before deliveryTimeoutMs, the batch
  // fails with a TimeoutError "Expiring … N ms have passed since batch creation" (the broker's
  // error only as its cause). Java fails it with the broker's error (NotEnoughReplicasException).
  it('fails with the broker error, not a TimeoutError, once retries are used up', async () => {
    const { broker, log } = await startBroker({
      onProduce: () => ({ partitions: { errorCode: ErrorCode.NOT_ENOUGH_REPLICAS } }),
    });
    const p = newProducer(broker, { acks: 1, retries: 1 });
    const err = await p.send({ topic: TOPIC, partition: 0, value: 'r' }).catch((e: unknown) => e);
    expect(broker.count(PRODUCE)).toBe(2);
    expect(log.values(TOPIC, 0)).toEqual([]);
    expect(err).toBeInstanceOf(KafkaError);
    expect(err).toMatchObject({ code: ErrorCode.NOT_ENOUGH_REPLICAS, topic: TOPIC, partition: 0 });
  });

  // sender.ts drain(): during a retry's backoff no metadata refresh is asked for (the `retryAt`
  // check comes before the leader/staleness check), so when the backoff ends the batch goes to
  // the old leader again while the refresh starts beside it: one wasted round trip per
  // NOT_LEADER_OR_FOLLOWER (a connect attempt when the old leader is down). Java asks for new
  // metadata as the error arrives (Sender.completeBatch → metadata.requestUpdate()).
  it('does not resend to the broker that said NOT_LEADER_OR_FOLLOWER', async () => {
    const log = new FakeLog({ topics: { [TOPIC]: 1 } });
    let leader = 1;
    const view: FakeClusterView = { brokers: [], leader: () => leader };
    const { broker: b1 } = await startBroker({ log, nodeId: 1, cluster: () => view });
    const { broker: b2 } = await startBroker({ log, nodeId: 2, cluster: () => view });
    view.brokers = [b1.node, b2.node];
    const p = newProducer(b1, { retryBackoffMs: 50, retryBackoffMaxMs: 50 });
    await p.send({ topic: TOPIC, partition: 0, value: 'before' });
    leader = 2;
    expect((await p.send({ topic: TOPIC, partition: 0, value: 'after' })).offset).toBe(1n);
    expect(log.values(TOPIC, 0)).toEqual(['before', 'after']);
    expect(b1.produceRequests.map((r) => r.partitions[0].values)).toEqual([['before'], ['after']]);
  });

  // producer.ts close(): a second call returns at once (`if (this.closing) return;`), before the
  // first has flushed and closed the connections; Java's close() blocks every caller until done.
  it('resolves a second close() only once the producer is closed', async () => {
    const { broker, log } = await startBroker();
    const p = newProducer(broker, { lingerMs: 10_000, deliveryTimeoutMs: 20_000 });
    const warmUp = p.send({ topic: TOPIC, partition: 0, value: 'warm-up' });
    await p.flush();
    await warmUp;
    let acknowledged = false;
    const lingering = p.send({ topic: TOPIC, partition: 0, value: 'lingering' }).then(() => {
      acknowledged = true;
    });
    const first = p.close();
    await p.close();
    const acknowledgedAtSecondClose = acknowledged;
    await first;
    await lingering;
    expect(log.values(TOPIC, 0)).toEqual(['warm-up', 'lingering']);
    expect(acknowledgedAtSecondClose).toBe(true);
  });
});
