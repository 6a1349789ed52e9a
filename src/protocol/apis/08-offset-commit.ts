/**
 * OffsetCommit (key 8), v2–v9 (v0–v1 are gone from 4.x brokers, KIP-896).
 * v2: +retentionTimeMs, -commitTimestamp · v3: +throttleTimeMs · v4: responses sent before
 * throttling · v5: -retentionTimeMs (broker config only) · v6: +committedLeaderEpoch (KIP-320) ·
 * v7: +groupInstanceId (KIP-345) · v8: flexible · v9: generationIdOrMemberEpoch may be a KIP-848
 * member epoch; STALE_MEMBER_EPOCH and GROUP_ID_NOT_FOUND.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface OffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch?: number; // v6+, default -1
  committedMetadata: string | null;
}

export interface OffsetCommitRequestTopic {
  name: string;
  partitions: OffsetCommitRequestPartition[];
}

export interface OffsetCommitRequest {
  groupId: string;
  /** The classic group's generation, or the member epoch of a KIP-848 group; -1 for a simple (standalone) commit. */
  generationIdOrMemberEpoch?: number; // default -1
  memberId?: string; // default '' (a standalone commit)
  groupInstanceId?: string | null; // v7+ (KIP-345)
  retentionTimeMs?: bigint; // v2–v4, default -1 (the broker's offsets.retention.minutes)
  topics: OffsetCommitRequestTopic[];
}

export interface OffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface OffsetCommitResponseTopic {
  name: string;
  partitions: OffsetCommitResponsePartition[];
}

export interface OffsetCommitResponse {
  throttleTimeMs: number; // v3+, 0 before
  topics: OffsetCommitResponseTopic[];
}

export const OffsetCommit: ApiDescriptor<OffsetCommitRequest, OffsetCommitResponse> = {
  key: 8,
  name: 'OffsetCommit',
  min: 2,
  max: 9,
  flexibleFrom: 8,
  encodeRequest(w: Writer, v: number, m: OffsetCommitRequest): void {
    const flexible = v >= 8;
    w.string(m.groupId, flexible);
    w.int32(m.generationIdOrMemberEpoch ?? -1);
    w.string(m.memberId ?? '', flexible);
    if (v >= 7) w.nullableString(m.groupInstanceId, flexible);
    else if (m.groupInstanceId != null)
      throw new UnsupportedVersionError(
        `OffsetCommit v${v} has no groupInstanceId (static membership needs v7+)`,
      );
    if (v <= 4) w.int64(m.retentionTimeMs ?? -1n);
    w.arrayLength(m.topics.length, flexible);
    for (const t of m.topics) {
      w.string(t.name, flexible);
      w.arrayLength(t.partitions.length, flexible);
      for (const p of t.partitions) {
        w.int32(p.partitionIndex);
        w.int64(p.committedOffset);
        if (v >= 6) w.int32(p.committedLeaderEpoch ?? -1);
        w.nullableString(p.committedMetadata, flexible);
        if (flexible) w.emptyTaggedFields();
      }
      if (flexible) w.emptyTaggedFields();
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): OffsetCommitResponse {
    const flexible = v >= 8;
    const throttleTimeMs = v >= 3 ? r.int32() : 0;
    const topics = r.array(flexible, (t) => readTopic(t, flexible), 2);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, topics };
  },
};

function readTopic(r: Reader, flexible: boolean): OffsetCommitResponseTopic {
  const name = r.string(flexible);
  const partitions = r.array(flexible, (p) => readPartition(p, flexible), 6);
  if (flexible) r.taggedFields();
  return { name, partitions };
}

function readPartition(r: Reader, flexible: boolean): OffsetCommitResponsePartition {
  const partitionIndex = r.int32();
  const errorCode = r.int16();
  if (flexible) r.taggedFields();
  return { partitionIndex, errorCode };
}
