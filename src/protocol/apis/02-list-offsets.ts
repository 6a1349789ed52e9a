/**
 * ListOffsets (key 2), v1–v10 (v0, with its offsets array, is gone from 4.x brokers, KIP-896).
 * v1: one offset per partition, +timestamp in the response · v2: +isolationLevel,
 * +throttleTimeMs · v4: +currentLeaderEpoch, +leaderEpoch (KIP-320) · v5: OFFSET_NOT_AVAILABLE ·
 * v6: flexible · v7: MAX_TIMESTAMP (KIP-734) · v8: EARLIEST_LOCAL_TIMESTAMP (KIP-405) ·
 * v9: LATEST_TIERED_TIMESTAMP (KIP-1005) · v10: +timeoutMs for remote storage (KIP-1075).
 *
 * `timestamp` in a request is a time in ms (the first offset whose record is at or after it) or
 * one of the `ListOffsetsTimestamp` specials, each legal only from the version that brought it.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

/** The special timestamps of a ListOffsets request (Java `ListOffsetsRequest.*_TIMESTAMP`). */
export const ListOffsetsTimestamp = {
  /** The log end offset: the offset the next record will get (high watermark for consumers). */
  latest: -1n,
  /** The log start offset. */
  earliest: -2n,
  /** The offset of the record with the largest timestamp (v7+, KIP-734). */
  maxTimestamp: -3n,
  /** The local log start offset with tiered storage (v8+, KIP-405). */
  earliestLocal: -4n,
  /** The highest offset in remote storage (v9+, KIP-1005). */
  latestTiered: -5n,
} as const;

/** First ListOffsets version that accepts each special timestamp. */
const SPECIAL_TIMESTAMP_MIN_VERSION: ReadonlyMap<bigint, number> = new Map([
  [ListOffsetsTimestamp.maxTimestamp, 7],
  [ListOffsetsTimestamp.earliestLocal, 8],
  [ListOffsetsTimestamp.latestTiered, 9],
]);

export interface ListOffsetsPartition {
  partitionIndex: number;
  currentLeaderEpoch?: number; // v4+, default -1
  /** A time in ms or a `ListOffsetsTimestamp` special. */
  timestamp: bigint;
}

export interface ListOffsetsTopic {
  name: string;
  partitions: ListOffsetsPartition[];
}

export interface ListOffsetsRequest {
  /** -1 for a consumer. */
  replicaId: number;
  /** 0 read uncommitted, 1 read committed (the latest offset is then the LSO). */
  isolationLevel?: number; // v2+, default 0
  topics: ListOffsetsTopic[];
  timeoutMs?: number; // v10+, default 30000 (Java `request.timeout.ms`)
}

export interface ListOffsetsPartitionResponse {
  partitionIndex: number;
  errorCode: number;
  timestamp: bigint;
  offset: bigint;
  leaderEpoch: number; // v4+, -1 before
}

export interface ListOffsetsTopicResponse {
  name: string;
  partitions: ListOffsetsPartitionResponse[];
}

export interface ListOffsetsResponse {
  throttleTimeMs: number; // v2+, 0 before
  topics: ListOffsetsTopicResponse[];
}

export const ListOffsets: ApiDescriptor<ListOffsetsRequest, ListOffsetsResponse> = {
  key: 2,
  name: 'ListOffsets',
  min: 1,
  max: 10,
  flexibleFrom: 6,
  encodeRequest(w: Writer, v: number, m: ListOffsetsRequest): void {
    const flexible = v >= 6;
    w.int32(m.replicaId);
    const isolationLevel = m.isolationLevel ?? 0;
    if (v >= 2) w.int8(isolationLevel);
    else if (isolationLevel !== 0)
      throw new UnsupportedVersionError(`ListOffsets v${v} cannot read committed offsets`);
    w.arrayLength(m.topics.length, flexible);
    for (const t of m.topics) {
      w.string(t.name, flexible);
      w.arrayLength(t.partitions.length, flexible);
      for (const p of t.partitions) {
        const since = SPECIAL_TIMESTAMP_MIN_VERSION.get(p.timestamp);
        if (since !== undefined && v < since)
          throw new UnsupportedVersionError(`ListOffsets v${v} cannot look up timestamp ${p.timestamp}`);
        w.int32(p.partitionIndex);
        if (v >= 4) w.int32(p.currentLeaderEpoch ?? -1);
        w.int64(p.timestamp);
        if (flexible) w.emptyTaggedFields();
      }
      if (flexible) w.emptyTaggedFields();
    }
    if (v >= 10) w.int32(m.timeoutMs ?? 30_000);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): ListOffsetsResponse {
    const flexible = v >= 6;
    const throttleTimeMs = v >= 2 ? r.int32() : 0;
    const topics = r.array(
      flexible,
      (t) => {
        const name = t.string(flexible);
        const partitions = t.array(flexible, (p) => readPartition(p, v, flexible), 22);
        if (flexible) t.taggedFields();
        return { name, partitions };
      },
      3,
    );
    if (flexible) r.taggedFields();
    return { throttleTimeMs, topics };
  },
};

function readPartition(r: Reader, v: number, flexible: boolean): ListOffsetsPartitionResponse {
  const partitionIndex = r.int32();
  const errorCode = r.int16();
  const timestamp = r.int64();
  const offset = r.int64();
  const leaderEpoch = v >= 4 ? r.int32() : -1;
  if (flexible) r.taggedFields();
  return { partitionIndex, errorCode, timestamp, offset, leaderEpoch };
}
