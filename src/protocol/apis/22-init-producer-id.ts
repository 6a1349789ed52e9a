/**
 * InitProducerId (key 22), v0–v5.
 * v1: same as v0 · v2: flexible · v3: +producerId/producerEpoch, so an idempotent producer can
 * bump its epoch instead of getting a new id (KIP-360) · v4: PRODUCER_FENCED error · v5: same.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId?: bigint; // v3+, default -1
  producerEpoch?: number; // v3+, default -1
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: bigint;
  producerEpoch: number;
}

export const InitProducerId: ApiDescriptor<InitProducerIdRequest, InitProducerIdResponse> = {
  key: 22,
  name: 'InitProducerId',
  min: 0,
  max: 5,
  flexibleFrom: 2,
  encodeRequest(w: Writer, v: number, m: InitProducerIdRequest): void {
    const flexible = v >= 2;
    w.nullableString(m.transactionalId, flexible);
    w.int32(m.transactionTimeoutMs);
    if (v >= 3) {
      w.int64(m.producerId ?? -1n);
      w.int16(m.producerEpoch ?? -1);
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): InitProducerIdResponse {
    const res = {
      throttleTimeMs: r.int32(),
      errorCode: r.int16(),
      producerId: r.int64(),
      producerEpoch: r.int16(),
    };
    if (v >= 2) r.taggedFields();
    return res;
  },
};
