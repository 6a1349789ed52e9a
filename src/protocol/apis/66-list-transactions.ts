/**
 * ListTransactions (key 66), v0–v2 (KIP-664): the transactional ids a broker coordinates,
 * filtered by state and producer id. v1: +durationFilter, only transactions running longer than
 * it (KIP-994) · v2: +transactionalIdPattern, a regular expression (KIP-1152).
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface ListTransactionsRequest {
  stateFilters: string[];
  producerIdFilters: bigint[];
  durationFilter?: bigint; // v1+, default -1n (no filter)
  transactionalIdPattern?: string | null; // v2+, default null (no filter)
}

export interface ListTransactionsState {
  transactionalId: string;
  producerId: bigint;
  transactionState: string;
}

export interface ListTransactionsResponse {
  throttleTimeMs: number;
  errorCode: number;
  unknownStateFilters: string[];
  transactionStates: ListTransactionsState[];
}

export const ListTransactions: ApiDescriptor<ListTransactionsRequest, ListTransactionsResponse> = {
  key: 66,
  name: 'ListTransactions',
  min: 0,
  max: 2,
  flexibleFrom: 0,
  encodeRequest(w: Writer, v: number, m: ListTransactionsRequest): void {
    w.arrayLength(m.stateFilters.length, true);
    for (const s of m.stateFilters) w.string(s, true);
    w.arrayLength(m.producerIdFilters.length, true);
    for (const id of m.producerIdFilters) w.int64(id);
    if (v >= 1) w.int64(m.durationFilter ?? -1n);
    else if ((m.durationFilter ?? -1n) >= 0n)
      throw new UnsupportedVersionError(`ListTransactions v${v} cannot filter by duration (v1+, KIP-994)`);
    if (v >= 2) w.nullableString(m.transactionalIdPattern ?? null, true);
    else if (m.transactionalIdPattern)
      throw new UnsupportedVersionError(
        `ListTransactions v${v} cannot filter by transactional id pattern (v2+, KIP-1152)`,
      );
    w.emptyTaggedFields();
  },
  decodeResponse(r: Reader): ListTransactionsResponse {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const unknownStateFilters = r.array(true, (s) => s.string(true), 1);
    const transactionStates = r.array(
      true,
      (t) => {
        const transactionalId = t.string(true);
        const producerId = t.int64();
        const transactionState = t.string(true);
        t.taggedFields();
        return { transactionalId, producerId, transactionState };
      },
      11,
    );
    r.taggedFields();
    return { throttleTimeMs, errorCode, unknownStateFilters, transactionStates };
  },
};
