import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/admin/admin.js';
import { Consumer, Producer } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { waitFor } from '../helpers/topics.js';

let admin: Admin;
beforeAll(async () => {
  admin = new Admin({ bootstrapServers: brokers() });
  await admin.connect();
});
afterAll(() => admin.close());

describe('Admin client against the real broker', () => {
  it('creates, lists, describes, grows and deletes topics, reporting errors per topic', async () => {
    const a = uniqueTopic('admin-a');
    const b = uniqueTopic('admin-b');
    const created = await admin.createTopics([
      { name: a, numPartitions: 2, configs: { 'retention.ms': '3600000' } },
      { name: b },
    ]);
    expect(created.map((r) => r.error)).toEqual([null, null]);
    const again = await admin.createTopics([{ name: a }]);
    expect(again[0].error?.code).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    const dry = await admin.createTopics([{ name: uniqueTopic('dry') }], { validateOnly: true });
    expect(dry[0].error).toBeNull();

    await waitFor(async () => (await admin.listTopics()).includes(a), 'the topic to be listed');
    const [desc] = await admin.describeTopics([a]);
    expect(desc.error).toBeNull();
    expect(desc.partitions.map((p) => p.partition)).toEqual([0, 1]);
    expect(desc.partitions[0].isr).toContain(desc.partitions[0].leader);
    expect(desc.topicId).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const grown = await admin.createPartitions({ [a]: 4 });
    expect(grown[0].error).toBeNull();
    await waitFor(
      async () => (await admin.describeTopics([a]))[0].partitions.length === 4,
      'four partitions',
    );
    const shrink = await admin.createPartitions({ [a]: 2 });
    expect(shrink[0].error?.code).toBe(ErrorCode.INVALID_PARTITIONS);

    const deleted = await admin.deleteTopics([b, uniqueTopic('never-existed')]);
    expect(deleted[0].error).toBeNull();
    expect(deleted[1].error?.code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    await waitFor(async () => !(await admin.listTopics()).includes(b), 'the topic to go');
    const [gone] = await admin.describeTopics([b]);
    expect(gone.error?.code).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('describes and alters topic and broker configs', async () => {
    const t = uniqueTopic('configs');
    await admin.createTopics([{ name: t, configs: { 'retention.ms': '3600000' } }]);
    // Metadata reaches every broker shortly after the controller created the topic.
    await waitFor(async () => {
      const [cfg] = await admin.describeConfigs([{ type: 'topic', name: t }]);
      return cfg.entries.find((e) => e.name === 'retention.ms')?.value === '3600000';
    }, 'the topic config');
    await admin.alterConfigs({ type: 'topic', name: t }, [
      { name: 'retention.ms', op: 'set', value: '7200000' },
      { name: 'cleanup.policy', op: 'set', value: 'compact' },
    ]);
    // The controller commits the change; the broker answering DescribeConfigs applies it a
    // moment later (KRaft metadata propagation), so read until it shows.
    const configOf = async (name: string) =>
      (await admin.describeConfigs([{ type: 'topic', name: t }]))[0].entries.find((e) => e.name === name)
        ?.value;
    await expect.poll(() => configOf('retention.ms'), { timeout: 10_000 }).toBe('7200000');
    expect(await configOf('cleanup.policy')).toBe('compact');
    await admin.alterConfigs({ type: 'topic', name: t }, [{ name: 'retention.ms', op: 'delete' }]);
    await expect.poll(() => configOf('retention.ms'), { timeout: 10_000 }).toBe('604800000');
    await expect(
      admin.alterConfigs({ type: 'topic', name: t }, [{ name: 'retention.ms', op: 'set', value: 'soon' }]),
    ).rejects.toMatchObject({ code: ErrorCode.INVALID_CONFIG });
    const cluster = await admin.describeCluster();
    const [broker] = await admin.describeConfigs([
      { type: 'broker', name: String(cluster.brokers[0].nodeId) },
    ]);
    expect(broker.entries.some((e) => e.name === 'num.partitions')).toBe(true);
  });

  it('describes the cluster and each broker’s API versions', async () => {
    const c = await admin.describeCluster();
    expect(c.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(c.brokers.length).toBeGreaterThanOrEqual(1);
    const versions = await admin.apiVersions();
    const first = versions.get(c.brokers[0].nodeId);
    expect(first?.find((v) => v.name === 'Produce')?.max).toBeGreaterThanOrEqual(11);
  });

  it('lists offsets, deletes records, and reports group offsets, lag and resets', async () => {
    const topic = uniqueTopic('lag');
    const groupId = uniqueTopic('lag-group');
    await admin.createTopics([{ name: topic, numPartitions: 2 }]);
    const producer = new Producer({ bootstrapServers: brokers() });
    await producer.send(Array.from({ length: 100 }, (_, i) => ({ topic, partition: i % 2, value: `v${i}` })));

    const latest = await admin.topicOffsets(topic, 'latest');
    expect(latest.map((o) => o.offset)).toEqual([50n, 50n]);
    expect((await admin.topicOffsets(topic, 'earliest')).map((o) => o.offset)).toEqual([0n, 0n]);

    // A consumer reads 30 records of partition 0 and commits.
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      maxPollRecords: 30,
      sessionTimeoutMs: 6000,
      heartbeatIntervalMs: 500,
    });
    consumer.subscribe([topic]);
    let read = 0;
    while (read < 30) for (const b of await consumer.poll({ timeoutMs: 500 })) read += b.records.length;
    await consumer.commit();
    const described = await admin.describeGroups([groupId]);
    expect(described[0].members).toHaveLength(1);
    expect(described[0].members[0].assignment.length).toBe(2);
    expect((await admin.listGroups()).some((g) => g.groupId === groupId)).toBe(true);
    await consumer.close();

    const lag = await admin.groupLag(groupId, [topic]);
    expect(lag.total).toBe(70n);
    expect((await admin.groupOffsets(groupId)).reduce((n, o) => n + o.offset, 0n)).toBe(30n);

    // Lag goes to zero when the offsets are reset to the end; back to 100 at the start.
    await waitFor(
      async () => (await admin.describeGroups([groupId]))[0].state === 'Empty',
      'the group to be empty',
    );
    await admin.resetGroupOffsets(groupId, topic, 'latest');
    expect((await admin.groupLag(groupId, [topic])).total).toBe(0n);
    await admin.resetGroupOffsets(groupId, topic, 'earliest');
    expect((await admin.groupLag(groupId, [topic])).total).toBe(100n);
    await admin.resetGroupOffsets(groupId, topic, { offset: 10 }, [1]);
    expect((await admin.groupOffsets(groupId)).find((o) => o.partition === 1)?.offset).toBe(10n);
    // Like Java's tool: past the end is clamped to the end, a timestamp after the last record means the end.
    await admin.resetGroupOffsets(groupId, topic, { offset: 1000 }, [1]);
    expect((await admin.groupOffsets(groupId)).find((o) => o.partition === 1)?.offset).toBe(50n);
    await admin.resetGroupOffsets(groupId, topic, 'earliest');
    await admin.resetGroupOffsets(groupId, topic, { timestamp: Date.now() + 3_600_000 });
    expect((await admin.groupLag(groupId, [topic])).total).toBe(0n);

    const low = await admin.deleteRecords([{ topic, partition: 0, offset: 20n }]);
    expect(low[0].offset).toBe(20n);
    expect((await admin.topicOffsets(topic, 'earliest'))[0].offset).toBe(20n);

    const del = await admin.deleteGroups([groupId]);
    expect(del[0].error).toBeNull();
    await producer.close();
  });
});
