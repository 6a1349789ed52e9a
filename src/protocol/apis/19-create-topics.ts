/**
 * CreateTopics (key 19), v2–v7 (v0–v1 are gone from 4.x brokers, KIP-896).
 * v1: +validateOnly, +errorMessage · v2: +throttleTimeMs · v4: -1 partitions/replication use
 * the broker defaults (KIP-464) · v5: flexible; result carries partitions, replication factor,
 * configs and a tagged topicConfigErrorCode (KIP-525) · v7: +topicId (KIP-516).
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import { ZERO_UUID } from '../uuid.js';
import type { Writer } from '../writer.js';

export interface CreatableReplicaAssignment {
  partitionIndex: number;
  brokerIds: number[];
}

export interface CreatableTopicConfig {
  name: string;
  value: string | null;
}

export interface CreatableTopic {
  name: string;
  /** -1 for the broker default (or when `assignments` is given). */
  numPartitions: number;
  /** -1 for the broker default (or when `assignments` is given). */
  replicationFactor: number;
  assignments?: CreatableReplicaAssignment[];
  configs?: CreatableTopicConfig[];
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly?: boolean; // v1+
}

export interface CreatableTopicConfigs {
  name: string;
  value: string | null;
  readOnly: boolean;
  configSource: number;
  isSensitive: boolean;
}

export interface CreatableTopicResult {
  name: string;
  topicId: string; // v7+
  errorCode: number;
  errorMessage: string | null; // v1+
  topicConfigErrorCode: number; // v5+, tag 0
  numPartitions: number; // v5+
  replicationFactor: number; // v5+
  configs: CreatableTopicConfigs[] | null; // v5+
}

export interface CreateTopicsResponse {
  throttleTimeMs: number; // v2+
  topics: CreatableTopicResult[];
}

export const CreateTopics: ApiDescriptor<CreateTopicsRequest, CreateTopicsResponse> = {
  key: 19,
  name: 'CreateTopics',
  min: 2,
  max: 7,
  flexibleFrom: 5,
  encodeRequest(w: Writer, v: number, m: CreateTopicsRequest): void {
    const flexible = v >= 5;
    w.arrayLength(m.topics.length, flexible);
    for (const t of m.topics) {
      w.string(t.name, flexible);
      w.int32(t.numPartitions);
      w.int16(t.replicationFactor);
      const assignments = t.assignments ?? [];
      w.arrayLength(assignments.length, flexible);
      for (const a of assignments) {
        w.int32(a.partitionIndex);
        w.arrayLength(a.brokerIds.length, flexible);
        for (const id of a.brokerIds) w.int32(id);
        if (flexible) w.emptyTaggedFields();
      }
      const configs = t.configs ?? [];
      w.arrayLength(configs.length, flexible);
      for (const c of configs) {
        w.string(c.name, flexible);
        w.nullableString(c.value, flexible);
        if (flexible) w.emptyTaggedFields();
      }
      if (flexible) w.emptyTaggedFields();
    }
    w.int32(m.timeoutMs);
    w.boolean(m.validateOnly ?? false);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): CreateTopicsResponse {
    const flexible = v >= 5;
    const throttleTimeMs = r.int32();
    const topics = r.array(flexible, (t) => readResult(t, v, flexible), 4);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, topics };
  },
};

function readResult(r: Reader, v: number, flexible: boolean): CreatableTopicResult {
  const res: CreatableTopicResult = {
    name: r.string(flexible),
    topicId: v >= 7 ? r.uuid() : ZERO_UUID,
    errorCode: r.int16(),
    errorMessage: r.nullableString(flexible),
    topicConfigErrorCode: 0,
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
  };
  if (v >= 5) {
    res.numPartitions = r.int32();
    res.replicationFactor = r.int16();
    res.configs = r.nullableArray(flexible, readConfig, 5);
    r.taggedFields((tag, t) => {
      if (tag !== 0) return false;
      res.topicConfigErrorCode = t.int16();
      return true;
    });
  }
  return res;
}

function readConfig(r: Reader): CreatableTopicConfigs {
  const name = r.string(true);
  const value = r.nullableString(true);
  const readOnly = r.boolean();
  const configSource = r.int8();
  const isSensitive = r.boolean();
  r.taggedFields();
  return { name, value, readOnly, configSource, isSensitive };
}
