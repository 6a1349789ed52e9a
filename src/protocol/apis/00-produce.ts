/**
 * Produce (key 0), v3–v12. A 4.x broker still advertises v0 but rejects v0–v2 (KAFKA-18659),
 * and v3 is the first version that carries RecordBatch v2 and a transactional id.
 * v5: +logStartOffset · v8: +recordErrors, errorMessage (KIP-467) · v9: flexible ·
 * v10: tagged currentLeader and nodeEndpoints (KIP-951) · v11: TRANSACTION_ABORTABLE (KIP-890) ·
 * v12: same bytes as v11; with transaction version 2 a transactional v12 produce adds its
 * partitions to the transaction itself (KIP-890 part 2), so without TV2 a transactional
 * producer must stay at v11 (see src/producer/transaction-manager.ts). v13 (topic ids,
 * KIP-516) is not implemented.
 *
 * `records` is an already encoded RecordBatch (or several, back to back): the producer builds
 * batches in its accumulator and this module only frames them.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface PartitionProduceData {
  index: number;
  records: Uint8Array | null;
}

export interface TopicProduceData {
  name: string;
  partitionData: PartitionProduceData[];
}

export interface ProduceRequest {
  transactionalId: string | null;
  /** 0, 1 or -1 (all in-sync replicas). */
  acks: number;
  timeoutMs: number;
  topicData: TopicProduceData[];
}

export interface BatchIndexAndErrorMessage {
  batchIndex: number;
  batchIndexErrorMessage: string | null;
}

export interface PartitionProduceResponse {
  index: number;
  errorCode: number;
  baseOffset: bigint;
  logAppendTimeMs: bigint; // -1 unless the topic uses LogAppendTime
  logStartOffset: bigint; // v5+
  recordErrors: BatchIndexAndErrorMessage[]; // v8+
  errorMessage: string | null; // v8+
  currentLeader: { leaderId: number; leaderEpoch: number } | null; // v10+, tag 0
}

export interface TopicProduceResponse {
  name: string;
  partitionResponses: PartitionProduceResponse[];
}

export interface NodeEndpoint {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface ProduceResponse {
  responses: TopicProduceResponse[];
  throttleTimeMs: number;
  nodeEndpoints: NodeEndpoint[]; // v10+, tag 0
}

export const Produce: ApiDescriptor<ProduceRequest, ProduceResponse> = {
  key: 0,
  name: 'Produce',
  min: 3,
  max: 12,
  flexibleFrom: 9,
  encodeRequest(w: Writer, v: number, m: ProduceRequest): void {
    const flexible = v >= 9;
    w.nullableString(m.transactionalId, flexible);
    w.int16(m.acks);
    w.int32(m.timeoutMs);
    w.arrayLength(m.topicData.length, flexible);
    for (const t of m.topicData) {
      w.string(t.name, flexible);
      w.arrayLength(t.partitionData.length, flexible);
      for (const p of t.partitionData) {
        w.int32(p.index);
        // Kept by reference by a connection's Writer: the batch goes to the socket uncopied.
        w.sharedBytes(p.records, flexible);
        if (flexible) w.emptyTaggedFields();
      }
      if (flexible) w.emptyTaggedFields();
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): ProduceResponse {
    const flexible = v >= 9;
    const responses = r.array(
      flexible,
      (t) => {
        const name = t.string(flexible);
        const partitionResponses = t.array(flexible, (p) => readPartition(p, v, flexible), 14);
        if (flexible) t.taggedFields();
        return { name, partitionResponses };
      },
      3,
    );
    const throttleTimeMs = r.int32();
    let nodeEndpoints: NodeEndpoint[] = [];
    if (flexible) {
      r.taggedFields((tag, t) => {
        if (tag !== 0) return false;
        nodeEndpoints = t.array(true, readNodeEndpoint, 11);
        return true;
      });
    }
    return { responses, throttleTimeMs, nodeEndpoints };
  },
};

function readPartition(r: Reader, v: number, flexible: boolean): PartitionProduceResponse {
  const p: PartitionProduceResponse = {
    index: r.int32(),
    errorCode: r.int16(),
    baseOffset: r.int64(),
    logAppendTimeMs: r.int64(),
    logStartOffset: v >= 5 ? r.int64() : -1n,
    recordErrors: [],
    errorMessage: null,
    currentLeader: null,
  };
  if (v >= 8) {
    p.recordErrors = r.array(
      flexible,
      (e) => {
        const batchIndex = e.int32();
        const batchIndexErrorMessage = e.nullableString(flexible);
        if (flexible) e.taggedFields();
        return { batchIndex, batchIndexErrorMessage };
      },
      5,
    );
    p.errorMessage = r.nullableString(flexible);
  }
  if (flexible) {
    r.taggedFields((tag, t) => {
      if (tag !== 0) return false;
      const leaderId = t.int32();
      const leaderEpoch = t.int32();
      t.taggedFields();
      p.currentLeader = { leaderId, leaderEpoch };
      return true;
    });
  }
  return p;
}

/** A `nodeEndpoints` entry (Produce v10+, Fetch v16+, ShareFetch, ShareAcknowledge). */
export function readNodeEndpoint(r: Reader): NodeEndpoint {
  const nodeId = r.int32();
  const host = r.string(true);
  const port = r.int32();
  const rack = r.nullableString(true);
  r.taggedFields();
  return { nodeId, host, port, rack };
}
