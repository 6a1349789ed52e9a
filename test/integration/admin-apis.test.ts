/**
 * The admin APIs against the real broker, at every version both sides accept: CreatePartitions,
 * DescribeConfigs, IncrementalAlterConfigs, DeleteRecords, DescribeCluster, DeleteTopics,
 * DescribeTopicPartitions, and the ACL APIs (whose broker has no authorizer, so they answer
 * SECURITY_DISABLED). Each test uses its own topics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import type { Connection } from '../../src/network/connection.js';
import type { ApiDescriptor } from '../../src/protocol/api.js';
import {
  AclOperation,
  AclPatternType,
  AclPermissionType,
  AclResourceType,
  AlterConfigOp,
  ConfigResourceType,
  ConfigSource,
  ConfigType,
  CreateAcls,
  CreatePartitions,
  DeleteAcls,
  DeleteRecords,
  DeleteTopics,
  DescribeAcls,
  DescribeCluster,
  DescribeConfigs,
  type DescribeConfigsResourceResult,
  DescribeTopicPartitions,
  EndpointType,
  IncrementalAlterConfigs,
  ListOffsets,
  ListOffsetsTimestamp,
  Metadata,
} from '../../src/protocol/apis/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { readAll } from '../helpers/read-back.js';
import { createTopic, waitFor } from '../helpers/topics.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers(), clientId: 'kafkawire-test' });
  await cluster.connect();
});
afterAll(() => cluster.close());

/** Every version of `api` that both kafkawire and the broker behind `conn` accept. */
function sharedVersions(conn: Connection, api: ApiDescriptor<never, unknown>): number[] {
  const range = conn.apiVersions.get(api.key);
  expect(range, `the broker offers ${api.name}`).toBeDefined();
  const out: number[] = [];
  for (let v = Math.max(api.min, range?.min ?? 0); v <= Math.min(api.max, range?.max ?? -1); v++) out.push(v);
  return out;
}

async function describeTopicConfigs(
  conn: Connection,
  topic: string,
  keys: string[] | null,
  version?: number,
): Promise<Map<string, DescribeConfigsResourceResult>> {
  const res = await conn.send(
    DescribeConfigs,
    {
      resources: [{ resourceType: ConfigResourceType.topic, resourceName: topic, configurationKeys: keys }],
    },
    version === undefined ? undefined : { version },
  );
  expect(res.results).toHaveLength(1);
  expect(res.results[0].errorCode).toBe(0);
  return new Map(res.results[0].configs.map((c) => [c.name, c]));
}

