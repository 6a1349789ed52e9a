/**
 * EndTxn (key 26), v0–v5: commits or aborts a transaction at its coordinator.
 * v1: same as v0 · v2: PRODUCER_FENCED error · v3: flexible · v4: TRANSACTION_ABORTABLE
 * (KIP-890) · v5: the response carries the producer id and the epoch bumped for the next
 * transaction (transaction version 2, KIP-890 part 2).
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface EndTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  /** True to commit, false to abort. */
  committed: boolean;
}

export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint; // v5+, -1n before
  producerEpoch: number; // v5+, -1 before
}

export const EndTxn: ApiDescriptor<EndTxnRequest, EndTxnResponse> = {
  key: 26,
  name: 'EndTxn',
  min: 0,
  max: 5,
  flexibleFrom: 3,
  encodeRequest(w: Writer, v: number, m: EndTxnRequest): void {
    const flexible = v >= 3;
    w.string(m.transactionalId, flexible);
    w.int64(m.producerId);
    w.int16(m.producerEpoch);
    w.boolean(m.committed);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): EndTxnResponse {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    let producerId = -1n;
    let producerEpoch = -1;
    if (v >= 5) {
      producerId = r.int64();
      producerEpoch = r.int16();
    }
    if (v >= 3) r.taggedFields();
    return { throttleTimeMs, errorCode, producerId, producerEpoch };
  },
};
