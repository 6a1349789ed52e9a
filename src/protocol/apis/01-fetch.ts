/**
 * Fetch (key 1), v4–v17 (v0–v3 are gone from 4.x brokers, KIP-896; v4 is the first that returns
 * RecordBatch v2 and aborted transactions for read_committed).
 * v5: +logStartOffset · v7: incremental fetch sessions, +errorCode/sessionId, forgotten topics
 * (KIP-227) · v9: +currentLeaderEpoch (KIP-320) · v10: zstd (KIP-110) · v11: +rackId,
 * preferredReadReplica (KIP-392) · v12: flexible, +lastFetchedEpoch, tagged clusterId,
 * divergingEpoch, currentLeader, snapshotId (KIP-595) · v13: topic ids instead of names
 * (KIP-516) · v14: OFFSET_MOVED_TO_TIERED_STORAGE (KIP-405) · v15: tagged replicaState replaces
 * replicaId (KIP-903) · v16: tagged nodeEndpoints in the response (KIP-951) · v17: tagged
 * replicaDirectoryId per partition (KIP-853).
 *
 * A partition's `records` is a view into the response buffer, not a copy: the consumer decodes
 * it in place with decodeRecordBatches, and a partial batch at its end is normal.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import { ZERO_UUID } from '../uuid.js';
import type { Writer } from '../writer.js';
import { type NodeEndpoint, readNodeEndpoint } from './00-produce.js';

/** Java `IsolationLevel`: read every record, or only those of committed transactions. */
export const IsolationLevel = { readUncommitted: 0, readCommitted: 1 } as const;

export interface FetchPartition {
  partition: number;
  currentLeaderEpoch?: number; // v9+, default -1
  fetchOffset: bigint;
  lastFetchedEpoch?: number; // v12+, default -1
  logStartOffset?: bigint; // v5+, default -1 (followers only)
  partitionMaxBytes: number;
  replicaDirectoryId?: string; // v17+, tag 0, default ZERO_UUID (followers only)
}

export interface FetchTopic {
  topic?: string; // v4–v12
  topicId?: string; // v13+
  partitions: FetchPartition[];
}

export interface ForgottenTopic {
  topic?: string; // v7–v12
  topicId?: string; // v13+
  partitions: number[];
}

export interface ReplicaState {
  replicaId: number;
  replicaEpoch: bigint;
}

export interface FetchRequest {
  clusterId?: string | null; // v12+, tag 0, default null
  replicaId?: number; // v4–v14, default -1 (a consumer)
  replicaState?: ReplicaState; // v15+, tag 1, default { -1, -1n } (a consumer)
  maxWaitMs: number;
  minBytes: number;
  maxBytes?: number; // default 0x7fffffff
  /** See `IsolationLevel`; default 0 (read uncommitted). */
  isolationLevel?: number;
  sessionId?: number; // v7+, default 0 (no session)
  sessionEpoch?: number; // v7+, default -1 (no session)
  topics: FetchTopic[];
  forgottenTopicsData?: ForgottenTopic[]; // v7+
  rackId?: string; // v11+, default ''
}

export interface EpochEndOffset {
  epoch: number;
  endOffset: bigint;
}

export interface LeaderIdAndEpoch {
  leaderId: number;
  leaderEpoch: number;
}

export interface SnapshotId {
  endOffset: bigint;
  epoch: number;
}

export interface AbortedTransaction {
  producerId: bigint;
  firstOffset: bigint;
}

export interface FetchPartitionData {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  lastStableOffset: bigint;
  logStartOffset: bigint; // v5+, -1 before
  divergingEpoch: EpochEndOffset | null; // v12+, tag 0
  currentLeader: LeaderIdAndEpoch | null; // v12+, tag 1
  snapshotId: SnapshotId | null; // v12+, tag 2
  abortedTransactions: AbortedTransaction[] | null;
  preferredReadReplica: number; // v11+, -1 before
  /** RecordBatches, a view into the response (decode with decodeRecordBatches). */
  records: Buffer | null;
}

export interface FetchableTopicResponse {
  topic: string; // v4–v12, '' from v13
  topicId: string; // v13+, ZERO_UUID before
  partitions: FetchPartitionData[];
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number; // v7+, 0 before
  sessionId: number; // v7+, 0 before
  responses: FetchableTopicResponse[];
  nodeEndpoints: NodeEndpoint[]; // v16+, tag 0
}

const MAX_BYTES_DEFAULT = 0x7fffffff;

