/**
 * The consumer-group and offset APIs against the real broker, one request at a time (no group
 * state machine yet): a classic group from FindCoordinator to DeleteGroups with ConsumerProtocol
 * bytes in JoinGroup/SyncGroup, and a KIP-848 group through ConsumerGroupHeartbeat and
 * ConsumerGroupDescribe (on 4.x; a 3.9 broker refuses it, and the feature check says so first).
 * Session timeouts are short so that a failed run leaves no member behind for long.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { BrokerFeature, requireFeature } from '../../src/network/features.js';
import type { ApiDescriptor } from '../../src/protocol/api.js';
import {
  ConsumerGroupDescribe,
  ConsumerGroupHeartbeat,
  type ConsumerGroupHeartbeatResponse,
  CoordinatorType,
  DeleteGroups,
  DescribeGroups,
  FindCoordinator,
  Heartbeat,
  JoinGroup,
  LeaveGroup,
  ListGroups,
  OffsetCommit,
  OffsetDelete,
  OffsetFetch,
  type OffsetFetchResponse,
  type OffsetFetchResponseTopic,
  SyncGroup,
} from '../../src/protocol/apis/index.js';
import {
  CONSUMER_PROTOCOL_TYPE,
  decodeAssignment,
  decodeSubscription,
  encodeAssignment,
  encodeSubscription,
} from '../../src/protocol/consumer-protocol.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { UnsupportedFeatureError } from '../../src/protocol/errors.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const CLIENT_ID = 'kafkawire-group-test';

/** Partitions by index: brokers need not answer in the request's order (3.9's do not always). */
function byIndex<P extends { partitionIndex: number }>(partitions: readonly P[]): P[] {
  return [...partitions].sort((a, b) => a.partitionIndex - b.partitionIndex);
}

