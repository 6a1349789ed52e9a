/**
 * Heartbeat (key 12), v0–v4: a classic group member's liveness signal, and how it learns that a
 * rebalance has started (REBALANCE_IN_PROGRESS).
 * v1: +throttleTimeMs · v2: responses sent before throttling · v3: +groupInstanceId (KIP-345) ·
 * v4: flexible.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface HeartbeatRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null; // v3+ (KIP-345)
}

export interface HeartbeatResponse {
  throttleTimeMs: number; // v1+, 0 before
  errorCode: number;
}

export const Heartbeat: ApiDescriptor<HeartbeatRequest, HeartbeatResponse> = {
  key: 12,
  name: 'Heartbeat',
  min: 0,
  max: 4,
  flexibleFrom: 4,
  encodeRequest(w: Writer, v: number, m: HeartbeatRequest): void {
    const flexible = v >= 4;
    w.string(m.groupId, flexible);
    w.int32(m.generationId);
    w.string(m.memberId, flexible);
    if (v >= 3) w.nullableString(m.groupInstanceId, flexible);
    else if (m.groupInstanceId != null)
      throw new UnsupportedVersionError(
        `Heartbeat v${v} has no groupInstanceId (static membership needs v3+)`,
      );
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): HeartbeatResponse {
    const throttleTimeMs = v >= 1 ? r.int32() : 0;
    const errorCode = r.int16();
    if (v >= 4) r.taggedFields();
    return { throttleTimeMs, errorCode };
  },
};