export const Fetch: ApiDescriptor<FetchRequest, FetchResponse> = {
  key: 1,
  name: 'Fetch',
  min: 4,
  max: 17,
  flexibleFrom: 12,
  encodeRequest(w: Writer, v: number, m: FetchRequest): void {
    const flexible = v >= 12;
    const replicaId = m.replicaId ?? -1;
    if (v <= 14) w.int32(replicaId);
    else if (replicaId !== -1)
      throw new UnsupportedVersionError(`Fetch v${v} carries the replica id in replicaState`);
    if (v < 15 && m.replicaState && (m.replicaState.replicaId !== -1 || m.replicaState.replicaEpoch !== -1n))
      throw new UnsupportedVersionError(`Fetch v${v} has no replicaState`);
    w.int32(m.maxWaitMs);
    w.int32(m.minBytes);
    w.int32(m.maxBytes ?? MAX_BYTES_DEFAULT);
    w.int8(m.isolationLevel ?? IsolationLevel.readUncommitted);
    if (v >= 7) {
      w.int32(m.sessionId ?? 0);
      w.int32(m.sessionEpoch ?? -1);
    }
    w.arrayLength(m.topics.length, flexible);
    for (const t of m.topics) {
      writeTopicRef(w, v, flexible, t.topic, t.topicId);
      w.arrayLength(t.partitions.length, flexible);
      for (const p of t.partitions) {
        w.int32(p.partition);
        if (v >= 9) w.int32(p.currentLeaderEpoch ?? -1);
        w.int64(p.fetchOffset);
        if (v >= 12) w.int32(p.lastFetchedEpoch ?? -1);
        if (v >= 5) w.int64(p.logStartOffset ?? -1n);
        w.int32(p.partitionMaxBytes);
        if (flexible) {
          const dirId = v >= 17 ? (p.replicaDirectoryId ?? ZERO_UUID) : ZERO_UUID;
          if (dirId === ZERO_UUID) w.emptyTaggedFields();
          else w.uvarint(1).uvarint(0).uvarint(16).uuid(dirId);
        }
      }
      if (flexible) w.emptyTaggedFields();
    }
    if (v >= 7) {
      const forgotten = m.forgottenTopicsData ?? [];
      w.arrayLength(forgotten.length, flexible);
      for (const t of forgotten) {
        writeTopicRef(w, v, flexible, t.topic, t.topicId);
        w.arrayLength(t.partitions.length, flexible);
        for (const p of t.partitions) w.int32(p);
        if (flexible) w.emptyTaggedFields();
      }
    }
    if (v >= 11) w.string(m.rackId ?? '', flexible);
    if (flexible) {
      // Tagged fields go in tag order and only when not at their default, as Java writes them.
      const clusterId = m.clusterId ?? null;
      const state = v >= 15 ? m.replicaState : undefined;
      const hasState = state !== undefined && (state.replicaId !== -1 || state.replicaEpoch !== -1n);
      w.uvarint((clusterId !== null ? 1 : 0) + (hasState ? 1 : 0));
      if (clusterId !== null) {
        const len = Buffer.byteLength(clusterId, 'utf8');
        w.uvarint(0).uvarint(uvarintSize(len + 1) + len);
        w.string(clusterId, true);
      }
      if (hasState) {
        // int32 replicaId + int64 replicaEpoch + an empty tagged-field section
        w.uvarint(1).uvarint(13);
        w.int32(state.replicaId).int64(state.replicaEpoch).emptyTaggedFields();
      }
    }
  },
  decodeResponse(r: Reader, v: number): FetchResponse {
    const flexible = v >= 12;
    const throttleTimeMs = r.int32();
    const errorCode = v >= 7 ? r.int16() : 0;
    const sessionId = v >= 7 ? r.int32() : 0;
    const responses = r.array(flexible, (t) => readTopic(t, v, flexible), 3);
    let nodeEndpoints: NodeEndpoint[] = [];
    if (flexible) {
      r.taggedFields((tag, t) => {
        if (tag !== 0 || v < 16) return false;
        nodeEndpoints = t.array(true, readNodeEndpoint, 11);
        return true;
      });
    }
    return { throttleTimeMs, errorCode, sessionId, responses, nodeEndpoints };
  },
};

/** A topic by name up to v12, by id from v13 (KIP-516); each version refuses the other. */
function writeTopicRef(
  w: Writer,
  v: number,
  flexible: boolean,
  topic: string | undefined,
  topicId: string | undefined,
): void {
  if (v >= 13) {
    if (topicId === undefined || topicId === ZERO_UUID)
      throw new UnsupportedVersionError(`Fetch v${v} needs topic ids (topic "${topic}" has none)`);
    w.uuid(topicId);
  } else {
    if (topic === undefined) throw new UnsupportedVersionError(`Fetch v${v} cannot fetch a topic by id`);
    w.string(topic, flexible);
  }
}

function uvarintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n >>>= 7;
    size++;
  }
  return size;
}

function readTopic(r: Reader, v: number, flexible: boolean): FetchableTopicResponse {
  const topic = v <= 12 ? r.string(flexible) : '';
  const topicId = v >= 13 ? r.uuid() : ZERO_UUID;
  // Smallest partition on the wire: v4's 30 bytes (flexible ones are larger).
  const partitions = r.array(flexible, (p) => readPartition(p, v, flexible), 30);
  if (flexible) r.taggedFields();
  return { topic, topicId, partitions };
}

function readPartition(r: Reader, v: number, flexible: boolean): FetchPartitionData {
  const p: FetchPartitionData = {
    partitionIndex: r.int32(),
    errorCode: r.int16(),
    highWatermark: r.int64(),
    lastStableOffset: r.int64(),
    logStartOffset: v >= 5 ? r.int64() : -1n,
    divergingEpoch: null,
    currentLeader: null,
    snapshotId: null,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records: null,
  };
  p.abortedTransactions = r.nullableArray(flexible, (a) => readAbortedTransaction(a, flexible), 16);
  if (v >= 11) p.preferredReadReplica = r.int32();
  p.records = r.nullableBytes(flexible);
  if (flexible) {
    r.taggedFields((tag, t) => {
      if (tag === 0) {
        const epoch = t.int32();
        const endOffset = t.int64();
        t.taggedFields();
        p.divergingEpoch = { epoch, endOffset };
      } else if (tag === 1) {
        const leaderId = t.int32();
        const leaderEpoch = t.int32();
        t.taggedFields();
        p.currentLeader = { leaderId, leaderEpoch };
      } else if (tag === 2) {
        const endOffset = t.int64();
        const epoch = t.int32();
        t.taggedFields();
        p.snapshotId = { endOffset, epoch };
      } else {
        return false;
      }
      return true;
    });
  }
  return p;
}

function readAbortedTransaction(r: Reader, flexible: boolean): AbortedTransaction {
  const producerId = r.int64();
  const firstOffset = r.int64();
  if (flexible) r.taggedFields();
  return { producerId, firstOffset };
}
