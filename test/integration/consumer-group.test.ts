import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Consumer,
  type ConsumerBatch,
  type ConsumerConfig,
  Producer,
  RoundRobinAssignor,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { CreatePartitions } from '../../src/protocol/apis/index.js';
import { ConfigError } from '../../src/protocol/errors.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { PollingMember } from '../helpers/group-member.js';
import { createTopic, waitFor } from '../helpers/topics.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

/** A member that polls in the background, processes, then commits (at-least-once). */
class Member extends PollingMember {
  readonly processed: string[] = [];
  dead = false;

  constructor(groupId: string, topic: string, extra: Partial<ConsumerConfig> = {}, pattern?: RegExp) {
    super(
      new Consumer({
        bootstrapServers: brokers(),
        groupId,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 500,
        ...extra,
      }),
    );
    this.consumer.subscribe(pattern ?? [topic]);
    this.start();
  }

  protected handle(batches: ConsumerBatch[]): void {
    for (const b of batches) for (const r of b.records) this.processed.push(r.value?.toString() ?? '');
  }

  /** Dies without a LeaveGroup: no more heartbeats, connections cut. */
  async kill(): Promise<void> {
    this.running = false;
    this.dead = true;
    const internals = this.consumer as unknown as {
      group: { membership: { stopHeartbeats(): void; leave(): Promise<void> } };
      cluster: Cluster;
      closed: boolean;
    };
    internals.group.membership.stopHeartbeats();
    internals.closed = true;
    await internals.cluster.close(0);
    await this.loop.catch(() => {});
  }
}

