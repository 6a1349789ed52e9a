/**
 * Helpers of the transaction tests: waiting for a partition's last stable offset to catch up
 * (commit and abort return before the markers are written), and the transactional-producer
 * scenarios shared by the transaction-version-2 run (the shared broker) and the classic run (a
 * broker formatted with transaction.version=1).
 */
import { expect, it } from 'vitest';
import { Admin, Consumer, Producer } from '../../src/index.js';
import type { Cluster } from '../../src/network/cluster.js';
import { ListOffsets, ListOffsetsTimestamp } from '../../src/protocol/apis/index.js';
import {
  ProducerFencedError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionStateError,
  TransactionTimedOutError,
} from '../../src/protocol/errors.js';
import { uniqueTopic } from '../harness/kafka.js';
import { readAllPartitions } from './read-back.js';
import { createTopic, waitFor } from './topics.js';

/** Latest offset of each partition, read uncommitted (high watermark) or committed (LSO). */
export async function latestOffsets(
  cluster: Cluster,
  topic: string,
  partitions: number,
  isolationLevel: 0 | 1,
): Promise<bigint[]> {
  await cluster.refresh([topic]);
  const out: bigint[] = [];
  for (let partition = 0; partition < partitions; partition++) {
    const leader = cluster.leaderFor(topic, partition);
    if (leader === undefined) throw new Error(`no leader for ${topic}-${partition}`);
    const res = await cluster.sendTo(leader, ListOffsets, {
      replicaId: -1,
      isolationLevel,
      topics: [
        { name: topic, partitions: [{ partitionIndex: partition, timestamp: ListOffsetsTimestamp.latest }] },
      ],
    });
    const p = res.topics[0]?.partitions[0];
    if (p?.errorCode !== 0) throw new Error(`ListOffsets ${topic}-${partition}: error ${p?.errorCode}`);
    out.push(p.offset);
  }
  return out;
}

/** Waits until no transaction is open on the topic: every last stable offset reached the end. */
export async function waitStable(cluster: Cluster, topic: string, partitions: number, timeoutMs = 30_000) {
  await waitFor(
    async () => {
      const [hw, lso] = await Promise.all([
        latestOffsets(cluster, topic, partitions, 0),
        latestOffsets(cluster, topic, partitions, 1),
      ]);
      return hw.every((h, i) => h === lso[i]);
    },
    `the last stable offsets of ${topic} to reach the end`,
    timeoutMs,
  );
}

/** Values of every partition, in offset order, as a read_committed (1) or uncommitted (0) reader sees them. */
export async function valuesByPartition(
  cluster: Cluster,
  topic: string,
  isolationLevel: 0 | 1,
): Promise<string[][]> {
  const all = await readAllPartitions(cluster, topic, { isolationLevel });
  return [...all.keys()].sort((a, b) => a - b).map((p) => (all.get(p) ?? []).map((r) => String(r.value)));
}

/** Reads every partition with a kafkawire consumer (assign, from the earliest) until `count` values came. */
export async function consumeValues(
  bootstrap: string,
  topic: string,
  partitions: number,
  count: number,
  isolationLevel: 'read_committed' | 'read_uncommitted',
): Promise<string[][]> {
  const consumer = new Consumer({ bootstrapServers: bootstrap, isolationLevel, autoOffsetReset: 'earliest' });
  const out: string[][] = Array.from({ length: partitions }, () => []);
  try {
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
    let seen = 0;
    const until = Date.now() + 30_000;
    while (seen < count && Date.now() < until) {
      for (const b of await consumer.poll({ timeoutMs: 500 })) {
        for (const r of b.records) out[b.partition].push(String(r.value));
        seen += b.records.length;
      }
    }
    // Anything beyond `count` would be a record that must not be there.
    for (const b of await consumer.poll({ timeoutMs: 300 }))
      for (const r of b.records) out[b.partition].push(String(r.value));
  } finally {
    await consumer.close();
  }
  return out;
}