describe('CreatePartitions', () => {
  it('grows a topic from 1 to 3 partitions, and metadata then shows 3', async () => {
    const topic = uniqueTopic('grow');
    await createTopic(cluster, topic, 1);
    const conn = await cluster.anyConnection();
    const res = await conn.send(CreatePartitions, { topics: [{ name: topic, count: 3 }], timeoutMs: 30_000 });
    expect(res.results).toEqual([{ name: topic, errorCode: 0, errorMessage: null }]);
    await waitFor(async () => {
      const t = (await cluster.refresh([topic])).topics.get(topic);
      return t?.partitions.length === 3 && t.partitions.every((p) => p.leader >= 0);
    }, `${topic} to have 3 partitions with leaders`);
  });

  it('validates without creating, and refuses fewer partitions with INVALID_PARTITIONS at every version', async () => {
    const topic = uniqueTopic('shrink');
    await createTopic(cluster, topic, 2);
    const conn = await cluster.anyConnection();
    const versions = sharedVersions(conn, CreatePartitions);
    expect(versions).toEqual([0, 1, 2, 3]);
    for (const v of versions) {
      const fewer = await conn.send(
        CreatePartitions,
        { topics: [{ name: topic, count: 1 }], timeoutMs: 30_000 },
        { version: v },
      );
      expect(
        fewer.results.map((r) => [r.name, r.errorCode]),
        `v${v}`,
      ).toEqual([[topic, ErrorCode.INVALID_PARTITIONS]]);
      expect(fewer.results[0].errorMessage).toBeTruthy();

      const validated = await conn.send(
        CreatePartitions,
        { topics: [{ name: topic, count: 4 }], timeoutMs: 30_000, validateOnly: true },
        { version: v },
      );
      expect(validated.results[0].errorCode, `v${v}`).toBe(0);
    }
    const unknown = uniqueTopic('no-such');
    const res = await conn.send(CreatePartitions, {
      topics: [{ name: unknown, count: 2 }],
      timeoutMs: 30_000,
    });
    expect(res.results[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const md = await cluster.refresh([topic]);
    expect(md.topics.get(topic)?.partitions).toHaveLength(2);
  });
});

describe('DescribeConfigs and IncrementalAlterConfigs', () => {
  it('describe a topic and a broker with known keys at every version', async () => {
    const topic = uniqueTopic('configs');
    await createTopic(cluster, topic, 1, 1, { 'cleanup.policy': 'compact' });
    const conn = await cluster.anyConnection();
    const versions = sharedVersions(conn, DescribeConfigs);
    expect(versions).toEqual([1, 2, 3, 4]);
    const nodeId = [...cluster.metadata.brokers.keys()][0];
    for (const v of versions) {
      const res = await conn.send(
        DescribeConfigs,
        {
          resources: [
            { resourceType: ConfigResourceType.topic, resourceName: topic, configurationKeys: null },
          ],
          includeSynonyms: true,
          includeDocumentation: v >= 3,
        },
        { version: v },
      );
      const [result] = res.results;
      expect([result.errorCode, result.resourceType, result.resourceName], `v${v}`).toEqual([
        0,
        ConfigResourceType.topic,
        topic,
      ]);
      const configs = new Map(result.configs.map((c) => [c.name, c]));
      const cleanup = configs.get('cleanup.policy');
      expect(cleanup?.value).toBe('compact');
      expect(cleanup?.configSource).toBe(ConfigSource.topicConfig);
      // With synonyms, the topic override comes first and the broker default after it.
      expect(cleanup?.synonyms[0]).toEqual({
        name: 'cleanup.policy',
        value: 'compact',
        source: ConfigSource.topicConfig,
      });
      expect(cleanup?.synonyms.map((s) => s.name)).toContain('log.cleanup.policy');
      const retention = configs.get('retention.ms');
      expect(retention?.value).toMatch(/^-?\d+$/);
      expect(retention?.configSource).not.toBe(ConfigSource.topicConfig);
      if (v >= 3) {
        expect(retention?.configType).toBe(ConfigType.long);
        expect(retention?.documentation).toBeTruthy();
      } else {
        expect(retention?.configType).toBe(ConfigType.unknown);
        expect(retention?.documentation).toBeNull();
      }
    }

    const broker = await cluster.sendTo(nodeId, DescribeConfigs, {
      resources: [
        {
          resourceType: ConfigResourceType.broker,
          resourceName: String(nodeId),
          configurationKeys: ['log.retention.ms', 'num.io.threads', 'auto.create.topics.enable'],
        },
      ],
    });
    const [result] = broker.results;
    expect(result.errorCode).toBe(0);
    const configs = new Map(result.configs.map((c) => [c.name, c]));
    expect([...configs.keys()].sort()).toEqual([
      'auto.create.topics.enable',
      'log.retention.ms',
      'num.io.threads',
    ]);
    // The test broker turns auto-creation off in its server.properties.
    expect(configs.get('auto.create.topics.enable')).toMatchObject({
      value: 'false',
      configSource: ConfigSource.staticBrokerConfig,
    });
    expect(Number(configs.get('num.io.threads')?.value)).toBeGreaterThan(0);
  });

  it('SET then DELETE of retention.ms on a topic shows in DescribeConfigs, at every version', async () => {
    const topic = uniqueTopic('alter');
    await createTopic(cluster, topic, 1);
    const conn = await cluster.anyConnection();
    const initial = (await describeTopicConfigs(conn, topic, ['retention.ms'])).get('retention.ms');
    expect(initial?.configSource).not.toBe(ConfigSource.topicConfig);
    const versions = sharedVersions(conn, IncrementalAlterConfigs);
    expect(versions).toEqual([0, 1]);
    for (const v of versions) {
      const value = String(3_600_000 * (v + 1));
      const set = await conn.send(
        IncrementalAlterConfigs,
        {
          resources: [
            {
              resourceType: ConfigResourceType.topic,
              resourceName: topic,
              configs: [{ name: 'retention.ms', configOperation: AlterConfigOp.set, value }],
            },
          ],
        },
        { version: v },
      );
      expect(set.responses, `v${v}`).toEqual([
        { errorCode: 0, errorMessage: null, resourceType: ConfigResourceType.topic, resourceName: topic },
      ]);
      await waitFor(async () => {
        const c = (await describeTopicConfigs(conn, topic, ['retention.ms'])).get('retention.ms');
        return c?.value === value && c.configSource === ConfigSource.topicConfig;
      }, `retention.ms of ${topic} to be ${value}`);

      const del = await conn.send(
        IncrementalAlterConfigs,
        {
          resources: [
            {
              resourceType: ConfigResourceType.topic,
              resourceName: topic,
              configs: [{ name: 'retention.ms', configOperation: AlterConfigOp.delete, value: null }],
            },
          ],
        },
        { version: v },
      );
      expect(del.responses[0].errorCode, `v${v}`).toBe(0);
      await waitFor(async () => {
        const c = (await describeTopicConfigs(conn, topic, ['retention.ms'])).get('retention.ms');
        return c?.value === initial?.value && c?.configSource === initial?.configSource;
      }, `retention.ms of ${topic} to be back at its default`);
    }
  });

  it('validate-only changes nothing, and a bad value is INVALID_CONFIG', async () => {
    const topic = uniqueTopic('alter-check');
    await createTopic(cluster, topic, 1);
    const conn = await cluster.anyConnection();
    const before = (await describeTopicConfigs(conn, topic, ['retention.ms'])).get('retention.ms');
    const validated = await conn.send(IncrementalAlterConfigs, {
      resources: [
        {
          resourceType: ConfigResourceType.topic,
          resourceName: topic,
          configs: [{ name: 'retention.ms', configOperation: AlterConfigOp.set, value: '1000' }],
        },
      ],
      validateOnly: true,
    });
    expect(validated.responses[0].errorCode).toBe(0);
    const bad = await conn.send(IncrementalAlterConfigs, {
      resources: [
        {
          resourceType: ConfigResourceType.topic,
          resourceName: topic,
          configs: [{ name: 'retention.ms', configOperation: AlterConfigOp.set, value: 'a week' }],
        },
      ],
    });
    expect(bad.responses[0].errorCode).toBe(ErrorCode.INVALID_CONFIG);
    expect(bad.responses[0].errorMessage).toContain('retention.ms');
    const after = (await describeTopicConfigs(conn, topic, ['retention.ms'])).get('retention.ms');
    expect(after).toEqual(before);
  });
});

describe('DeleteRecords', () => {
  it('moves the log start offset: ListOffsets earliest and the first record read follow it', async () => {
    const topic = uniqueTopic('delete-records');
    await createTopic(cluster, topic, 1);
    const producer = new Producer({ bootstrapServers: brokers() });
    try {
      await producer.send(
        Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, key: `k${i}`, value: `v${i}` })),
      );
    } finally {
      await producer.close();
    }
    const leader = cluster.leaderFor(topic, 0);
    expect(leader).toBeDefined();
    const conn = await cluster.connectionTo(leader!);
    const versions = sharedVersions(conn, DeleteRecords);
    expect(versions).toEqual([0, 1, 2]);
    // One step per version: offsets 2, 3, then 4.
    for (const [i, v] of versions.entries()) {
      const offset = BigInt(2 + i);
      const res = await conn.send(
        DeleteRecords,
        { topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset }] }], timeoutMs: 30_000 },
        { version: v },
      );
      expect(res.topics, `v${v}`).toEqual([
        { name: topic, partitions: [{ partitionIndex: 0, lowWatermark: offset, errorCode: 0 }] },
      ]);
    }
    const earliest = await conn.send(ListOffsets, {
      replicaId: -1,
      topics: [
        { name: topic, partitions: [{ partitionIndex: 0, timestamp: ListOffsetsTimestamp.earliest }] },
      ],
    });
    expect(earliest.topics[0].partitions[0]).toMatchObject({ errorCode: 0, offset: 4n });
    const { records } = await readAll(cluster, topic, 0);
    expect(records.map((r) => r.offset)).toEqual([4n, 5n, 6n, 7n, 8n, 9n]);
    expect(records[0].value?.toString()).toBe('v4');

    const beyond = await conn.send(DeleteRecords, {
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: 11n }] }],
      timeoutMs: 30_000,
    });
    expect(beyond.topics[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    // -1 deletes up to the high watermark.
    const all = await conn.send(DeleteRecords, {
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset: -1n }] }],
      timeoutMs: 30_000,
    });
    expect(all.topics[0].partitions[0]).toMatchObject({ errorCode: 0, lowWatermark: 10n });
  });
});