describe('consumer groups against the real broker', () => {
  it('splits 6 partitions 2-2-2 over 3 members, and after one dies without leaving, the others take its partitions and every record is processed', async () => {
    const topic = uniqueTopic('group');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, topic, 6);
    const members = [new Member(groupId, topic), new Member(groupId, topic), new Member(groupId, topic)];
    try {
      await waitFor(
        () => members.every((m) => m.partitions().length === 2),
        'three members with two partitions each',
        30_000,
      );
      const all = members.flatMap((m) => m.partitions()).sort((a, b) => a - b);
      expect(all).toEqual([0, 1, 2, 3, 4, 5]);

      const producer = new Producer({ bootstrapServers: brokers() });
      const total = 3000;
      await producer.send(
        Array.from({ length: total / 2 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })),
      );
      await waitFor(
        () => members.reduce((n, m) => n + m.processed.length, 0) >= total / 2,
        'the first half processed',
      );

      const victim = members[2];
      const victimPartitions = victim.partitions();
      await victim.kill();
      await producer.send(
        Array.from({ length: total / 2 }, (_, i) => ({
          topic,
          key: `k${i + total / 2}`,
          value: `v${i + total / 2}`,
        })),
      );
      await producer.close();

      // After the session timeout the two survivors own all six partitions.
      await waitFor(
        () => members[0].partitions().length + members[1].partitions().length === 6,
        'the survivors to take over',
        30_000,
      );
      expect([...members[0].partitions(), ...members[1].partitions()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      expect(
        victimPartitions.every((p) => [...members[0].partitions(), ...members[1].partitions()].includes(p)),
      ).toBe(true);

      const seen = () => new Set(members.flatMap((m) => m.processed));
      await waitFor(() => seen().size === total, `all ${total} records processed`, 30_000);
      const expected = new Set(Array.from({ length: total }, (_, i) => `v${i}`));
      expect(seen()).toEqual(expected);
    } finally {
      for (const m of members) if (!m.dead) await m.stop();
    }
  });

  it('resumes from committed offsets after a restart, with round-robin assignment', async () => {
    const topic = uniqueTopic('resume');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, topic, 2);
    const producer = new Producer({ bootstrapServers: brokers() });
    await producer.send(Array.from({ length: 100 }, (_, i) => ({ topic, partition: i % 2, value: `a${i}` })));
    const first = new Member(groupId, topic, { partitionAssignmentStrategy: [RoundRobinAssignor] });
    await waitFor(() => first.processed.length === 100, 'the first 100 records');
    await first.stop(); // commits and leaves
    await producer.send(Array.from({ length: 50 }, (_, i) => ({ topic, partition: i % 2, value: `b${i}` })));
    await producer.close();
    const second = new Member(groupId, topic, { partitionAssignmentStrategy: [RoundRobinAssignor] });
    try {
      await waitFor(() => second.processed.length >= 50, 'the next 50 records');
      await new Promise((r) => setTimeout(r, 500));
      expect(second.processed.sort()).toEqual(Array.from({ length: 50 }, (_, i) => `b${i}`).sort());
    } finally {
      await second.stop();
    }
  });

  it('auto-commits delivered offsets on close', async () => {
    const topic = uniqueTopic('autocommit');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, topic, 1);
    const producer = new Producer({ bootstrapServers: brokers() });
    await producer.send(Array.from({ length: 20 }, (_, i) => ({ topic, value: `v${i}` })));
    await producer.close();
    const a = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
    });
    a.subscribe([topic]);
    let n = 0;
    while (n < 20) for (const b of await a.poll({ timeoutMs: 500 })) n += b.records.length;
    await a.close();
    const b = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
    });
    b.subscribe([topic]);
    try {
      await b.poll({ timeoutMs: 1500 });
      expect(b.position({ topic, partition: 0 })).toBe(20n);
    } finally {
      await b.close();
    }
  });

  it('rebalances when a subscribed topic grows, and reads the new partitions', async () => {
    const topic = uniqueTopic('grow');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, topic, 1);
    const member = new Member(groupId, topic, { metadataMaxAgeMs: 500 });
    try {
      await waitFor(() => member.partitions().length === 1, 'the first assignment');
      const conn = await cluster.anyConnection();
      const res = await conn.send(CreatePartitions, {
        topics: [{ name: topic, count: 3 }],
        timeoutMs: 30_000,
      });
      expect(res.results[0].errorCode).toBe(0);
      await waitFor(() => member.partitions().length === 3, 'the grown assignment', 30_000);
      await cluster.refresh([topic]);
      const producer = new Producer({ bootstrapServers: brokers() });
      await producer.send({ topic, partition: 2, value: 'in the new partition' });
      await producer.close();
      await waitFor(() => member.processed.includes('in the new partition'), 'the record of partition 2');
    } finally {
      await member.stop();
    }
  });

  it('subscribes by pattern and picks up a new matching topic', async () => {
    const prefix = uniqueTopic('pattern');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, `${prefix}-a`, 1);
    const member = new Member(groupId, '', { metadataMaxAgeMs: 500 }, new RegExp(`^${prefix}-`));
    try {
      await waitFor(() => member.consumer.assignment().length === 1, 'the first match');
      await createTopic(cluster, `${prefix}-b`, 2);
      await waitFor(() => member.consumer.assignment().length === 3, 'the new match', 30_000);
      const producer = new Producer({ bootstrapServers: brokers() });
      await producer.send({ topic: `${prefix}-b`, partition: 1, value: 'matched' });
      await producer.close();
      await waitFor(() => member.processed.includes('matched'), 'the record of the new topic');
    } finally {
      await member.stop();
    }
  });

  it('gives a static member its partitions back after a restart within the session timeout, without a rebalance', async () => {
    const topic = uniqueTopic('static');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, topic, 4);
    const options = { sessionTimeoutMs: 15_000 };
    let a = new Member(groupId, topic, { ...options, groupInstanceId: 'instance-a' });
    const b = new Member(groupId, topic, { ...options, groupInstanceId: 'instance-b' });
    try {
      await waitFor(() => a.partitions().length === 2 && b.partitions().length === 2, 'a 2-2 split');
      const before = a.partitions();
      const generation = () =>
        (b.consumer as unknown as { group: { membership: { generation: number } } }).group.membership
          .generation;
      const genBefore = generation();
      await a.stop(); // a static member does not leave the group on close
      a = new Member(groupId, topic, { ...options, groupInstanceId: 'instance-a' });
      await waitFor(() => a.partitions().length === 2, 'the restarted member to get its partitions');
      expect(a.partitions()).toEqual(before);
      await new Promise((r) => setTimeout(r, 1500)); // several heartbeats of b
      expect(generation()).toBe(genBefore);
      expect(b.partitions().length).toBe(2);
    } finally {
      await a.stop();
      await b.stop();
    }
  });

  it('refuses subscribe without a groupId', () => {
    const c = new Consumer({ bootstrapServers: brokers() });
    expect(() => c.subscribe(['t'])).toThrow(ConfigError);
  });
});
