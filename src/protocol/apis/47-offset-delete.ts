/**
 * OffsetDelete (key 47), v0 (KIP-496): deletes a group's committed offsets for partitions it no
 * longer consumes (GROUP_SUBSCRIBED_TO_TOPIC while a member still subscribes to the topic).
 * Never flexible.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface OffsetDeleteRequestPartition {
  partitionIndex: number;
}

export interface OffsetDeleteRequestTopic {
  name: string;
  partitions: OffsetDeleteRequestPartition[];
}

export interface OffsetDeleteRequest {
  groupId: string;
  topics: OffsetDeleteRequestTopic[];
}

export interface OffsetDeleteResponsePartition {
  partitionIndex: number;
  errorCode: number;
}

export interface OffsetDeleteResponseTopic {
  name: string;
  partitions: OffsetDeleteResponsePartition[];
}

export interface OffsetDeleteResponse {
  errorCode: number;
  throttleTimeMs: number;
  topics: OffsetDeleteResponseTopic[];
}

export const OffsetDelete: ApiDescriptor<OffsetDeleteRequest, OffsetDeleteResponse> = {
  key: 47,
  name: 'OffsetDelete',
  min: 0,
  max: 0,
  flexibleFrom: Number.POSITIVE_INFINITY,
  encodeRequest(w: Writer, _v: number, m: OffsetDeleteRequest): void {
    w.string(m.groupId, false);
    w.arrayLength(m.topics.length, false);
    for (const t of m.topics) {
      w.string(t.name, false);
      w.arrayLength(t.partitions.length, false);
      for (const p of t.partitions) w.int32(p.partitionIndex);
    }
  },
  decodeResponse(r: Reader, _v: number): OffsetDeleteResponse {
    const errorCode = r.int16();
    const throttleTimeMs = r.int32();
    const topics = r.array(false, readTopic, 6);
    return { errorCode, throttleTimeMs, topics };
  },
};

function readTopic(r: Reader): OffsetDeleteResponseTopic {
  const name = r.string(false);
  const partitions = r.array(false, readPartition, 6);
  return { name, partitions };
}

function readPartition(r: Reader): OffsetDeleteResponsePartition {
  const partitionIndex = r.int32();
  const errorCode = r.int16();
  return { partitionIndex, errorCode };
}
