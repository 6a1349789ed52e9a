/**
 * ShareGroupDescribe (key 77), v1: share groups (KIP-932) as the broker sees them — state,
 * epochs, the assignor, and each member's subscription and assignment. Flexible from v0.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface ShareGroupDescribeRequest {
  groupIds: string[];
  includeAuthorizedOperations: boolean;
}

export interface ShareDescribedTopicPartitions {
  topicId: string;
  topicName: string;
  partitions: number[];
}

export interface ShareGroupMember {
  memberId: string;
  rackId: string | null;
  memberEpoch: number;
  clientId: string;
  clientHost: string;
  subscribedTopicNames: string[];
  assignment: { topicPartitions: ShareDescribedTopicPartitions[] };
}

export interface ShareGroupDescribedGroup {
  errorCode: number;
  errorMessage: string | null;
  groupId: string;
  groupState: string;
  groupEpoch: number;
  assignmentEpoch: number;
  assignorName: string;
  members: ShareGroupMember[];
  /** INT32_MIN when not requested. */
  authorizedOperations: number;
}

export interface ShareGroupDescribeResponse {
  throttleTimeMs: number;
  groups: ShareGroupDescribedGroup[];
}

export const ShareGroupDescribe: ApiDescriptor<ShareGroupDescribeRequest, ShareGroupDescribeResponse> = {
  key: 77,
  name: 'ShareGroupDescribe',
  min: 1,
  max: 1,
  flexibleFrom: 0,
  encodeRequest(w: Writer, _v: number, m: ShareGroupDescribeRequest): void {
    w.arrayLength(m.groupIds.length, true);
    for (const g of m.groupIds) w.string(g, true);
    w.boolean(m.includeAuthorizedOperations);
    w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, _v: number): ShareGroupDescribeResponse {
    const throttleTimeMs = r.int32();
    const groups = r.array(true, readGroup, 20);
    r.taggedFields();
    return { throttleTimeMs, groups };
  },
};

function readGroup(r: Reader): ShareGroupDescribedGroup {
  const errorCode = r.int16();
  const errorMessage = r.nullableString(true);
  const groupId = r.string(true);
  const groupState = r.string(true);
  const groupEpoch = r.int32();
  const assignmentEpoch = r.int32();
  const assignorName = r.string(true);
  const members = r.array(true, readMember, 14);
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

function readMember(r: Reader): ShareGroupMember {
  const memberId = r.string(true);
  const rackId = r.nullableString(true);
  const memberEpoch = r.int32();
  const clientId = r.string(true);
  const clientHost = r.string(true);
  const subscribedTopicNames = r.array(true, (x) => x.string(true), 1);
  const topicPartitions = r.array(true, readTopicPartitions, 19);
  r.taggedFields(); // the assignment struct's
  r.taggedFields();
  return {
    memberId,
    rackId,
    memberEpoch,
    clientId,
    clientHost,
    subscribedTopicNames,
    assignment: { topicPartitions },
  };
}

function readTopicPartitions(r: Reader): ShareDescribedTopicPartitions {
  const topicId = r.uuid();
  const topicName = r.string(true);
  const partitions = r.array(true, (x) => x.int32(), 4);
  r.taggedFields();
  return { topicId, topicName, partitions };
}
