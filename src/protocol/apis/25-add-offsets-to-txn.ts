/**
 * AddOffsetsToTxn (key 25), v0–v4: tells the transaction coordinator that the transaction will
 * commit offsets of a consumer group (it then writes the markers to that group's offsets
 * partition too). Not sent with transaction version 2, where TxnOffsetCommit v5 does it itself.
 * v1: same as v0 · v2: PRODUCER_FENCED error · v3: flexible · v4: TRANSACTION_ABORTABLE (KIP-890).
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: bigint;
  producerEpoch: number;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export const AddOffsetsToTxn: ApiDescriptor<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse> = {
  key: 25,
  name: 'AddOffsetsToTxn',
  min: 0,
  max: 4,
  flexibleFrom: 3,
  encodeRequest(w: Writer, v: number, m: AddOffsetsToTxnRequest): void {
    const flexible = v >= 3;
    w.string(m.transactionalId, flexible);
    w.int64(m.producerId);
    w.int16(m.producerEpoch);
    w.string(m.groupId, flexible);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): AddOffsetsToTxnResponse {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    if (v >= 3) r.taggedFields();
    return { throttleTimeMs, errorCode };
  },
};
