import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { Connection } from '../../src/network/connection.js';
import { ApiVersions, Metadata } from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

describe('ApiVersions and Metadata against the real broker', () => {
  let cluster: Cluster;
  const topic = uniqueTopic('metadata');

  beforeAll(async () => {
    cluster = new Cluster({ bootstrapServers: brokers(), clientId: 'kafkawire-test' });
    await cluster.connect();
    await createTopic(cluster, topic, 3);
  });
  afterAll(() => cluster.close());

  it('loads the brokers and the cluster id from the bootstrap address', () => {
    const md = cluster.metadata;
    expect(md.brokers.size).toBeGreaterThanOrEqual(1);
    expect(md.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const [host, port] = brokers().split(',')[0].split(':');
    expect([...md.brokers.values()].some((b) => b.host === host && b.port === Number(port))).toBe(true);
  });

  it('describes a created topic with a topic id and a leader per partition', () => {
    const t = cluster.metadata.topics.get(topic);
    expect(t?.topicId).not.toBe(ZERO_UUID);
    expect(t?.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
    for (const p of t?.partitions ?? []) {
      expect(cluster.metadata.brokers.has(p.leader)).toBe(true);
      expect(p.replicas).toContain(p.leader);
      expect(p.isr).toContain(p.leader);
      expect(p.leaderEpoch).toBeGreaterThanOrEqual(0);
    }
    expect(cluster.leaderFor(topic, 1)).toBe(t?.partitions[1].leader);
  });

  it('negotiates every ApiVersions version the broker accepts', async () => {
    const [host, port] = brokers().split(',')[0].split(':');
    const conn = new Connection({ host, port: Number(port) });
    await conn.connect();
    try {
      const range = conn.apiVersions.get(ApiVersions.key);
      expect(range?.max).toBeGreaterThanOrEqual(3);
      for (let v = ApiVersions.min; v <= Math.min(ApiVersions.max, range?.max ?? 0); v++) {
        const res = await conn.send(
          ApiVersions,
          { clientSoftwareName: 'kafkawire-test', clientSoftwareVersion: '0.0.0' },
          { version: v },
        );
        expect(res.errorCode).toBe(0);
        const keys = new Map(res.apiKeys.map((k) => [k.apiKey, k]));
        expect(keys.get(3)?.maxVersion).toBeGreaterThanOrEqual(12);
        expect(keys.get(0)?.maxVersion).toBeGreaterThanOrEqual(9);
        if (v >= 3) expect(res.finalizedFeatures.some((f) => f.name === 'metadata.version')).toBe(true);
      }
    } finally {
      await conn.close();
    }
  });

  it('reads the same topic at every Metadata version the broker accepts', async () => {
    const conn = await cluster.anyConnection();
    const range = conn.apiVersions.get(Metadata.key);
    const low = Math.max(Metadata.min, range?.min ?? 0);
    const high = Math.min(Metadata.max, range?.max ?? 0);
    expect(high).toBe(12);
    const expected = cluster.metadata.topics.get(topic);
    for (let v = low; v <= high; v++) {
      const res = await conn.send(
        Metadata,
        { topics: [{ name: topic }], allowAutoTopicCreation: false },
        { version: v },
      );
      expect(res.brokers.length, `v${v}`).toBe(cluster.metadata.brokers.size);
      const t = res.topics.find((x) => x.name === topic);
      expect(t?.errorCode, `v${v}`).toBe(0);
      expect(t?.partitions.map((p) => p.leaderId).sort(), `v${v}`).toEqual(
        expected?.partitions.map((p) => p.leader).sort(),
      );
      if (v >= 10) expect(t?.topicId, `v${v}`).toBe(expected?.topicId);
      if (v >= 2) expect(res.clusterId, `v${v}`).toBe(cluster.metadata.clusterId);
    }
  });

  it('reports a topic that does not exist as UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const missing = uniqueTopic('missing');
    const md = await cluster.refresh([missing]);
    expect(md.topics.get(missing)?.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});
