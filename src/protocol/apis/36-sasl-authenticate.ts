/**
 * SaslAuthenticate (key 36), v0–v2: one SASL token from the client, one back from the broker
 * (KIP-152). v1: +sessionLifetimeMs, after which the connection must re-authenticate (KIP-368) ·
 * v2: flexible.
 *
 * The tokens are secrets (a PLAIN token holds the password): nothing here copies or logs them,
 * and the decoded `authBytes` is a view into the response frame, read before the next frame.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface SaslAuthenticateRequest {
  /** The SASL authentication bytes from the client, as the mechanism defines them. */
  authBytes: Uint8Array;
}

export interface SaslAuthenticateResponse {
  errorCode: number;
  errorMessage: string | null;
  /** The SASL authentication bytes from the broker, as the mechanism defines them. */
  authBytes: Buffer;
  /** 0 when the session does not expire. */
  sessionLifetimeMs: bigint; // v1+, 0n before
}

export const SaslAuthenticate: ApiDescriptor<SaslAuthenticateRequest, SaslAuthenticateResponse> = {
  key: 36,
  name: 'SaslAuthenticate',
  min: 0,
  max: 2,
  flexibleFrom: 2,
  encodeRequest(w: Writer, v: number, m: SaslAuthenticateRequest): void {
    const flexible = v >= 2;
    w.bytes(m.authBytes, flexible);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): SaslAuthenticateResponse {
    const flexible = v >= 2;
    const errorCode = r.int16();
    const errorMessage = r.nullableString(flexible);
    const authBytes = r.bytes(flexible);
    const sessionLifetimeMs = v >= 1 ? r.int64() : 0n;
    if (flexible) r.taggedFields();
    return { errorCode, errorMessage, authBytes, sessionLifetimeMs };
  },
};
