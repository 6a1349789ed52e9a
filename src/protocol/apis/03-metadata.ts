/**
 * Metadata (key 3), v0–v12.
 * v1: null topics = all, +rack, controllerId, isInternal · v2: +clusterId · v3: +throttleTimeMs ·
 * v4: +allowAutoTopicCreation · v5: +offlineReplicas · v7: +leaderEpoch ·
 * v8: +authorized operations (KIP-430) · v9: flexible · v10: +topicId (KIP-516) ·
 * v11: -includeClusterAuthorizedOperations (KIP-700) · v12: topics by id, null names allowed.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import { ZERO_UUID } from '../uuid.js';
import type { Writer } from '../writer.js';

export interface MetadataRequestTopic {
  topicId?: string; // v10+ (base64url UUID; ZERO_UUID when asking by name)
  name: string | null; // null only v10+ (ask by id)
}

export interface MetadataRequest {
  /** null asks for every topic (v0 encodes that as an empty array). */
  topics: MetadataRequestTopic[] | null;
  allowAutoTopicCreation?: boolean; // v4+, default true
  includeClusterAuthorizedOperations?: boolean; // v8–v10
  includeTopicAuthorizedOperations?: boolean; // v8+
}

export interface MetadataResponseBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null; // v1+
}

export interface MetadataResponsePartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number; // v7+, -1 before
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[]; // v5+
}

export interface MetadataResponseTopic {
  errorCode: number;
  name: string | null; // null v12+ for unknown topic ids
  topicId: string; // v10+, ZERO_UUID before
  isInternal: boolean; // v1+
  partitions: MetadataResponsePartition[];
  topicAuthorizedOperations: number; // v8+, INT32_MIN when not requested
}

export interface MetadataResponse {
  throttleTimeMs: number; // v3+
  brokers: MetadataResponseBroker[];
  clusterId: string | null; // v2+
  controllerId: number; // v1+, -1 before
  topics: MetadataResponseTopic[];
  clusterAuthorizedOperations: number; // v8–v10
}

const AUTHORIZED_OPERATIONS_UNSET = -2147483648;

export const Metadata: ApiDescriptor<MetadataRequest, MetadataResponse> = {
  key: 3,
  name: 'Metadata',
  min: 0,
  max: 12,
  flexibleFrom: 9,
  encodeRequest(w: Writer, v: number, m: MetadataRequest): void {
    const flexible = v >= 9;
    if (m.topics === null) {
      if (v === 0) w.int32(0);
      else w.arrayLength(null, flexible);
    } else {
      w.arrayLength(m.topics.length, flexible);
      for (const t of m.topics) {
        if (v >= 10) w.uuid(t.topicId ?? ZERO_UUID);
        if (v >= 10) w.nullableString(t.name, flexible);
        else if (t.name === null)
          throw new UnsupportedVersionError(`Metadata v${v} cannot ask for a topic by id`);
        else w.string(t.name, flexible);
        if (flexible) w.emptyTaggedFields();
      }
    }
    if (v >= 4) w.boolean(m.allowAutoTopicCreation ?? true);
    if (v >= 8 && v <= 10) w.boolean(m.includeClusterAuthorizedOperations ?? false);
    if (v >= 8) w.boolean(m.includeTopicAuthorizedOperations ?? false);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): MetadataResponse {
    const flexible = v >= 9;
    const throttleTimeMs = v >= 3 ? r.int32() : 0;
    const brokers = r.array(flexible, (b) => readBroker(b, v, flexible), 10);
    const clusterId = v >= 2 ? r.nullableString(flexible) : null;
    const controllerId = v >= 1 ? r.int32() : -1;
    const topics = r.array(flexible, (t) => readTopic(t, v, flexible), 8);
    const clusterAuthorizedOperations = v >= 8 && v <= 10 ? r.int32() : AUTHORIZED_OPERATIONS_UNSET;
    if (flexible) r.taggedFields();
    return { throttleTimeMs, brokers, clusterId, controllerId, topics, clusterAuthorizedOperations };
  },
};

function readBroker(r: Reader, v: number, flexible: boolean): MetadataResponseBroker {
  const nodeId = r.int32();
  const host = r.string(flexible);
  const port = r.int32();
  const rack = v >= 1 ? r.nullableString(flexible) : null;
  if (flexible) r.taggedFields();
  return { nodeId, host, port, rack };
}

function readTopic(r: Reader, v: number, flexible: boolean): MetadataResponseTopic {
  const errorCode = r.int16();
  const name = v >= 12 ? r.nullableString(flexible) : r.string(flexible);
  const topicId = v >= 10 ? r.uuid() : ZERO_UUID;
  const isInternal = v >= 1 ? r.boolean() : false;
  const partitions = r.array(flexible, (p) => readPartition(p, v, flexible), 14);
  const topicAuthorizedOperations = v >= 8 ? r.int32() : AUTHORIZED_OPERATIONS_UNSET;
  if (flexible) r.taggedFields();
  return { errorCode, name, topicId, isInternal, partitions, topicAuthorizedOperations };
}

function readPartition(r: Reader, v: number, flexible: boolean): MetadataResponsePartition {
  const errorCode = r.int16();
  const partitionIndex = r.int32();
  const leaderId = r.int32();
  const leaderEpoch = v >= 7 ? r.int32() : -1;
  const replicaNodes = r.array(flexible, readInt32, 4);
  const isrNodes = r.array(flexible, readInt32, 4);
  const offlineReplicas = v >= 5 ? r.array(flexible, readInt32, 4) : [];
  if (flexible) r.taggedFields();
  return { errorCode, partitionIndex, leaderId, leaderEpoch, replicaNodes, isrNodes, offlineReplicas };
}

function readInt32(r: Reader): number {
  return r.int32();
}
