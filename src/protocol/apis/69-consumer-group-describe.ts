/**
 * ConsumerGroupDescribe (key 69), v0: a KIP-848 consumer group as the broker sees it — epochs,
 * the server-side assignor, and each member's subscription, current and target assignment.
 * Flexible from v0.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface ConsumerGroupDescribeRequest {
  groupIds: string[];
  includeAuthorizedOperations: boolean;
}

export interface DescribedTopicPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}

export interface DescribedAssignment {
  topicPartitions: DescribedTopicPartitions[];
}

export interface ConsumerGroupMember {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  subscribedTopicRegex: string | null;
  assignment: DescribedAssignment;
  targetAssignment: DescribedAssignment;
}

export interface ConsumerGroupDescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ConsumerGroupMember[];
  /** INT32_MIN when not requested. */
  authorizedOperations: number;
}

export interface ConsumerGroupDescribeResponse {
  throttleTimeMs: number;
  groups: ConsumerGroupDescribedGroup[];
}

export const ConsumerGroupDescribe: ApiDescriptor<
  ConsumerGroupDescribeRequest,
  ConsumerGroupDescribeResponse
> = {
  key: 69,
  name: 'ConsumerGroupDescribe',
  min: 0,
  max: 0,
  flexibleFrom: 0,
  encodeRequest(w: Writer, _v: number, m: ConsumerGroupDescribeRequest): void {
    w.arrayLength(m.groupIds.length, true);
    for (const g of m.groupIds) w.string(g, true);
    w.boolean(m.includeAuthorizedOperations);
    w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, _v: number): ConsumerGroupDescribeResponse {
    const throttleTimeMs = r.int32();
    const groups = r.array(true, readGroup, 20);
    r.taggedFields();
    return { throttleTimeMs, groups };
  },
};

function readGroup(r: Reader): ConsumerGroupDescribedGroup {
  const errorCode = r.int16();
  const errorMessage = r.nullableString(true);
  const groupId = r.string(true);
  const groupState = r.string(true);
  const groupEpoch = r.int32();
  const assignmentEpoch = r.int32();
  const assignorName = r.string(true);
  const members = r.array(true, readMember, 17);
  const authorizedOperations = r.int32();
  r.taggedFields();
  return {
    errorCode,
    errorMessage,
    groupId,
    groupState,
    groupEpoch,
    assignmentEpoch,
    assignorName,
    members,
    authorizedOperations,
  };
}

function readMember(r: Reader): ConsumerGroupMember {
  const memberId = r.string(true);
  const instanceId = r.nullableString(true);
  const rackId = r.nullableString(true);
  const memberEpoch = r.int32();
  const clientId = r.string(true);
  const clientHost = r.string(true);
  const subscribedTopicNames = r.array(true, readString, 1);
  const subscribedTopicRegex = r.nullableString(true);
  const assignment = readAssignment(r);
  const targetAssignment = readAssignment(r);
  r.taggedFields();
  return {
    memberId,
    instanceId,
    rackId,
    memberEpoch,
    clientId,
    clientHost,
    subscribedTopicNames,
    subscribedTopicRegex,
    assignment,
    targetAssignment,
  };
}

function readAssignment(r: Reader): DescribedAssignment {
  const topicPartitions = r.array(true, readTopicPartitions, 19);
  r.taggedFields();
  return { topicPartitions };
}

function readTopicPartitions(r: Reader): DescribedTopicPartitions {
  const topicId = r.uuid();
  const topicName = r.string(true);
  const partitions = r.array(true, readInt32, 4);
  r.taggedFields();
  return { topicId, topicName, partitions };
}

function readString(r: Reader): string {
  return r.string(true);
}

function readInt32(r: Reader): number {
  return r.int32();
}