describe('consumer-group and offset APIs against the real broker', () => {
  let cluster: Cluster;
  const topic = uniqueTopic('group-apis');

  beforeAll(async () => {
    cluster = new Cluster({ bootstrapServers: brokers(), clientId: CLIENT_ID });
    await cluster.connect();
    await createTopic(cluster, topic, 3);
  });
  afterAll(() => cluster.close());

  /** The coordinator's node id, once it serves the group (the offsets topic may still be loading). */
  async function findCoordinator(groupId: string): Promise<number> {
    let nodeId = -1;
    await waitFor(async () => {
      const conn = await cluster.anyConnection();
      const res = await conn.send(FindCoordinator, {
        key: groupId,
        keyType: CoordinatorType.group,
        coordinatorKeys: [groupId],
      });
      const c = res.coordinators.length > 0 ? res.coordinators[0] : res;
      if (res.coordinators.length > 0) expect(res.coordinators[0].key).toBe(groupId);
      if (c.errorCode !== ErrorCode.NONE) return false;
      nodeId = c.nodeId;
      // FindCoordinator names the offsets partition's leader before that broker has loaded the
      // partition: group requests get NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS until then.
      const probe = await cluster.sendTo(nodeId, DescribeGroups, { groups: [groupId] });
      return probe.groups[0].errorCode === ErrorCode.NONE;
    }, `a coordinator for group ${groupId}`);
    expect(cluster.metadata.brokers.has(nodeId)).toBe(true);
    return nodeId;
  }

  /** OffsetFetch partitions of one group whatever the version (topics up to v7, groups from v8). */
  function fetchedTopics(res: OffsetFetchResponse): OffsetFetchResponseTopic[] {
    if (res.groups.length === 0) {
      expect(res.errorCode).toBe(ErrorCode.NONE);
      return res.topics;
    }
    expect(res.groups[0].errorCode).toBe(ErrorCode.NONE);
    return res.groups[0].topics;
  }

  it('runs a classic consumer group: join, sync, heartbeat, commit, fetch, describe, leave, list, delete', async () => {
    const groupId = uniqueTopic('classic-group');
    const coordinator = await findCoordinator(groupId);
    const send = <Req, Res>(api: ApiDescriptor<Req, Res>, request: Req) =>
      cluster.sendTo(coordinator, api, request);

    const subscription = encodeSubscription({
      topics: [topic],
      userData: Buffer.from('hi'),
      generationId: -1,
    });
    const join = (memberId: string) =>
      send(JoinGroup, {
        groupId,
        sessionTimeoutMs: 3000,
        rebalanceTimeoutMs: 5000,
        memberId,
        protocolType: CONSUMER_PROTOCOL_TYPE,
        protocols: [{ name: 'range', metadata: subscription }],
        reason: 'kafkawire test',
      });

    // KIP-394: a first join without a member id is refused with the id to use.
    const first = await join('');
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(new RegExp(`^${CLIENT_ID}-`));
    const memberId = first.memberId;

    const joined = await join(memberId);
    expect(joined.errorCode).toBe(ErrorCode.NONE);
    expect(joined.memberId).toBe(memberId);
    expect(joined.leader).toBe(memberId);
    expect(joined.generationId).toBeGreaterThanOrEqual(1);
    expect(joined.protocolName).toBe('range');
    expect(joined.protocolType).toBe(CONSUMER_PROTOCOL_TYPE);
    expect(joined.members.map((m) => m.memberId)).toEqual([memberId]);
    const theirSubscription = decodeSubscription(joined.members[0].metadata);
    expect(theirSubscription).toMatchObject({ version: 3, topics: [topic], generationId: -1, rackId: null });
    expect(theirSubscription.userData?.toString()).toBe('hi');
    const generationId = joined.generationId;

    const assignment = { assignedPartitions: [{ topic, partitions: [0, 1, 2] }], userData: null };
    const synced = await send(SyncGroup, {
      groupId,
      generationId,
      memberId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName: 'range',
      assignments: [{ memberId, assignment: encodeAssignment(assignment) }],
    });
    expect(synced.errorCode).toBe(ErrorCode.NONE);
    expect(decodeAssignment(synced.assignment)).toEqual({ version: 3, ...assignment });

    const beat = await send(Heartbeat, { groupId, generationId, memberId });
    expect(beat.errorCode).toBe(ErrorCode.NONE);

    const committed = await send(OffsetCommit, {
      groupId,
      generationIdOrMemberEpoch: generationId,
      memberId,
      topics: [
        {
          name: topic,
          partitions: [
            {
              partitionIndex: 0,
              committedOffset: 42n,
              committedLeaderEpoch: 0,
              committedMetadata: 'kafkawire',
            },
            { partitionIndex: 1, committedOffset: 7n, committedMetadata: null },
          ],
        },
      ],
    });
    // In any order: 3.9's group coordinator answers from a hash map (4.x keeps the request's order).
    expect(committed.topics.map((t) => ({ ...t, partitions: byIndex(t.partitions) }))).toEqual([
      {
        name: topic,
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.NONE },
          { partitionIndex: 1, errorCode: ErrorCode.NONE },
        ],
      },
    ]);
    // A commit with a stale generation is fenced.
    const stale = await send(OffsetCommit, {
      groupId,
      generationIdOrMemberEpoch: generationId + 1,
      memberId,
      topics: [
        { name: topic, partitions: [{ partitionIndex: 2, committedOffset: 1n, committedMetadata: null }] },
      ],
    });
    expect(stale.topics[0].partitions[0].errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);

    const fetched = await send(OffsetFetch, {
      groups: [{ groupId, topics: [{ name: topic, partitionIndexes: [0, 1, 2] }] }],
      requireStable: true,
    });
    const [offsets] = fetchedTopics(fetched);
    expect(offsets.name).toBe(topic);
    expect(
      byIndex(offsets.partitions).map((p) => [p.partitionIndex, p.committedOffset, p.metadata, p.errorCode]),
    ).toEqual([
      [0, 42n, 'kafkawire', 0],
      [1, 7n, '', 0],
      [2, -1n, '', 0],
    ]);
    expect(byIndex(offsets.partitions)[0]!.committedLeaderEpoch).toBe(0);

    const described = await send(DescribeGroups, { groups: [groupId], includeAuthorizedOperations: true });
    expect(described.groups).toHaveLength(1);
    const group = described.groups[0];
    expect(group).toMatchObject({
      errorCode: ErrorCode.NONE,
      groupId,
      groupState: 'Stable',
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolData: 'range',
    });
    expect(group.authorizedOperations).not.toBe(-2147483648);
    expect(group.members).toHaveLength(1);
    expect(group.members[0]).toMatchObject({ memberId, clientId: CLIENT_ID, groupInstanceId: null });
    expect(decodeSubscription(group.members[0].memberMetadata).topics).toEqual([topic]);
    expect(decodeAssignment(group.members[0].memberAssignment).assignedPartitions).toEqual(
      assignment.assignedPartitions,
    );

    const left = await send(LeaveGroup, { groupId, members: [{ memberId, reason: 'kafkawire test done' }] });
    expect(left.errorCode).toBe(ErrorCode.NONE);
    expect(left.members).toEqual([{ memberId, groupInstanceId: null, errorCode: ErrorCode.NONE }]);

    const listed = await send(ListGroups, { statesFilter: [], typesFilter: [] });
    expect(listed.errorCode).toBe(ErrorCode.NONE);
    expect(listed.groups.find((g) => g.groupId === groupId)).toEqual({
      groupId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      groupState: 'Empty',
      groupType: 'classic',
    });
    const stableOnly = await send(ListGroups, { statesFilter: ['Stable'] });
    expect(stableOnly.groups.some((g) => g.groupId === groupId)).toBe(false);

    // An empty group's offsets can be deleted partition by partition (KIP-496).
    const offsetDeleted = await send(OffsetDelete, {
      groupId,
      topics: [{ name: topic, partitions: [{ partitionIndex: 1 }] }],
    });
    expect(offsetDeleted.errorCode).toBe(ErrorCode.NONE);
    expect(offsetDeleted.topics).toEqual([
      { name: topic, partitions: [{ partitionIndex: 1, errorCode: ErrorCode.NONE }] },
    ]);
    const afterDelete = fetchedTopics(
      await send(OffsetFetch, { groupId, topics: [{ name: topic, partitionIndexes: [0, 1] }] }),
    );
    expect(byIndex(afterDelete[0].partitions).map((p) => p.committedOffset)).toEqual([42n, -1n]);

    // Results are keyed by group id; the broker does not keep the request's order.
    const missing = uniqueTopic('no-such-group');
    const deleted = await send(DeleteGroups, { groupsNames: [groupId, missing] });
    expect(new Map(deleted.results.map((r) => [r.groupId, r.errorCode]))).toEqual(
      new Map([
        [groupId, ErrorCode.NONE],
        [missing, ErrorCode.GROUP_ID_NOT_FOUND],
      ]),
    );
    const gone = await send(ListGroups, {});
    expect(gone.groups.some((g) => g.groupId === groupId)).toBe(false);
  });

  it('commits and fetches offsets, finds, describes and lists groups at every version both sides speak', async () => {
    const groupId = uniqueTopic('versions-group');
    const coordinator = await findCoordinator(groupId);
    const conn = await cluster.connectionTo(coordinator);
    const range = (api: ApiDescriptor<never, unknown>) => {
      const broker = conn.apiVersions.get(api.key);
      expect(broker, api.name).toBeDefined();
      return { low: Math.max(api.min, broker?.min ?? 0), high: Math.min(api.max, broker?.max ?? -1) };
    };

    // A standalone commit (no generation, no member) at each version, offset = version.
    const commit = range(OffsetCommit);
    expect(commit.high).toBe(OffsetCommit.max);
    for (let v = commit.low; v <= commit.high; v++) {
      const res = await conn.send(
        OffsetCommit,
        {
          groupId,
          topics: [
            {
              name: topic,
              partitions: [{ partitionIndex: 0, committedOffset: BigInt(v), committedMetadata: `v${v}` }],
            },
          ],
        },
        { version: v },
      );
      expect(res.topics[0].partitions[0].errorCode, `OffsetCommit v${v}`).toBe(ErrorCode.NONE);
    }
    const fetch = range(OffsetFetch);
    expect(fetch.high).toBe(OffsetFetch.max);
    for (let v = fetch.low; v <= fetch.high; v++) {
      // The group form from v8, converted to groupId/topics below it.
      const res = await conn.send(
        OffsetFetch,
        { groups: [{ groupId, topics: [{ name: topic, partitionIndexes: [0] }] }] },
        { version: v },
      );
      const [p] = fetchedTopics(res)[0].partitions;
      expect([p.committedOffset, p.metadata, p.errorCode], `OffsetFetch v${v}`).toEqual([
        BigInt(commit.high),
        `v${commit.high}`,
        0,
      ]);
    }

    const find = range(FindCoordinator);
    for (let v = find.low; v <= find.high; v++) {
      // `key` up to v3, `coordinatorKeys` from v4: the encoder sends the one the version has.
      const res = await conn.send(FindCoordinator, { key: groupId }, { version: v });
      const c = v >= 4 ? res.coordinators[0] : res;
      expect([c.errorCode, c.nodeId], `FindCoordinator v${v}`).toEqual([ErrorCode.NONE, coordinator]);
    }
    const describe = range(DescribeGroups);
    for (let v = describe.low; v <= describe.high; v++) {
      const res = await conn.send(DescribeGroups, { groups: [groupId] }, { version: v });
      expect(res.groups[0], `DescribeGroups v${v}`).toMatchObject({
        errorCode: 0,
        groupId,
        groupState: 'Empty',
      });
    }
    const list = range(ListGroups);
    for (let v = list.low; v <= list.high; v++) {
      const res = await conn.send(ListGroups, {}, { version: v });
      expect(
        res.groups.some((g) => g.groupId === groupId),
        `ListGroups v${v}`,
      ).toBe(true);
    }
    const del = range(DeleteGroups);
    const deleted = await conn.send(DeleteGroups, { groupsNames: [groupId] }, { version: del.low });
    expect(deleted.results).toEqual([{ groupId, errorCode: ErrorCode.NONE }]);
  });

  if (kafkaMajor() < 4) {
    it('on 3.x: the KIP-848 feature check fails, as the broker itself refuses ConsumerGroupHeartbeat', async () => {
      const groupId = uniqueTopic('consumer-group');
      const coordinator = await findCoordinator(groupId);
      const conn = await cluster.connectionTo(coordinator);
      expect(() => requireFeature(conn, BrokerFeature.consumerGroupProtocol)).toThrow(
        UnsupportedFeatureError,
      );
      // 3.9 announces ConsumerGroupHeartbeat v0 (the KIP-848 preview) but, with the preview off
      // (group.coordinator.rebalance.protocols=classic, its default), answers UNSUPPORTED_VERSION.
      const res = await cluster.sendTo(coordinator, ConsumerGroupHeartbeat, {
        groupId,
        memberId: randomBytes(16).toString('base64url'),
        memberEpoch: 0,
        rebalanceTimeoutMs: 5000,
        subscribedTopicNames: [topic],
        topicPartitions: [],
      });
      expect(res.errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    });
    return;
  }

  it('gets a KIP-848 assignment by topic id from ConsumerGroupHeartbeat and describes the member', async () => {
    const groupId = uniqueTopic('consumer-group');
    const coordinator = await findCoordinator(groupId);
    // What groupProtocol 'consumer' will check first; throws naming what is missing, if anything.
    requireFeature(await cluster.connectionTo(coordinator), BrokerFeature.consumerGroupProtocol);
    const topicId = cluster.metadata.topics.get(topic)?.topicId;
    expect(topicId).toBeDefined();
    // KIP-1082: the member makes up its own id.
    const memberId = randomBytes(16).toString('base64url');

    const first = await cluster.sendTo(coordinator, ConsumerGroupHeartbeat, {
      groupId,
      memberId,
      memberEpoch: 0,
      rebalanceTimeoutMs: 5000,
      subscribedTopicNames: [topic],
      topicPartitions: [],
    });
    expect(first.errorCode, first.errorMessage ?? '').toBe(ErrorCode.NONE);
    expect(first.memberId).toBe(memberId);
    expect(first.memberEpoch).toBeGreaterThanOrEqual(1);
    expect(first.heartbeatIntervalMs).toBeGreaterThan(0);

    // The assignment may come with the first answer or a later one; unchanged fields are null.
    let res: ConsumerGroupHeartbeatResponse = first;
    let epoch = first.memberEpoch;
    let assigned = first.assignment;
    await waitFor(async () => {
      if (assigned && assigned.topicPartitions.length > 0) return true;
      res = await cluster.sendTo(coordinator, ConsumerGroupHeartbeat, {
        groupId,
        memberId,
        memberEpoch: epoch,
      });
      expect(res.errorCode, res.errorMessage ?? '').toBe(ErrorCode.NONE);
      epoch = res.memberEpoch;
      assigned = res.assignment ?? assigned;
      return false;
    }, `an assignment for ${memberId}`);
    expect(assigned?.topicPartitions).toEqual([{ topicId, partitions: [0, 1, 2] }]);

    const described = await cluster.sendTo(coordinator, ConsumerGroupDescribe, {
      groupIds: [groupId],
      includeAuthorizedOperations: false,
    });
    const group = described.groups[0];
    expect(group).toMatchObject({ errorCode: ErrorCode.NONE, groupId, authorizedOperations: -2147483648 });
    expect(group.groupEpoch).toBeGreaterThanOrEqual(1);
    expect(group.members).toHaveLength(1);
    expect(group.members[0]).toMatchObject({
      memberId,
      clientId: CLIENT_ID,
      subscribedTopicNames: [topic],
    });
    // The schema says null when there is no regex; the broker sends ''.
    expect([null, '']).toContain(group.members[0].subscribedTopicRegex);
    expect(group.members[0].targetAssignment.topicPartitions).toEqual([
      { topicId, topicName: topic, partitions: [0, 1, 2] },
    ]);

    const listed = await cluster.sendTo(coordinator, ListGroups, { typesFilter: ['consumer'] });
    expect(listed.groups.find((g) => g.groupId === groupId)).toMatchObject({ groupType: 'consumer' });

    const left = await cluster.sendTo(coordinator, ConsumerGroupHeartbeat, {
      groupId,
      memberId,
      memberEpoch: -1,
    });
    expect(left.errorCode).toBe(ErrorCode.NONE);
    expect(left.memberEpoch).toBe(-1);

    const deleted = await cluster.sendTo(coordinator, DeleteGroups, { groupsNames: [groupId] });
    expect(deleted.results).toEqual([{ groupId, errorCode: ErrorCode.NONE }]);
  });
});
