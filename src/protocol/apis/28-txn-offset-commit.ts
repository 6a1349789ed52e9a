/**
 * TxnOffsetCommit (key 28), v0–v5: a consumer group's offsets written inside a transaction, sent
 * to the group coordinator; they become visible when the transaction commits.
 * v1: same as v0 · v2: +committedLeaderEpoch · v3: flexible, +generationId, memberId,
 * groupInstanceId, so a zombie member's commit is fenced (KIP-447) · v4: TRANSACTION_ABORTABLE
 * (KIP-890) · v5: same bytes as v4; with transaction version 2 it adds the group to the
 * transaction itself (no AddOffsetsToTxn, KIP-890 part 2), so without TV2 it stays at v4.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface TxnOffsetCommitRequestPartition {
  partitionIndex: number;
  committedOffset: bigint;
  committedLeaderEpoch?: number; // v2+, default -1
  committedMetadata: string | null;
}

export interface TxnOffsetCommitRequestTopic {
  name: string;
  partitions: TxnOffsetCommitRequestPartition[];
}

export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: bigint;
  producerEpoch: number;
  generationId?: number; // v3+, default -1
  memberId?: string; // v3+, default ''
  groupInstanceId?: string | null; // v3+, default null
  topics: TxnOffsetCommitRequestTopic[];
}

export interface TxnOffsetCommitResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface TxnOffsetCommitResponse {
  throttleTimeMs: number;
  topics: { name: string; partitions: TxnOffsetCommitResponsePartition[] }[];
}

export const TxnOffsetCommit: ApiDescriptor<TxnOffsetCommitRequest, TxnOffsetCommitResponse> = {
  key: 28,
  name: 'TxnOffsetCommit',
  min: 0,
  max: 5,
  flexibleFrom: 3,
  encodeRequest(w: Writer, v: number, m: TxnOffsetCommitRequest): void {
    const flexible = v >= 3;
    w.string(m.transactionalId, flexible);
    w.string(m.groupId, flexible);
    w.int64(m.producerId);
    w.int16(m.producerEpoch);
    if (v >= 3) {
      w.int32(m.generationId ?? -1);
      w.string(m.memberId ?? '', flexible);
      w.nullableString(m.groupInstanceId ?? null, flexible);
    } else if (m.groupInstanceId != null || (m.generationId ?? -1) !== -1 || (m.memberId ?? '') !== '') {
      // Java refuses too: the group could not fence a zombie member's commit (KIP-447).
      throw new UnsupportedVersionError(
        `TxnOffsetCommit v${v} carries no group member identity (needs v3+, KIP-447)`,
      );
    }
    w.arrayLength(m.topics.length, flexible);
    for (const t of m.topics) {
      w.string(t.name, flexible);
      w.arrayLength(t.partitions.length, flexible);
      for (const p of t.partitions) {
        w.int32(p.partitionIndex);
        w.int64(p.committedOffset);
        if (v >= 2) w.int32(p.committedLeaderEpoch ?? -1);
        w.nullableString(p.committedMetadata, flexible);
        if (flexible) w.emptyTaggedFields();
      }
      if (flexible) w.emptyTaggedFields();
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): TxnOffsetCommitResponse {
    const flexible = v >= 3;
    const throttleTimeMs = r.int32();
    const topics = r.array(
      flexible,
      (t) => {
        const name = t.string(flexible);
        const partitions = t.array(
          flexible,
          (p) => {
            const partitionIndex = p.int32();
            const errorCode = p.int16();
            if (flexible) p.taggedFields();
            return { partitionIndex, errorCode };
          },
          6,
        );
        if (flexible) t.taggedFields();
        return { name, partitions };
      },
      2,
    );
    if (flexible) r.taggedFields();
    return { throttleTimeMs, topics };
  },
};
