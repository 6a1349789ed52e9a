/**
 * DeleteTopics (key 20), v1–v6 (v0 is gone from 4.x brokers, KIP-896).
 * v1: +throttleTimeMs · v2: throttled responses come before the throttle · v3: may answer
 * TOPIC_DELETION_DISABLED · v4: flexible · v5: +errorMessage, THROTTLING_QUOTA_EXCEEDED (KIP-599) ·
 * v6: topics by name or by id (`topics` replaces `topicNames`), results carry the topic id
 * (KIP-516).
 *
 * A request may give either list: `topicNames` is turned into `topics` from v6, and `topics` into
 * `topicNames` before v6 (where a topic given only by id cannot be sent).
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import { ZERO_UUID } from '../uuid.js';
import type { Writer } from '../writer.js';

export interface DeleteTopicState {
  /** The topic name, or null to delete by id. */
  name: string | null;
  topicId?: string; // default ZERO_UUID (by name)
}

export interface DeleteTopicsRequest {
  topics?: DeleteTopicState[]; // v6+
  topicNames?: string[]; // v0–v5
  timeoutMs: number;
}

export interface DeletableTopicResult {
  name: string | null; // null v6+ when deleted by id
  topicId: string; // v6+, ZERO_UUID before
  errorCode: number;
  errorMessage: string | null; // v5+, null before
}

export interface DeleteTopicsResponse {
  throttleTimeMs: number; // v1+
  responses: DeletableTopicResult[];
}

export const DeleteTopics: ApiDescriptor<DeleteTopicsRequest, DeleteTopicsResponse> = {
  key: 20,
  name: 'DeleteTopics',
  min: 1,
  max: 6,
  flexibleFrom: 4,
  encodeRequest(w: Writer, v: number, m: DeleteTopicsRequest): void {
    const flexible = v >= 4;
    if (v >= 6) {
      const topics = m.topics ?? (m.topicNames ?? []).map((name) => ({ name, topicId: ZERO_UUID }));
      w.arrayLength(topics.length, true);
      for (const t of topics) {
        w.nullableString(t.name, true);
        w.uuid(t.topicId ?? ZERO_UUID);
        w.emptyTaggedFields();
      }
    } else {
      const names = m.topicNames ?? (m.topics ?? []).map((t) => topicName(v, t));
      w.arrayLength(names.length, flexible);
      for (const name of names) w.string(name, flexible);
    }
    w.int32(m.timeoutMs);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): DeleteTopicsResponse {
    const flexible = v >= 4;
    const throttleTimeMs = r.int32();
    // Smallest result: an empty name and an error code (plus a tagged-field count when flexible).
    const responses = r.array(flexible, (t) => readResult(t, v, flexible), 4);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, responses };
  },
};

function topicName(v: number, t: DeleteTopicState): string {
  if (t.name === null) throw new UnsupportedVersionError(`DeleteTopics v${v} cannot delete a topic by id`);
  return t.name;
}

function readResult(r: Reader, v: number, flexible: boolean): DeletableTopicResult {
  const name = v >= 6 ? r.nullableString(flexible) : r.string(flexible);
  const topicId = v >= 6 ? r.uuid() : ZERO_UUID;
  const errorCode = r.int16();
  const errorMessage = v >= 5 ? r.nullableString(flexible) : null;
  if (flexible) r.taggedFields();
  return { name, topicId, errorCode, errorMessage };
}