/**
 * The scenarios every transaction flow must pass. `bootstrap` and `cluster` are read when the
 * tests run (the broker may start in a beforeAll).
 */
export function transactionScenarios(bootstrap: () => string, cluster: () => Cluster, v2: boolean): void {
  const producer = (id: string, extra: Record<string, unknown> = {}) =>
    new Producer({ bootstrapServers: bootstrap(), transactionalId: id, lingerMs: 2, ...extra });

  it(`uses the ${v2 ? 'transaction version 2' : 'classic (AddPartitionsToTxn)'} flow`, async () => {
    const p = producer(uniqueTopic('tx-flow'));
    try {
      await p.initTransactions();
      expect((p as unknown as { txn: { transactionV2: boolean } }).txn.transactionV2).toBe(v2);
    } finally {
      await p.close();
    }
  });

  for (const compressionType of ['none', 'lz4'] as const) {
    it(`commits and aborts interleaved transactions: read_committed sees exactly the committed ones, in order (${compressionType})`, async () => {
      const topic = uniqueTopic('tx-mixed');
      await createTopic(cluster(), topic, 2);
      const tx = producer(uniqueTopic('tx-mixed-id'), { compressionType });
      const plain = new Producer({ bootstrapServers: bootstrap(), lingerMs: 2, compressionType });
      const committed: string[][] = [[], []];
      const everything: string[][] = [[], []];
      try {
        await tx.initTransactions();
        for (let t = 0; t < 8; t++) {
          tx.beginTransaction();
          const sends = [];
          for (let i = 0; i < 25; i++) {
            const partition = (t + i) % 2;
            const value = `t${t}-${i}`;
            sends.push(tx.send({ topic, partition, value }));
            everything[partition].push(value);
            if (t % 3 !== 1) committed[partition].push(value);
          }
          if (t % 3 === 1) {
            await Promise.all(sends); // written, then aborted
            await tx.abortTransaction();
          } else {
            await tx.commitTransaction();
            await Promise.all(sends);
          }
          // Non-transactional records between the transactions are always visible.
          const partition = t % 2;
          await plain.send({ topic, partition, value: `plain-${t}` });
          committed[partition].push(`plain-${t}`);
          everything[partition].push(`plain-${t}`);
        }
        await waitStable(cluster(), topic, 2);
        expect(await valuesByPartition(cluster(), topic, 1)).toEqual(committed);
        expect(await valuesByPartition(cluster(), topic, 0)).toEqual(everything);
        const total = committed[0].length + committed[1].length;
        expect(await consumeValues(bootstrap(), topic, 2, total, 'read_committed')).toEqual(committed);
      } finally {
        await tx.close();
        await plain.close();
      }
    });
  }

  it('fences the older producer of a transactionalId: its open transaction never becomes visible', async () => {
    const topic = uniqueTopic('tx-fence');
    await createTopic(cluster(), topic, 1);
    const id = uniqueTopic('tx-fence-id');
    const older = producer(id);
    const newer = producer(id);
    try {
      await older.initTransactions();
      older.beginTransaction();
      await older.send([
        { topic, value: 'zombie-1' },
        { topic, value: 'zombie-2' },
      ]);
      await newer.initTransactions(); // aborts the older one's open transaction
      newer.beginTransaction();
      await newer.send({ topic, value: 'newer-1' });
      await newer.commitTransaction();

      // The older one's next call fails as fenced, and so does everything after it.
      await older.send({ topic, value: 'zombie-3' }).catch(() => {});
      const commit = await older.commitTransaction().catch((e: unknown) => e);
      expect(commit).toBeInstanceOf(ProducerFencedError);
      expect(older.transactionState).toBe('fatal-error');
      await expect(older.abortTransaction()).rejects.toBeInstanceOf(ProducerFencedError);
      expect(() => older.beginTransaction()).toThrow(ProducerFencedError);

      await waitStable(cluster(), topic, 1);
      expect(await valuesByPartition(cluster(), topic, 1)).toEqual([['newer-1']]);
      expect(await consumeValues(bootstrap(), topic, 1, 1, 'read_committed')).toEqual([['newer-1']]);
    } finally {
      await older.close();
      await newer.close();
    }
  });

  it('refuses calls in the wrong state with typed errors and sends nothing of them', async () => {
    const topic = uniqueTopic('tx-state');
    await createTopic(cluster(), topic, 1);
    const tx = producer(uniqueTopic('tx-state-id'));
    const plain = new Producer({ bootstrapServers: bootstrap() });
    try {
      await expect(tx.send({ topic, value: 'x' })).rejects.toBeInstanceOf(TransactionStateError); // before init
      await tx.initTransactions();
      await expect(
        tx.send([
          { topic, value: 'a' },
          { topic, value: 'b' },
        ]),
      ).rejects.toThrow(/beginTransaction\(\) first/);
      await expect(tx.commitTransaction()).rejects.toBeInstanceOf(TransactionStateError);
      await expect(tx.abortTransaction()).rejects.toBeInstanceOf(TransactionStateError);
      tx.beginTransaction();
      expect(() => tx.beginTransaction()).toThrow(TransactionStateError);
      await tx.send({ topic, value: 'in' });
      await tx.commitTransaction();
      await expect(tx.commitTransaction()).rejects.toThrow(/no transaction is open/);
      const group = { groupId: 'g', generationId: -1, memberId: '', groupInstanceId: null };
      await expect(
        plain.sendOffsetsToTransaction([{ topic, partition: 0, offset: 1 }], group),
      ).rejects.toThrow(/needs a producer with a transactionalId/);
      expect(() => plain.beginTransaction()).toThrow(TransactionStateError);
      await expect(plain.initTransactions()).rejects.toBeInstanceOf(TransactionStateError);
      await waitStable(cluster(), topic, 1);
      expect(await valuesByPartition(cluster(), topic, 0)).toEqual([['in']]);
    } finally {
      await tx.close();
      await plain.close();
    }
  });

  it('commits the consumer group offsets with the transaction, and not with an aborted one', async () => {
    const input = uniqueTopic('tx-in');
    const output = uniqueTopic('tx-out');
    await createTopic(cluster(), input, 1);
    await createTopic(cluster(), output, 1);
    const groupId = uniqueTopic('tx-group');
    const plain = new Producer({ bootstrapServers: bootstrap() });
    const tx = producer(uniqueTopic('tx-ctp-id'));
    const consumer = new Consumer({
      bootstrapServers: bootstrap(),
      groupId,
      enableAutoCommit: false,
      isolationLevel: 'read_committed',
      autoOffsetReset: 'earliest',
    });
    const admin = new Admin({ bootstrapServers: bootstrap() });
    try {
      await plain.send(Array.from({ length: 10 }, (_, i) => ({ topic: input, value: `in-${i}` })));
      await tx.initTransactions();
      consumer.subscribe([input]);
      const read: string[] = [];
      while (read.length < 10) {
        for (const b of await consumer.poll({ timeoutMs: 1000 }))
          for (const r of b.records) read.push(String(r.value));
      }
      const tp = { topic: input, partition: 0 };
      // An aborted transaction: neither its output nor its offsets count.
      tx.beginTransaction();
      await tx.send({ topic: output, value: 'aborted' });
      await tx.sendOffsetsToTransaction([{ ...tp, offset: 5 }], consumer.groupMetadata());
      await tx.abortTransaction();
      expect(await admin.groupOffsets(groupId)).toEqual([]);
      // A committed one: both.
      tx.beginTransaction();
      await tx.send(read.map((v) => ({ topic: output, value: v.toUpperCase() })));
      await tx.sendOffsetsToTransaction(
        [{ ...tp, offset: consumer.position(tp) ?? -1n }],
        consumer.groupMetadata(),
      );
      await tx.commitTransaction();
      await waitFor(
        async () => (await admin.groupOffsets(groupId)).some((o) => o.offset === 10n),
        'the offsets to be committed',
      );
      expect(await admin.groupOffsets(groupId)).toEqual([{ ...tp, offset: 10n }]);
      await waitStable(cluster(), output, 1);
      expect(await valuesByPartition(cluster(), output, 1)).toEqual([read.map((v) => v.toUpperCase())]);
      // A zombie member's offsets (an older generation) are refused: KIP-447.
      tx.beginTransaction();
      const stale = { ...consumer.groupMetadata(), generationId: consumer.groupMetadata().generationId - 1 };
      const refused = await tx
        .sendOffsetsToTransaction([{ ...tp, offset: 10 }], stale)
        .catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(TransactionAbortableError);
      expect(String((refused as Error).cause ?? (refused as Error).message)).toMatch(/ILLEGAL_GENERATION/);
      await tx.abortTransaction();
      expect(tx.transactionState).toBe('ready');
    } finally {
      await consumer.close();
      await tx.close();
      await plain.close();
      await admin.close();
    }
  });

  it('fails the records of an aborted transaction that were not sent yet', async () => {
    const topic = uniqueTopic('tx-unsent');
    await createTopic(cluster(), topic, 1);
    const tx = producer(uniqueTopic('tx-unsent-id'), { lingerMs: 5_000 });
    try {
      await tx.initTransactions();
      tx.beginTransaction();
      const pending = tx.send({ topic, value: 'lingering' });
      await tx.abortTransaction();
      await expect(pending).rejects.toBeInstanceOf(TransactionAbortedError);
      tx.beginTransaction();
      const ok = tx.send({ topic, value: 'next' });
      await tx.commitTransaction();
      await ok;
      await waitStable(cluster(), topic, 1);
      expect(await valuesByPartition(cluster(), topic, 0)).toEqual([['next']]);
    } finally {
      await tx.close();
    }
  });

  it('aborts a transaction still open when the producer closes', async () => {
    const topic = uniqueTopic('tx-close');
    await createTopic(cluster(), topic, 1);
    const tx = producer(uniqueTopic('tx-close-id'));
    await tx.initTransactions();
    tx.beginTransaction();
    await tx.send({ topic, value: 'never-committed' });
    await tx.close();
    await waitStable(cluster(), topic, 1, 10_000); // aborted at once, not after the timeout
    expect(await valuesByPartition(cluster(), topic, 1)).toEqual([[]]);
    expect(await valuesByPartition(cluster(), topic, 0)).toEqual([['never-committed']]);
  });
  it('says so on the next call when the coordinator aborted a transaction that outlived its timeout', async () => {
    const topic = uniqueTopic('tx-timeout');
    await createTopic(cluster(), topic, 1);
    const tx = producer(uniqueTopic('tx-timeout-id'), { transactionTimeoutMs: 1000 });
    try {
      await tx.initTransactions();
      tx.beginTransaction();
      await tx.send({ topic, value: 'too-late' });
      // The coordinator looks for timed-out transactions every 10 s by default
      // (transaction.abort.timed.out.transaction.cleanup.interval.ms).
      await waitStable(cluster(), topic, 1, 40_000);
      const err = await tx.commitTransaction().catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/longer than transactionTimeoutMs \(1000 ms\)/);
      if (!v2) {
        // Without transaction version 2 the coordinator fences the epoch for good (as Java).
        expect(err).toBeInstanceOf(ProducerFencedError);
        return;
      }
      expect(err).toBeInstanceOf(TransactionTimedOutError);
      await tx.abortTransaction();
      tx.beginTransaction();
      await tx.send({ topic, value: 'next' });
      await tx.commitTransaction();
      await waitStable(cluster(), topic, 1);
      expect(await valuesByPartition(cluster(), topic, 1)).toEqual([['next']]);
    } finally {
      await tx.close();
    }
  }, 60_000);
}