describe('DescribeCluster', () => {
  it("lists every broker, and its cluster id is Metadata's, at every version", async () => {
    const conn = await cluster.anyConnection();
    const md = await cluster.refresh();
    const versions = sharedVersions(conn, DescribeCluster);
    expect(versions).toEqual([0, 1]);
    for (const v of versions) {
      const res = await conn.send(
        DescribeCluster,
        { includeClusterAuthorizedOperations: false },
        { version: v },
      );
      expect(res.errorCode, `v${v}`).toBe(0);
      expect(res.clusterId).toBe(md.clusterId);
      expect(res.endpointType).toBe(EndpointType.brokers);
      const described = res.brokers.map((b) => `${b.brokerId}@${b.host}:${b.port}`).sort();
      expect(described).toEqual(
        [...md.brokers.values()].map((b) => `${b.nodeId}@${b.host}:${b.port}`).sort(),
      );
      expect(md.brokers.has(res.controllerId)).toBe(true);
      expect(res.clusterAuthorizedOperations).toBe(-2147483648);
    }
    // A broker does not describe the controllers: that question goes to a controller endpoint.
    const controllers = await conn.send(
      DescribeCluster,
      { includeClusterAuthorizedOperations: false, endpointType: EndpointType.controllers },
      { version: 1 },
    );
    expect(controllers.errorCode).toBe(ErrorCode.MISMATCHED_ENDPOINT_TYPE);
  });
});

