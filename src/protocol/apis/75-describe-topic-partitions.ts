/**
 * DescribeTopicPartitions (key 75), v0 (KIP-966): topic metadata a page of partitions at a time,
 * with the eligible leader replicas (ELR) Metadata does not carry. Flexible from the start; a
 * broker-only API (KRaft controllers do not answer it).
 *
 * A response holds at most `responsePartitionLimit` partitions; `nextCursor` says where the next
 * request should start (null when everything asked for was returned).
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface DescribeTopicPartitionsCursor {
  topicName: string;
  partitionIndex: number;
}

export interface DescribeTopicPartitionsTopic {
  name: string;
}

export interface DescribeTopicPartitionsRequest {
  topics: DescribeTopicPartitionsTopic[];
  /** Most partitions in one response. Default 2000. */
  responsePartitionLimit?: number;
  /** Where to start (a previous response's `nextCursor`). Default null: from the first. */
  cursor?: DescribeTopicPartitionsCursor | null;
}

export interface DescribeTopicPartitionsResponsePartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  replicaNodes: number[];
  isrNodes: number[];
  /** Replicas that may become leader though out of the ISR (KIP-966); null when none kept. */
  eligibleLeaderReplicas: number[] | null;
  lastKnownElr: number[] | null;
  offlineReplicas: number[];
}

export interface DescribeTopicPartitionsResponseTopic {
  errorCode: number;
  name: string | null;
  topicId: string;
  isInternal: boolean;
  partitions: DescribeTopicPartitionsResponsePartition[];
  /** KIP-430 bit field; INT32_MIN when not computed. */
  topicAuthorizedOperations: number;
}

export interface DescribeTopicPartitionsResponse {
  throttleTimeMs: number;
  topics: DescribeTopicPartitionsResponseTopic[];
  nextCursor: DescribeTopicPartitionsCursor | null;
}

const RESPONSE_PARTITION_LIMIT_DEFAULT = 2000;

export const DescribeTopicPartitions: ApiDescriptor<
  DescribeTopicPartitionsRequest,
  DescribeTopicPartitionsResponse
> = {
  key: 75,
  name: 'DescribeTopicPartitions',
  min: 0,
  max: 0,
  flexibleFrom: 0,
  encodeRequest(w: Writer, _v: number, m: DescribeTopicPartitionsRequest): void {
    w.arrayLength(m.topics.length, true);
    for (const t of m.topics) {
      w.string(t.name, true);
      w.emptyTaggedFields();
    }
    w.int32(m.responsePartitionLimit ?? RESPONSE_PARTITION_LIMIT_DEFAULT);
    // A nullable struct: int8 -1 for null, 1 then the struct.
    const cursor = m.cursor ?? null;
    if (cursor === null) {
      w.int8(-1);
    } else {
      w.int8(1);
      w.string(cursor.topicName, true);
      w.int32(cursor.partitionIndex);
      w.emptyTaggedFields();
    }
    w.emptyTaggedFields();
  },
  decodeResponse(r: Reader): DescribeTopicPartitionsResponse {
    const throttleTimeMs = r.int32();
    // Smallest topic: error code, null name, id, flag, no partitions, operations, no tags.
    const topics = r.array(true, readTopic, 26);
    const nextCursor = r.int8() < 0 ? null : readCursor(r);
    r.taggedFields();
    return { throttleTimeMs, topics, nextCursor };
  },
};

function readTopic(r: Reader): DescribeTopicPartitionsResponseTopic {
  const errorCode = r.int16();
  const name = r.nullableString(true);
  const topicId = r.uuid();
  const isInternal = r.boolean();
  // Smallest partition: error code, index, leader, epoch, five empty/null arrays, no tags.
  const partitions = r.array(true, readPartition, 20);
  const topicAuthorizedOperations = r.int32();
  r.taggedFields();
  return { errorCode, name, topicId, isInternal, partitions, topicAuthorizedOperations };
}

function readPartition(r: Reader): DescribeTopicPartitionsResponsePartition {
  const errorCode = r.int16();
  const partitionIndex = r.int32();
  const leaderId = r.int32();
  const leaderEpoch = r.int32();
  const replicaNodes = r.array(true, readInt32, 4);
  const isrNodes = r.array(true, readInt32, 4);
  const eligibleLeaderReplicas = r.nullableArray(true, readInt32, 4);
  const lastKnownElr = r.nullableArray(true, readInt32, 4);
  const offlineReplicas = r.array(true, readInt32, 4);
  r.taggedFields();
  return {
    errorCode,
    partitionIndex,
    leaderId,
    leaderEpoch,
    replicaNodes,
    isrNodes,
    eligibleLeaderReplicas,
    lastKnownElr,
    offlineReplicas,
  };
}

function readCursor(r: Reader): DescribeTopicPartitionsCursor {
  const topicName = r.string(true);
  const partitionIndex = r.int32();
  r.taggedFields();
  return { topicName, partitionIndex };
}

function readInt32(r: Reader): number {
  return r.int32();
}
