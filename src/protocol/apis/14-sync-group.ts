/**
 * SyncGroup (key 14), v0–v5: the leader hands in every member's assignment, and every member
 * gets its own back.
 * v1: +throttleTimeMs · v2: responses sent before throttling · v3: +groupInstanceId (KIP-345) ·
 * v4: flexible · v5: +protocolType, protocolName both ways, checked by the broker (KIP-559).
 *
 * Assignments are opaque here: for consumer groups (protocolType "consumer") they are
 * ConsumerProtocol assignments, see ../consumer-protocol.ts.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface SyncGroupRequestAssignment {
  memberId: string;
  assignment: Uint8Array;
}

export interface SyncGroupRequest {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId?: string | null; // v3+ (KIP-345)
  protocolType?: string | null; // v5+
  protocolName?: string | null; // v5+
  /** Every member's assignment from the leader; empty from the other members. */
  assignments: SyncGroupRequestAssignment[];
}

export interface SyncGroupResponse {
  throttleTimeMs: number; // v1+, 0 before
  errorCode: number;
  protocolType: string | null; // v5+, null before
  protocolName: string | null; // v5+, null before
  assignment: Buffer;
}

export const SyncGroup: ApiDescriptor<SyncGroupRequest, SyncGroupResponse> = {
  key: 14,
  name: 'SyncGroup',
  min: 0,
  max: 5,
  flexibleFrom: 4,
  encodeRequest(w: Writer, v: number, m: SyncGroupRequest): void {
    const flexible = v >= 4;
    w.string(m.groupId, flexible);
    w.int32(m.generationId);
    w.string(m.memberId, flexible);
    if (v >= 3) w.nullableString(m.groupInstanceId, flexible);
    else if (m.groupInstanceId != null)
      throw new UnsupportedVersionError(
        `SyncGroup v${v} has no groupInstanceId (static membership needs v3+)`,
      );
    if (v >= 5) {
      w.nullableString(m.protocolType, flexible);
      w.nullableString(m.protocolName, flexible);
    }
    w.arrayLength(m.assignments.length, flexible);
    for (const a of m.assignments) {
      w.string(a.memberId, flexible);
      w.bytes(a.assignment, flexible);
      if (flexible) w.emptyTaggedFields();
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): SyncGroupResponse {
    const flexible = v >= 4;
    const throttleTimeMs = v >= 1 ? r.int32() : 0;
    const errorCode = r.int16();
    const protocolType = v >= 5 ? r.nullableString(flexible) : null;
    const protocolName = v >= 5 ? r.nullableString(flexible) : null;
    const assignment = r.bytes(flexible);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, errorCode, protocolType, protocolName, assignment };
  },
};
