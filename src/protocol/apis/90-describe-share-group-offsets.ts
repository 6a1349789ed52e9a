/**
 * DescribeShareGroupOffsets (key 90), v0–v1: where a share group (KIP-932) stands in each
 * partition — its start offset (everything before it is delivered and done with) and the leader
 * epoch of that offset. v1: +lag (KIP-1226). Flexible from v0.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface DescribeShareGroupOffsetsRequest {
  groups: {
    groupId: string;
    /** null: every topic-partition the group has state for. */
    topics: { topicName: string; partitions: number[] }[] | null;
  }[];
}

export interface ShareGroupOffsetPartition {
  partitionIndex: number;
  /** -1 when the group has no state for the partition yet. */
  startOffset: bigint;
  leaderEpoch: number;
  /** v1+; -1 before (and when unknown). */
  lag: bigint;
  errorCode: number;
  errorMessage: string | null;
}

export interface DescribeShareGroupOffsetsResponse {
  throttleTimeMs: number;
  groups: {
    groupId: string;
    topics: { topicName: string; topicId: string; partitions: ShareGroupOffsetPartition[] }[];
    errorCode: number;
    errorMessage: string | null;
  }[];
}

export const DescribeShareGroupOffsets: ApiDescriptor<
  DescribeShareGroupOffsetsRequest,
  DescribeShareGroupOffsetsResponse
> = {
  key: 90,
  name: 'DescribeShareGroupOffsets',
  min: 0,
  max: 1,
  flexibleFrom: 0,
  encodeRequest(w: Writer, _v: number, m: DescribeShareGroupOffsetsRequest): void {
    w.arrayLength(m.groups.length, true);
    for (const g of m.groups) {
      w.string(g.groupId, true);
      w.arrayLength(g.topics === null ? null : g.topics.length, true);
      for (const t of g.topics ?? []) {
        w.string(t.topicName, true);
        w.arrayLength(t.partitions.length, true);
        for (const p of t.partitions) w.int32(p);
        w.emptyTaggedFields();
      }
      w.emptyTaggedFields();
    }
    w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): DescribeShareGroupOffsetsResponse {
    const throttleTimeMs = r.int32();
    const groups = r.array(
      true,
      (g) => {
        const groupId = g.string(true);
        const topics = g.array(
          true,
          (t) => {
            const topicName = t.string(true);
            const topicId = t.uuid();
            const partitions = t.array(true, (p) => readPartition(p, v), 17);
            t.taggedFields();
            return { topicName, topicId, partitions };
          },
          19,
        );
        const errorCode = g.int16();
        const errorMessage = g.nullableString(true);
        g.taggedFields();
        return { groupId, topics, errorCode, errorMessage };
      },
      5,
    );
    r.taggedFields();
    return { throttleTimeMs, groups };
  },
};

function readPartition(r: Reader, v: number): ShareGroupOffsetPartition {
  const partitionIndex = r.int32();
  const startOffset = r.int64();
  const leaderEpoch = r.int32();
  const lag = v >= 1 ? r.int64() : -1n;
  const errorCode = r.int16();
  const errorMessage = r.nullableString(true);
  r.taggedFields();
  return { partitionIndex, startOffset, leaderEpoch, lag, errorCode, errorMessage };
}
