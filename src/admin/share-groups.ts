/**
 * Share groups (KIP-932) as the broker sees them (Java: `Admin.describeShareGroups`,
 * `listShareGroupOffsets`): ShareGroupDescribe and DescribeShareGroupOffsets, sent to each
 * group's coordinator. Deleting one is `Admin.deleteShareGroups` (DeleteGroups, as Java).
 */
import type { Cluster } from '../network/cluster.js';
import { findGroupCoordinator } from '../network/coordinator.js';
import { BrokerFeature, requireFeature } from '../network/features.js';
import type { BackoffOptions } from '../network/retry.js';
import { DescribeShareGroupOffsets, ShareGroupDescribe } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { type KafkaError, kafkaError } from '../protocol/errors.js';
import { groupResult } from './consumer-groups.js';

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

/** One member of a share group. */
export interface ShareGroupMemberDescription {
  memberId: string;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopics: string[];
  /** The partitions it fetches from (other members may have them too). */
  assignment: { topic: string; partition: number }[];
}

/** A share group (KIP-932). */
export interface ShareGroupDescription {
  groupId: string;
  /** 'Empty', 'Stable', 'Dead'. */
  state: string;
  groupEpoch: number;
  assignmentEpoch: number;
  /** The broker's share group assignor, e.g. 'simple'. */
  assignor: string;
  members: ShareGroupMemberDescription[];
  /** GROUP_ID_NOT_FOUND for an unknown group (or one of another type); null when described. */
  error: KafkaError | null;
}

/** Where a share group stands in one partition. */
export interface ShareGroupPartitionOffset {
  topic: string;
  partition: number;
  /** Every record before it is done with (acknowledged, or past its delivery attempts). */
  startOffset: bigint;
  leaderEpoch: number;
  /** Records from the start offset to the end of the partition (-1 when the broker does not say). */
  lag: bigint;
  error: KafkaError | null;
}

export function describeShareGroups(
  cluster: Cluster,
  retry: Retry,
  backoff: BackoffOptions,
  groupIds: readonly string[],
): Promise<ShareGroupDescription[]> {
  return Promise.all(
    groupIds.map(async (groupId) => {
      const g = await retry(async () => {
        const node = await findGroupCoordinator(cluster, groupId, backoff);
        const conn = await cluster.connectionTo(node, 'coordinator');
        requireFeature(conn, BrokerFeature.shareGroups);
        const r = await conn.send(ShareGroupDescribe, {
          groupIds: [groupId],
          includeAuthorizedOperations: false,
        });
        return groupResult(r.groups, groupId);
      });
      return {
        groupId,
        state: g.groupState,
        groupEpoch: g.groupEpoch,
        assignmentEpoch: g.assignmentEpoch,
        assignor: g.assignorName,
        error:
          g.errorCode === ErrorCode.NONE ? null : kafkaError(g.errorCode, { group: groupId }, g.errorMessage),
        members: g.members.map((m) => ({
          memberId: m.memberId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopics: m.subscribedTopicNames,
          assignment: m.assignment.topicPartitions.flatMap((t) =>
            t.partitions.map((partition) => ({ topic: t.topicName, partition })),
          ),
        })),
      };
    }),
  );
}

/** Every partition the group has state for (or those of `topics`), with its start offset. */
export async function shareGroupOffsets(
  cluster: Cluster,
  retry: Retry,
  backoff: BackoffOptions,
  groupId: string,
  topics: { topic: string; partitions: number[] }[] | null,
): Promise<ShareGroupPartitionOffset[]> {
  const g = await retry(async () => {
    const node = await findGroupCoordinator(cluster, groupId, backoff);
    const conn = await cluster.connectionTo(node, 'coordinator');
    requireFeature(conn, BrokerFeature.shareGroups);
    const r = await conn.send(DescribeShareGroupOffsets, {
      groups: [
        {
          groupId,
          topics:
            topics === null ? null : topics.map((t) => ({ topicName: t.topic, partitions: t.partitions })),
        },
      ],
    });
    return groupResult(r.groups, groupId);
  });
  if (g.errorCode !== ErrorCode.NONE) throw kafkaError(g.errorCode, { group: groupId }, g.errorMessage);
  return g.topics
    .flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.topicName,
        partition: p.partitionIndex,
        startOffset: p.startOffset,
        leaderEpoch: p.leaderEpoch,
        lag: p.lag,
        error:
          p.errorCode === ErrorCode.NONE
            ? null
            : kafkaError(p.errorCode, { topic: t.topicName, partition: p.partitionIndex }, p.errorMessage),
      })),
    )
    .sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition));
}
