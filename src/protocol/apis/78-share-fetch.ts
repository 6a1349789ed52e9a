/**
 * ShareFetch (key 78), v1–v2 (v0 was KIP-932's early access, removed in Kafka 4.1): fetching
 * from a share group's partitions. The broker hands out *acquired* records — ranges of offsets
 * locked to this member until acknowledged or until the acquisition lock times out — and takes
 * acknowledgements of earlier ones in the same request. A share session per broker (epoch 0
 * opens it, then +1 per request, -1 closes it) lets later requests name only what changed.
 * v2: +shareAcquireMode, +isRenewAck, Renew acknowledgements (KIP-1206, KIP-1222). Flexible
 * from v0.
 *
 * A partition's `records` is a view into the response buffer (RecordBatches), not a copy; only
 * the offsets within `acquiredRecords` belong to this member.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { type NodeEndpoint, readNodeEndpoint } from './00-produce.js';
import type { LeaderIdAndEpoch } from './01-fetch.js';

/** Acknowledge types: 0 gap (not a record), 1 accept, 2 release (deliver again), 3 reject, 4 renew (v2+). */
export const AcknowledgeType = { gap: 0, accept: 1, release: 2, reject: 3, renew: 4 } as const;

export interface AcknowledgementBatch {
  firstOffset: bigint;
  /** Inclusive. */
  lastOffset: bigint;
  /** One type for the whole range, or one per offset. */
  acknowledgeTypes: number[];
}

export interface ShareFetchRequest {
  groupId: string | null;
  memberId: string | null;
  shareSessionEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  maxRecords: number; // v1+
  batchSize: number; // v1+
  /** v2+: 0 batch-optimized, 1 record-limit. 0 before. */
  shareAcquireMode?: number;
  /** v2+: the acknowledgements only renew acquisition locks (KIP-1222); false before. */
  isRenewAck?: boolean;
  topics: AcknowledgeTopic[];
  forgottenTopicsData: { topicId: string; partitions: number[] }[];
}

export interface AcquiredRecords {
  firstOffset: bigint;
  lastOffset: bigint;
  deliveryCount: number;
}

export interface ShareFetchPartitionData {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  acknowledgeErrorCode: number;
  acknowledgeErrorMessage: string | null;
  currentLeader: LeaderIdAndEpoch;
  records: Buffer;
  acquiredRecords: AcquiredRecords[];
}

export interface ShareFetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  acquisitionLockTimeoutMs: number;
  responses: { topicId: string; partitions: ShareFetchPartitionData[] }[];
  nodeEndpoints: NodeEndpoint[];
}

export const ShareFetch: ApiDescriptor<ShareFetchRequest, ShareFetchResponse> = {
  key: 78,
  name: 'ShareFetch',
  min: 1,
  max: 2,
  flexibleFrom: 0,
  encodeRequest(w: Writer, v: number, m: ShareFetchRequest): void {
    w.nullableString(m.groupId, true);
    w.nullableString(m.memberId, true);
    w.int32(m.shareSessionEpoch);
    w.int32(m.maxWaitMs);
    w.int32(m.minBytes);
    w.int32(m.maxBytes);
    w.int32(m.maxRecords);
    w.int32(m.batchSize);
    if (v >= 2) {
      w.int8(m.shareAcquireMode ?? 0);
      w.boolean(m.isRenewAck ?? false);
    }
    writeAcknowledgeTopics(w, m.topics);
    w.arrayLength(m.forgottenTopicsData.length, true);
    for (const t of m.forgottenTopicsData) {
      w.uuid(t.topicId);
      w.arrayLength(t.partitions.length, true);
      for (const p of t.partitions) w.int32(p);
      w.emptyTaggedFields();
    }
    w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, _v: number): ShareFetchResponse {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const errorMessage = r.nullableString(true);
    const acquisitionLockTimeoutMs = r.int32();
    const responses = r.array(true, readTopic, 17);
    const nodeEndpoints = r.array(true, readNodeEndpoint, 11);
    r.taggedFields();
    return { throttleTimeMs, errorCode, errorMessage, acquisitionLockTimeoutMs, responses, nodeEndpoints };
  },
};

/** Topics of partitions with their acknowledgements, by topic id (ShareFetch and ShareAcknowledge requests). */
export interface AcknowledgeTopic {
  topicId: string;
  partitions: { partitionIndex: number; acknowledgementBatches: AcknowledgementBatch[] }[];
}

/** The `topics` array of ShareFetch and ShareAcknowledge requests (the same layout in both). */
export function writeAcknowledgeTopics(w: Writer, topics: readonly AcknowledgeTopic[]): void {
  w.arrayLength(topics.length, true);
  for (const t of topics) {
    w.uuid(t.topicId);
    w.arrayLength(t.partitions.length, true);
    for (const p of t.partitions) {
      w.int32(p.partitionIndex);
      writeAcknowledgementBatches(w, p.acknowledgementBatches);
      w.emptyTaggedFields();
    }
    w.emptyTaggedFields();
  }
}

/** The acknowledgementBatches array (ShareFetch and ShareAcknowledge requests). */
function writeAcknowledgementBatches(w: Writer, batches: readonly AcknowledgementBatch[]): void {
  w.arrayLength(batches.length, true);
  for (const b of batches) {
    w.int64(b.firstOffset);
    w.int64(b.lastOffset);
    w.arrayLength(b.acknowledgeTypes.length, true);
    for (const t of b.acknowledgeTypes) w.int8(t);
    w.emptyTaggedFields();
  }
}

function readTopic(r: Reader): { topicId: string; partitions: ShareFetchPartitionData[] } {
  const topicId = r.uuid();
  const partitions = r.array(true, readPartition, 22);
  r.taggedFields();
  return { topicId, partitions };
}

function readPartition(r: Reader): ShareFetchPartitionData {
  const partitionIndex = r.int32();
  const errorCode = r.int16();
  const errorMessage = r.nullableString(true);
  const acknowledgeErrorCode = r.int16();
  const acknowledgeErrorMessage = r.nullableString(true);
  const currentLeader = readLeaderIdAndEpoch(r);
  const records = r.bytes(true);
  const acquiredRecords = r.array(true, readAcquired, 19);
  r.taggedFields();
  return {
    partitionIndex,
    errorCode,
    errorMessage,
    acknowledgeErrorCode,
    acknowledgeErrorMessage,
    currentLeader,
    records,
    acquiredRecords,
  };
}

function readAcquired(r: Reader): AcquiredRecords {
  const firstOffset = r.int64();
  const lastOffset = r.int64();
  const deliveryCount = r.int16();
  r.taggedFields();
  return { firstOffset, lastOffset, deliveryCount };
}

/** `currentLeader` (ShareFetch and ShareAcknowledge responses). */
export function readLeaderIdAndEpoch(r: Reader): LeaderIdAndEpoch {
  const leaderId = r.int32();
  const leaderEpoch = r.int32();
  r.taggedFields();
  return { leaderId, leaderEpoch };
}
