/**
 * OffsetForLeaderEpoch (key 23), v2–v4 (KIP-101, KIP-320): for each partition, the end offset of
 * a leader epoch in the leader's log — the largest epoch at or below the one asked for, and the
 * first offset after its records. A consumer sends the epoch of the last record it fetched after
 * a leader change: an end offset below its fetch position means the log was truncated there.
 * v0–v1 are deprecated and gone from 4.x's floors; v2 brought `currentLeaderEpoch` (the fence a
 * consumer needs) and `throttleTimeMs` · v3: +replicaId (-1 for a consumer) · v4: flexible.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface OffsetForLeaderPartition {
  partition: number;
  /**
   * The leader epoch the client knows (the fence): a broker with a newer one answers
   * FENCED_LEADER_EPOCH, one with an older one UNKNOWN_LEADER_EPOCH. -1: not checked.
   */
  currentLeaderEpoch: number;
  /** The epoch to look up the end offset of. */
  leaderEpoch: number;
}

export interface OffsetForLeaderTopic {
  topic: string;
  partitions: OffsetForLeaderPartition[];
}

export interface OffsetForLeaderEpochRequest {
  /** v3+: -1 for a consumer (the default), -2 for a debugging client; ignored before. */
  replicaId?: number;
  topics: OffsetForLeaderTopic[];
}

export interface LeaderEpochEndOffset {
  errorCode: number;
  partition: number;
  /** The largest epoch at or below the one asked for; -1 when the leader knows none. */
  leaderEpoch: number;
  /** The first offset after that epoch's records (the log end for the current epoch); -1 when unknown. */
  endOffset: bigint;
}

export interface OffsetForLeaderTopicResult {
  topic: string;
  partitions: LeaderEpochEndOffset[];
}

export interface OffsetForLeaderEpochResponse {
  throttleTimeMs: number;
  topics: OffsetForLeaderTopicResult[];
}

export const OffsetForLeaderEpoch: ApiDescriptor<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> =
  {
    key: 23,
    name: 'OffsetForLeaderEpoch',
    min: 2,
    max: 4,
    flexibleFrom: 4,
    encodeRequest(w: Writer, v: number, m: OffsetForLeaderEpochRequest): void {
      const flexible = v >= 4;
      if (v >= 3) w.int32(m.replicaId ?? -1);
      w.arrayLength(m.topics.length, flexible);
      for (const t of m.topics) {
        w.string(t.topic, flexible);
        w.arrayLength(t.partitions.length, flexible);
        for (const p of t.partitions) {
          w.int32(p.partition);
          w.int32(p.currentLeaderEpoch);
          w.int32(p.leaderEpoch);
          if (flexible) w.emptyTaggedFields();
        }
        if (flexible) w.emptyTaggedFields();
      }
      if (flexible) w.emptyTaggedFields();
    },
    decodeResponse(r: Reader, v: number): OffsetForLeaderEpochResponse {
      const flexible = v >= 4;
      const throttleTimeMs = r.int32();
      const topics = r.array(
        flexible,
        (t) => {
          const topic = t.string(flexible);
          const partitions = t.array(flexible, (p) => readPartition(p, flexible), 18);
          if (flexible) t.taggedFields();
          return { topic, partitions };
        },
        3,
      );
      if (flexible) r.taggedFields();
      return { throttleTimeMs, topics };
    },
  };

function readPartition(r: Reader, flexible: boolean): LeaderEpochEndOffset {
  const errorCode = r.int16();
  const partition = r.int32();
  const leaderEpoch = r.int32();
  const endOffset = r.int64();
  if (flexible) r.taggedFields();
  return { errorCode, partition, leaderEpoch, endOffset };
}
