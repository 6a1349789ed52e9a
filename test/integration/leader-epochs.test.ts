/**
 * Log truncation after an unclean leader election (KIP-320), staged for real on the 3-node
 * cluster: a partition with two replicas and unclean.leader.election.enable. Both replicas get
 * records 0-9; the follower is killed and the leader alone takes 10-19, which two consumers
 * read; the leader is killed and the old follower, restarted, is elected uncleanly under a new
 * leader epoch with only 0-9. New records then take offsets 10-24 there.
 *
 * The consumer with autoOffsetReset 'earliest' validates its position with OffsetForLeaderEpoch,
 * finds the log diverged at 10, and reads every new record from there once (without the check it
 * fetched on at 20 and skipped new records 10-19, or reset to 0 and read 0-9 twice); the one with
 * 'none' gets LogTruncationError naming offset 10 until it seeks there. Each counts every record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Consumer, type LogTruncation, LogTruncationError, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { useThreeNodeCluster } from '../harness/cluster3.js';
import { uniqueTopic } from '../harness/kafka.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const kafka = useThreeNodeCluster();
let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: kafka.bootstrap(), requestTimeoutMs: 5000 });
  await cluster.connect();
}, 60_000);
afterAll(async () => {
  await cluster?.close();
});

const values = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function produce(topic: string, batch: string[]): Promise<void> {
  const p = new Producer({ bootstrapServers: kafka.bootstrap(), acks: -1, lingerMs: 0 });
  try {
    await p.send(batch.map((value) => ({ topic, partition: 0, value })));
  } finally {
    await p.close();
  }
}

interface Got {
  offset: bigint;
  value: string;
}

/** Polls until `into` holds `count` records (a poll's error fails the test). */
async function read(c: Consumer, into: Got[], count: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (into.length < count && Date.now() < deadline) {
    for (const b of await c.poll({ timeoutMs: 300 }))
      for (const r of b.records) into.push({ offset: r.offset, value: String(r.value) });
  }
  expect(into.length).toBe(count);
}

/**
 * Partition 0 as the metadata shows it. A broker that has not caught up with a topic created a
 * moment ago answers without its partitions (the refreshes rotate over the brokers): ask again.
 */
async function partition0(topic: string) {
  for (let attempt = 0; ; attempt++) {
    const p = (await cluster.refresh([topic])).topics.get(topic)?.partitions[0];
    if (p || attempt >= 50) return p;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('log truncation after an unclean leader election (KIP-320)', () => {
  it('goes back to the divergent offset, or throws LogTruncationError with none, and loses nothing', async () => {
    const topic = uniqueTopic('truncation');
    await createTopic(cluster, topic, 1, 2, {
      'unclean.leader.election.enable': 'true',
      'min.insync.replicas': '1',
    });
    await waitFor(async () => (await partition0(topic))?.isr.length === 2, 'both replicas in the ISR');
    const first = await partition0(topic);
    const leader = first?.leader as number;
    const follower = first?.replicas.find((r) => r !== leader) as number;
    expect(first?.isr.sort()).toEqual([leader, follower].sort());

    const common = values('both-', 10);
    await produce(topic, common); // offsets 0-9 on both replicas
    const tp = { topic, partition: 0 };
    const config = { bootstrapServers: kafka.bootstrap(), fetchMaxWaitMs: 200, retryBackoffMs: 100 };
    const reset = new Consumer({ ...config, autoOffsetReset: 'earliest' });
    const strict = new Consumer({ ...config, autoOffsetReset: 'none' });
    const truncations: LogTruncation[] = [];
    reset.on('logTruncated', (e) => truncations.push(e));
    const got: Got[] = [];
    const strictGot: Got[] = [];
    try {
      reset.assign([tp]);
      strict.assign([tp]);
      strict.seek(tp, 0);
      await read(reset, got, 10);
      await read(strict, strictGot, 10);

      // The follower goes; once out of the ISR the leader alone takes 10-19, which both read.
      await kafka.cluster().killNode(follower);
      await waitFor(
        async () => !(await partition0(topic))?.isr.includes(follower),
        'the ISR to shrink',
        60_000,
      );
      const lost = values('leader-only-', 10);
      await produce(topic, lost);
      await read(reset, got, 20);
      await read(strict, strictGot, 20);

      // The leader goes too; the old follower comes back and is elected without those records.
      await kafka.cluster().killNode(leader);
      // The controller fences it after broker.session.timeout.ms (6 s here): until then it would
      // wait for the dead leader rather than elect anyone.
      await new Promise((r) => setTimeout(r, 7_000));
      await kafka.cluster().startNode(follower);
      await waitFor(
        async () => (await partition0(topic))?.leader === follower,
        'the unclean election of the old follower',
        60_000,
      );
      expect((await partition0(topic))?.leaderEpoch).toBeGreaterThan(first?.leaderEpoch as number);
      const fresh = values('new-leader-', 15);
      await produce(topic, fresh); // offsets 10-24 on the new leader

      await read(reset, got, 35);
      expect(got.map((g) => g.value)).toEqual([...common, ...lost, ...fresh]);
      expect(got.slice(20).map((g) => g.offset)).toEqual(
        Array.from({ length: 15 }, (_, i) => BigInt(10 + i)),
      );
      expect(truncations).toEqual([
        { topic, partition: 0, fetchOffset: 20n, divergentOffset: 10n, resetTo: 'divergentOffset' },
      ]);

      // 'none': the error names where the logs part, at every poll, until the application seeks.
      let err: unknown = null;
      const deadline = Date.now() + 60_000;
      while (err === null && Date.now() < deadline) {
        err = await strict.poll({ timeoutMs: 300 }).then(
          (batches) => {
            expect(batches).toEqual([]); // nothing of the new leader's log before the error
            return null;
          },
          (e: unknown) => e,
        );
      }
      expect(err).toBeInstanceOf(LogTruncationError);
      expect(err).toMatchObject({ topic, partition: 0, fetchOffset: 20n, divergentOffset: 10n });
      await expect(strict.poll({ timeoutMs: 300 })).rejects.toBeInstanceOf(LogTruncationError);
      strict.seek(tp, (err as LogTruncationError).divergentOffset as bigint);
      await read(strict, strictGot, 35);
      expect(strictGot.slice(20).map((g) => g.value)).toEqual(fresh);
    } finally {
      await reset.close();
      await strict.close();
    }
  }, 240_000);
});
