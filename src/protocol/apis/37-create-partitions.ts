/**
 * CreatePartitions (key 37), v0–v3 (KIP-195).
 * v1: throttled responses come before the throttle · v2: flexible · v3: may answer
 * THROTTLING_QUOTA_EXCEEDED (KIP-599).
 *
 * `count` is the topic's new total, not the number to add; a count at or below the current one is
 * INVALID_PARTITIONS. Sent to the controller in ZooKeeper days, to any broker under KRaft.
 * Java: `Admin.createPartitions`.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface CreatePartitionsAssignment {
  /** Replicas of one new partition, the preferred leader first. */
  brokerIds: number[];
}

export interface CreatePartitionsTopic {
  name: string;
  /** The new partition count. */
  count: number;
  /** One per new partition, or null to let the controller place them. Default null. */
  assignments?: CreatePartitionsAssignment[] | null;
}

export interface CreatePartitionsRequest {
  topics: CreatePartitionsTopic[];
  timeoutMs: number;
  /** Validate without creating anything. Default false. */
  validateOnly?: boolean;
}

export interface CreatePartitionsTopicResult {
  name: string;
  errorCode: number;
  errorMessage: string | null;
}

export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: CreatePartitionsTopicResult[];
}

export const CreatePartitions: ApiDescriptor<CreatePartitionsRequest, CreatePartitionsResponse> = {
  key: 37,
  name: 'CreatePartitions',
  min: 0,
  max: 3,
  flexibleFrom: 2,
  encodeRequest(w: Writer, v: number, m: CreatePartitionsRequest): void {
    const flexible = v >= 2;
    w.arrayLength(m.topics.length, flexible);
    for (const t of m.topics) {
      w.string(t.name, flexible);
      w.int32(t.count);
      const assignments = t.assignments ?? null;
      w.arrayLength(assignments === null ? null : assignments.length, flexible);
      if (assignments !== null) {
        for (const a of assignments) {
          w.arrayLength(a.brokerIds.length, flexible);
          for (const id of a.brokerIds) w.int32(id);
          if (flexible) w.emptyTaggedFields();
        }
      }
      if (flexible) w.emptyTaggedFields();
    }
    w.int32(m.timeoutMs);
    w.boolean(m.validateOnly ?? false);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): CreatePartitionsResponse {
    const flexible = v >= 2;
    const throttleTimeMs = r.int32();
    // Smallest result: empty name, error code, null message.
    const results = r.array(flexible, (t) => readResult(t, flexible), 4);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, results };
  },
};

function readResult(r: Reader, flexible: boolean): CreatePartitionsTopicResult {
  const name = r.string(flexible);
  const errorCode = r.int16();
  const errorMessage = r.nullableString(flexible);
  if (flexible) r.taggedFields();
  return { name, errorCode, errorMessage };
}
