/**
 * SaslHandshake (key 17), v1 only: the client names a SASL mechanism and the broker answers with
 * the mechanisms it enables (UNSUPPORTED_SASL_MECHANISM when ours is not one of them).
 * v0 (raw SASL tokens after the handshake) is deprecated and gone from 4.x brokers for SASL
 * itself (KIP-896): v1 means the tokens travel in SaslAuthenticate requests (KIP-152).
 * Never flexible. Also sent again on an authenticated connection to re-authenticate (KIP-368).
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface SaslHandshakeRequest {
  /** The SASL mechanism chosen by the client, e.g. "SCRAM-SHA-512". */
  mechanism: string;
}

export interface SaslHandshakeResponse {
  errorCode: number;
  /** The mechanisms enabled on the broker's listener. */
  mechanisms: string[];
}

export const SaslHandshake: ApiDescriptor<SaslHandshakeRequest, SaslHandshakeResponse> = {
  key: 17,
  name: 'SaslHandshake',
  min: 1,
  max: 1,
  flexibleFrom: Number.POSITIVE_INFINITY,
  encodeRequest(w: Writer, _v: number, m: SaslHandshakeRequest): void {
    w.string(m.mechanism, false);
  },
  decodeResponse(r: Reader, _v: number): SaslHandshakeResponse {
    const errorCode = r.int16();
    // Smallest mechanism: an empty string (its int16 length).
    const mechanisms = r.array(false, (x) => x.string(false), 2);
    return { errorCode, mechanisms };
  },
};
