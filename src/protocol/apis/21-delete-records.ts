/**
 * DeleteRecords (key 21), v0–v2.
 * v1: throttled responses come before the throttle · v2: flexible.
 *
 * Sent to each partition's leader: it moves the log start offset up to `offset` (-1: to the high
 * watermark) and answers with the new low watermark. Java: `Admin.deleteRecords`.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface DeleteRecordsPartition {
  partitionIndex: number;
  /** Delete every record below this offset; -1 for the high watermark. */
  offset: bigint;
}

export interface DeleteRecordsTopic {
  name: string;
  partitions: DeleteRecordsPartition[];
}

export interface DeleteRecordsRequest {
  topics: DeleteRecordsTopic[];
  timeoutMs: number;
}

export interface DeleteRecordsPartitionResult {
  partitionIndex: number;
  lowWatermark: bigint;
  errorCode: number;
}

export interface DeleteRecordsTopicResult {
  name: string;
  partitions: DeleteRecordsPartitionResult[];
}

export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  topics: DeleteRecordsTopicResult[];
}

export const DeleteRecords: ApiDescriptor<DeleteRecordsRequest, DeleteRecordsResponse> = {
  key: 21,
  name: 'DeleteRecords',
  min: 0,
  max: 2,
  flexibleFrom: 2,
  encodeRequest(w: Writer, v: number, m: DeleteRecordsRequest): void {
    const flexible = v >= 2;
    w.arrayLength(m.topics.length, flexible);
    for (const t of m.topics) {
      w.string(t.name, flexible);
      w.arrayLength(t.partitions.length, flexible);
      for (const p of t.partitions) {
        w.int32(p.partitionIndex);
        w.int64(p.offset);
        if (flexible) w.emptyTaggedFields();
      }
      if (flexible) w.emptyTaggedFields();
    }
    w.int32(m.timeoutMs);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): DeleteRecordsResponse {
    const flexible = v >= 2;
    const throttleTimeMs = r.int32();
    const topics = r.array(flexible, (t) => readTopic(t, flexible), 3);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, topics };
  },
};

function readTopic(r: Reader, flexible: boolean): DeleteRecordsTopicResult {
  const name = r.string(flexible);
  const partitions = r.array(flexible, (p) => readPartition(p, flexible), 14);
  if (flexible) r.taggedFields();
  return { name, partitions };
}

function readPartition(r: Reader, flexible: boolean): DeleteRecordsPartitionResult {
  const partitionIndex = r.int32();
  const lowWatermark = r.int64();
  const errorCode = r.int16();
  if (flexible) r.taggedFields();
  return { partitionIndex, lowWatermark, errorCode };
}
