/**
 * KIP-848 consumer groups as the broker sees them (Java: `Admin.describeConsumerGroups` for
 * groups of the consumer protocol): ConsumerGroupDescribe, sent to each group's coordinator.
 * Groups of the classic protocol are described by `Admin.describeGroups` (DescribeGroups).
 */
import type { Cluster } from '../network/cluster.js';
import { findGroupCoordinator } from '../network/coordinator.js';
import { BrokerFeature, requireFeature } from '../network/features.js';
import type { BackoffOptions } from '../network/retry.js';
import { ConsumerGroupDescribe } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError, kafkaError } from '../protocol/errors.js';

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

/** One member of a consumer-protocol group. */
export interface ConsumerGroupMemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  rackId: string | null;
  /** The member's epoch: the group epoch of the assignment it last acknowledged. */
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopics: string[];
  subscribedTopicRegex: string | null;
  /** The partitions it owns now. */
  assignment: { topic: string; partition: number }[];
  /** The partitions the broker's assignor gives it (it gets them as their previous owners let go). */
  targetAssignment: { topic: string; partition: number }[];
}

/** A consumer-protocol group (KIP-848). */
export interface ConsumerGroupDescription {
  groupId: string;
  /** 'Empty', 'Assigning', 'Reconciling', 'Stable', 'Dead'. */
  state: string;
  groupEpoch: number;
  assignmentEpoch: number;
  /** The server-side assignor, e.g. 'uniform' or 'range'. */
  assignor: string;
  members: ConsumerGroupMemberDescription[];
  /** GROUP_ID_NOT_FOUND for an unknown group or one of the classic protocol; null when described. */
  error: KafkaError | null;
}

const flatten = (a: {
  topicPartitions: { topicName: string; partitions: number[] }[];
}): { topic: string; partition: number }[] =>
  a.topicPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topicName, partition })));

/**
 * The answer for `groupId` among a describe response's groups; a retriable group error (the
 * coordinator loading, moving) is thrown for the caller's retry, any other is left in the result.
 */
export function groupResult<T extends { groupId: string; errorCode: number }>(
  groups: readonly T[],
  groupId: string,
): T {
  const found = groups.find((x) => x.groupId === groupId);
  if (!found)
    throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, { group: groupId }, 'no answer for this group');
  if (found.errorCode !== ErrorCode.NONE && new KafkaError(found.errorCode, {}).retriable)
    throw new KafkaError(found.errorCode, { group: groupId });
  return found;
}

export function describeConsumerGroups(
  cluster: Cluster,
  retry: Retry,
  backoff: BackoffOptions,
  groupIds: readonly string[],
): Promise<ConsumerGroupDescription[]> {
  return Promise.all(
    groupIds.map(async (groupId) => {
      const g = await retry(async () => {
        const node = await findGroupCoordinator(cluster, groupId, backoff);
        const conn = await cluster.connectionTo(node, 'coordinator');
        requireFeature(conn, BrokerFeature.consumerGroupProtocol);
        const r = await conn.send(ConsumerGroupDescribe, {
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
          groupInstanceId: m.instanceId,
          rackId: m.rackId,
          memberEpoch: m.memberEpoch,
          clientId: m.clientId,
          clientHost: m.clientHost,
          subscribedTopics: m.subscribedTopicNames,
          subscribedTopicRegex: m.subscribedTopicRegex,
          assignment: flatten(m.assignment),
          targetAssignment: flatten(m.targetAssignment),
        })),
      };
    }),
  );
}