describe('DeleteTopics', () => {
  it('deletes a topic at every version (by id from v6); metadata then reports UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const conn = await cluster.anyConnection();
    const versions = sharedVersions(conn, DeleteTopics);
    expect(versions).toEqual([1, 2, 3, 4, 5, 6]);
    for (const v of versions) {
      const topic = uniqueTopic(`delete-v${v}`);
      await createTopic(cluster, topic, 2);
      const topicId = cluster.metadata.topics.get(topic)?.topicId;
      expect(topicId).not.toBe(ZERO_UUID);
      const request = v >= 6 ? { topics: [{ name: null, topicId }] } : { topicNames: [topic] };
      const res = await conn.send(DeleteTopics, { ...request, timeoutMs: 30_000 }, { version: v });
      expect(res.responses).toHaveLength(1);
      expect(res.responses[0], `v${v}`).toMatchObject({
        errorCode: 0,
        errorMessage: null,
        name: topic,
        topicId: v >= 6 ? topicId : ZERO_UUID,
      });
      await waitFor(async () => {
        const m = await conn.send(Metadata, { topics: [{ name: topic }], allowAutoTopicCreation: false });
        return m.topics[0]?.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      }, `metadata to report ${topic} as unknown`);
    }
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for an unknown name and UNKNOWN_TOPIC_ID for an unknown id', async () => {
    const conn = await cluster.anyConnection();
    const name = uniqueTopic('never-created');
    const byName = await conn.send(DeleteTopics, { topicNames: [name], timeoutMs: 30_000 });
    expect(byName.responses.map((r) => [r.name, r.errorCode])).toEqual([
      [name, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
    const unknownId = 'AAECAwQFBgcICQoLDA0ODw';
    const byId = await conn.send(
      DeleteTopics,
      { topics: [{ name: null, topicId: unknownId }], timeoutMs: 30_000 },
      { version: 6 },
    );
    expect(byId.responses.map((r) => [r.name, r.topicId, r.errorCode])).toEqual([
      [null, unknownId, ErrorCode.UNKNOWN_TOPIC_ID],
    ]);
  });
});

describe('DescribeTopicPartitions', () => {
  it('pages through partitions with a cursor, and reports an unknown topic', async () => {
    const topic = uniqueTopic('describe-partitions');
    await createTopic(cluster, topic, 3);
    const conn = await cluster.anyConnection();
    expect(sharedVersions(conn, DescribeTopicPartitions)).toEqual([0]);
    const first = await conn.send(DescribeTopicPartitions, {
      topics: [{ name: topic }],
      responsePartitionLimit: 2,
    });
    expect(first.topics).toHaveLength(1);
    const t = first.topics[0];
    expect([t.errorCode, t.name, t.topicId, t.isInternal]).toEqual([
      0,
      topic,
      cluster.metadata.topics.get(topic)?.topicId,
      false,
    ]);
    expect(t.partitions.map((p) => p.partitionIndex)).toEqual([0, 1]);
    for (const p of t.partitions) {
      expect(p.errorCode).toBe(0);
      expect(p.replicaNodes).toContain(p.leaderId);
      expect(p.isrNodes).toContain(p.leaderId);
    }
    expect(first.nextCursor).toEqual({ topicName: topic, partitionIndex: 2 });

    const second = await conn.send(DescribeTopicPartitions, {
      topics: [{ name: topic }],
      responsePartitionLimit: 2,
      cursor: first.nextCursor,
    });
    expect(second.topics[0].partitions.map((p) => p.partitionIndex)).toEqual([2]);
    expect(second.nextCursor).toBeNull();

    const missing = uniqueTopic('no-such');
    const unknown = await conn.send(DescribeTopicPartitions, { topics: [{ name: missing }] });
    expect(unknown.topics.map((x) => [x.name, x.errorCode])).toEqual([
      [missing, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
  });
});

describe('ACL APIs without an authorizer', () => {
  it('answer SECURITY_DISABLED at every version', async () => {
    const conn = await cluster.anyConnection();
    const filter = {
      resourceTypeFilter: AclResourceType.topic,
      resourceNameFilter: null,
      patternTypeFilter: AclPatternType.any,
      principalFilter: null,
      hostFilter: null,
      operation: AclOperation.any,
      permissionType: AclPermissionType.any,
    };
    for (const v of sharedVersions(conn, DescribeAcls)) {
      const res = await conn.send(DescribeAcls, filter, { version: v });
      expect([res.errorCode, res.resources], `DescribeAcls v${v}`).toEqual([ErrorCode.SECURITY_DISABLED, []]);
    }
    for (const v of sharedVersions(conn, CreateAcls)) {
      const res = await conn.send(
        CreateAcls,
        {
          creations: [
            {
              resourceType: AclResourceType.topic,
              resourceName: uniqueTopic('acl'),
              principal: 'User:alice',
              host: '*',
              operation: AclOperation.read,
              permissionType: AclPermissionType.allow,
            },
          ],
        },
        { version: v },
      );
      expect(
        res.results.map((r) => r.errorCode),
        `CreateAcls v${v}`,
      ).toEqual([ErrorCode.SECURITY_DISABLED]);
    }
    for (const v of sharedVersions(conn, DeleteAcls)) {
      const res = await conn.send(DeleteAcls, { filters: [filter] }, { version: v });
      expect(
        res.filterResults.map((r) => [r.errorCode, r.matchingAcls]),
        `DeleteAcls v${v}`,
      ).toEqual([[ErrorCode.SECURITY_DISABLED, []]]);
    }
  });
});
