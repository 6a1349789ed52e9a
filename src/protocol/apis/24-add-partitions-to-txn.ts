/**
 * AddPartitionsToTxn (key 24), v0–v3: the client form (v4+ batch several transactions and are
 * sent by brokers to the transaction coordinator, KIP-890 part 1).
 * v1: same as v0 · v2: PRODUCER_FENCED error · v3: flexible.
 *
 * Used by a transactional producer before the first batch to a partition when the cluster has
 * no transaction version 2; with TV2 a Produce v12+ adds the partition itself (KIP-890 part 2).
 * The field names carry the schema's `V3AndBelow` prefix so they can be searched in Kafka's docs.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface AddPartitionsToTxnTopic {
  name: string;
  partitions: number[];
}

export interface AddPartitionsToTxnRequest {
  v3AndBelowTransactionalId: string;
  v3AndBelowProducerId: bigint;
  v3AndBelowProducerEpoch: number;
  v3AndBelowTopics: AddPartitionsToTxnTopic[];
}

export interface AddPartitionsToTxnPartitionResult {
  partitionIndex: number;
  partitionErrorCode: number;
}

export interface AddPartitionsToTxnTopicResult {
  name: string;
  resultsByPartition: AddPartitionsToTxnPartitionResult[];
}

export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  resultsByTopicV3AndBelow: AddPartitionsToTxnTopicResult[];
}

export const AddPartitionsToTxn: ApiDescriptor<AddPartitionsToTxnRequest, AddPartitionsToTxnResponse> = {
  key: 24,
  name: 'AddPartitionsToTxn',
  min: 0,
  max: 3,
  flexibleFrom: 3,
  encodeRequest(w: Writer, v: number, m: AddPartitionsToTxnRequest): void {
    const flexible = v >= 3;
    w.string(m.v3AndBelowTransactionalId, flexible);
    w.int64(m.v3AndBelowProducerId);
    w.int16(m.v3AndBelowProducerEpoch);
    w.arrayLength(m.v3AndBelowTopics.length, flexible);
    for (const t of m.v3AndBelowTopics) {
      w.string(t.name, flexible);
      w.arrayLength(t.partitions.length, flexible);
      for (const p of t.partitions) w.int32(p);
      if (flexible) w.emptyTaggedFields();
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): AddPartitionsToTxnResponse {
    const flexible = v >= 3;
    const throttleTimeMs = r.int32();
    const resultsByTopicV3AndBelow = r.array(
      flexible,
      (t) => {
        const name = t.string(flexible);
        const resultsByPartition = t.array(
          flexible,
          (p) => {
            const partitionIndex = p.int32();
            const partitionErrorCode = p.int16();
            if (flexible) p.taggedFields();
            return { partitionIndex, partitionErrorCode };
          },
          6,
        );
        if (flexible) t.taggedFields();
        return { name, resultsByPartition };
      },
      2,
    );
    if (flexible) r.taggedFields();
    return { throttleTimeMs, resultsByTopicV3AndBelow };
  },
};
