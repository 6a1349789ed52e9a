/**
 * runExactlyOnce against the real broker: every input record's output exactly once in a
 * read_committed read of the output, the input offsets committed with the transactions, an
 * abortable error aborted and retried from the same offsets, a transform error, and fencing by a
 * second instance with the same transactionalId. (Kills: exactly-once-kill.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Admin,
  Consumer,
  type ConsumerBatch,
  Producer,
  ProducerFencedError,
  type ProducerRecord,
  runExactlyOnce,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';
import { createTopic, waitFor } from '../helpers/topics.js';
import { latestOffsets, valuesByPartition, waitStable } from '../helpers/transactions.js';

const PARTITIONS = 3;
let cluster: Cluster;
let admin: Admin;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
  admin = new Admin({ bootstrapServers: brokers() });
});
afterAll(async () => {
  await cluster.close();
  await admin.close();
});

async function setUp(count: number): Promise<{ input: string; output: string; groupId: string }> {
  const input = uniqueTopic('eos-in');
  const output = uniqueTopic('eos-out');
  await createTopic(cluster, input, PARTITIONS);
  await createTopic(cluster, output, PARTITIONS);
  const plain = new Producer({ bootstrapServers: brokers(), lingerMs: 5 });
  try {
    await plain.send(
      Array.from({ length: count }, (_, i) => ({ topic: input, key: `id-${i}`, value: `id-${i}` })),
    );
  } finally {
    await plain.close();
  }
  return { input, output, groupId: uniqueTopic('eos-group') };
}

function consumerOf(groupId: string, groupProtocol: 'classic' | 'consumer' = 'classic'): Consumer {
  return new Consumer({
    bootstrapServers: brokers(),
    groupId,
    enableAutoCommit: false,
    isolationLevel: 'read_committed',
    autoOffsetReset: 'earliest',
    groupProtocol,
    ...(groupProtocol === 'classic' ? { sessionTimeoutMs: 6000, heartbeatIntervalMs: 500 } : {}),
  });
}

const upper =
  (output: string) =>
  (b: ConsumerBatch): ProducerRecord[] =>
    b.records.map((r) => ({ topic: output, key: r.key, value: `${String(r.value)}-out` }));

/** Every output value, read committed, and how many times each input id appears. */
async function outputCounts(output: string): Promise<Map<string, number>> {
  await waitStable(cluster, output, PARTITIONS);
  const counts = new Map<string, number>();
  for (const values of await valuesByPartition(cluster, output, 1))
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

async function expectExactlyOnce(
  input: string,
  output: string,
  groupId: string,
  count: number,
): Promise<void> {
  const counts = await outputCounts(output);
  const missing = Array.from({ length: count }, (_, i) => `id-${i}-out`).filter((v) => !counts.has(v));
  const duplicated = [...counts].filter(([, n]) => n > 1);
  expect({ missing: missing.length, duplicated: duplicated.length, total: counts.size }).toEqual({
    missing: 0,
    duplicated: 0,
    total: count,
  });
  const ends = await latestOffsets(cluster, input, PARTITIONS, 0);
  await waitFor(async () => {
    const committed = await admin.groupOffsets(groupId);
    return committed.length === PARTITIONS && committed.every((c) => c.offset === ends[c.partition]);
  }, "the group's committed offsets to reach the input's end");
}

describe('runExactlyOnce', () => {
  const protocols = kafkaMajor() >= 4 ? (['classic', 'consumer'] as const) : (['classic'] as const);
  it.each(protocols)(
    'produces every input record once and commits the input offsets with it (%s group protocol)',
    async (protocol) => {
      const count = 900;
      const { input, output, groupId } = await setUp(count);
      // With the consumer protocol (KIP-848) the offsets go in under the member epoch.
      const consumer = consumerOf(groupId, protocol);
      const producer = new Producer({ bootstrapServers: brokers(), transactionalId: uniqueTopic('eos-tx') });
      const stop = new AbortController();
      let done = 0;
      let transactions = 0;
      try {
        const loop = runExactlyOnce({
          consumer,
          producer,
          topics: [input],
          transform: upper(output),
          signal: stop.signal,
          pollTimeoutMs: 200,
          onCommit: (c) => {
            done += c.inputRecords;
            transactions++;
            expect(c.outputRecords).toBe(c.inputRecords);
            if (done >= count) stop.abort();
          },
        });
        await loop;
        expect(done).toBe(count);
        expect(transactions).toBeGreaterThan(0);
        expect(producer.transactionState).toBe('ready');
        await expectExactlyOnce(input, output, groupId, count);
      } finally {
        await consumer.close();
        await producer.close();
      }
    },
  );

  it('aborts on an abortable error and reads the same records again', async () => {
    const count = 300;
    const { input, output, groupId } = await setUp(count);
    const consumer = consumerOf(groupId);
    const producer = new Producer({
      bootstrapServers: brokers(),
      transactionalId: uniqueTopic('eos-tx'),
      maxRequestSize: 100_000,
    });
    const stop = new AbortController();
    let done = 0;
    const aborts: Error[] = [];
    let spoiled = false;
    try {
      await runExactlyOnce({
        consumer,
        producer,
        topics: [input],
        signal: stop.signal,
        pollTimeoutMs: 200,
        transform: (b) => {
          const out = upper(output)(b);
          // Once: a record too large for maxRequestSize, refused before it is sent.
          if (!spoiled && b.records.length > 0) {
            spoiled = true;
            return [...out, { topic: output, value: Buffer.alloc(200_000) }];
          }
          return out;
        },
        onAbort: (err) => aborts.push(err),
        onCommit: (c) => {
          done += c.inputRecords;
          if (done >= count) stop.abort();
        },
      });
      expect(aborts).toHaveLength(1);
      expect(aborts[0].name).toBe('TransactionAbortableError');
      expect(String(aborts[0].message)).toMatch(/MESSAGE_TOO_LARGE/);
      await expectExactlyOnce(input, output, groupId, count);
    } finally {
      await consumer.close();
      await producer.close();
    }
  });

  it('aborts and ends with the error when transform throws', async () => {
    const { input, output, groupId } = await setUp(50);
    const consumer = consumerOf(groupId);
    const producer = new Producer({ bootstrapServers: brokers(), transactionalId: uniqueTopic('eos-tx') });
    try {
      const err = await runExactlyOnce({
        consumer,
        producer,
        topics: [input],
        transform: () => {
          throw new Error('bad input');
        },
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('bad input');
      expect(producer.transactionState).toBe('ready');
      expect(await admin.groupOffsets(groupId)).toEqual([]);
      expect(await outputCounts(output)).toEqual(new Map());
    } finally {
      await consumer.close();
      await producer.close();
    }
  });

  it('ends with ProducerFencedError when a second instance takes its transactionalId', async () => {
    const count = 600;
    const { input, output, groupId } = await setUp(count);
    const transactionalId = uniqueTopic('eos-tx');
    const first = {
      consumer: consumerOf(groupId),
      producer: new Producer({ bootstrapServers: brokers(), transactionalId }),
    };
    const second = {
      consumer: consumerOf(groupId),
      producer: new Producer({ bootstrapServers: brokers(), transactionalId }),
    };
    const stop = new AbortController();
    let committed = 0;
    try {
      let started: () => void = () => {};
      const firstCommitted = new Promise<void>((resolve) => {
        started = resolve;
      });
      // A fenced producer learns it is fenced only when it next writes. So after its first
      // commit the first instance holds its next batch until the second has taken the
      // transactionalId: left free, it could commit the rest of the input first, then poll an
      // empty topic for ever, never fenced (it did, on a loaded machine).
      let taken: () => void = () => {};
      const secondInitialized = new Promise<void>((resolve) => {
        taken = resolve;
      });
      expect(first.consumer.config.maxPollRecords).toBeLessThan(count); // a batch is left
      const heldUpper = async (b: ConsumerBatch) => {
        if (committed > 0) await secondInitialized;
        return upper(output)(b);
      };
      const firstLoop = runExactlyOnce({
        ...first,
        topics: [input],
        transform: heldUpper,
        pollTimeoutMs: 200,
        onCommit: (c) => {
          committed += c.inputRecords;
          started();
        },
      }).catch((e: unknown) => e);
      await firstCommitted;
      await second.producer.initTransactions();
      taken();
      const secondLoop = runExactlyOnce({
        ...second,
        topics: [input],
        transform: upper(output),
        signal: stop.signal,
        pollTimeoutMs: 200,
        onCommit: (c) => {
          committed += c.inputRecords;
        },
      });
      expect(await firstLoop).toBeInstanceOf(ProducerFencedError);
      await first.consumer.close(); // its partitions go to the second instance
      await waitFor(
        async () => {
          const ends = await latestOffsets(cluster, input, PARTITIONS, 0);
          const offsets = await admin.groupOffsets(groupId);
          return offsets.length === PARTITIONS && offsets.every((o) => o.offset === ends[o.partition]);
        },
        'the second instance to consume everything',
        60_000,
      );
      stop.abort();
      await secondLoop;
      await expectExactlyOnce(input, output, groupId, count);
      expect(committed).toBeGreaterThanOrEqual(count);
    } finally {
      stop.abort();
      await first.consumer.close();
      await second.consumer.close();
      await first.producer.close();
      await second.producer.close();
    }
  }, 120_000);
});
