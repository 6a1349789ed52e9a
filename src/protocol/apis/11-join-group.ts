/**
 * JoinGroup (key 11), v2–v9 (4.0 brokers reject v0–v1, KIP-896; 4.1+ take them again for old
 * librdkafka clients, but v2 is the floor that every 4.x broker accepts).
 * v1: +rebalanceTimeoutMs · v2: +throttleTimeMs · v3: responses sent before throttling ·
 * v4: a new member gets MEMBER_ID_REQUIRED and a member id, and joins again with it (KIP-394) ·
 * v5: +groupInstanceId (KIP-345) · v6: flexible · v7: +protocolType in the response, nullable
 * protocolName (KIP-559) · v8: +reason (KIP-800) · v9: +skipAssignment in the response.
 *
 * Each protocol's `metadata`, and each member's in the leader's response, is opaque here: for
 * consumer groups (protocolType "consumer") it is a ConsumerProtocol subscription, see
 * ../consumer-protocol.ts.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface JoinGroupRequestProtocol {
  /** The assignor's name, e.g. "range" or "cooperative-sticky". */
  name: string;
  metadata: Uint8Array;
}

export interface JoinGroupRequest {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  /** '' on the first join; from v4 the id the broker handed out with MEMBER_ID_REQUIRED. */
  memberId: string;
  groupInstanceId?: string | null; // v5+ (KIP-345)
  protocolType: string;
  protocols: JoinGroupRequestProtocol[];
  reason?: string | null; // v8+ (KIP-800)
}

export interface JoinGroupResponseMember {
  memberId: string;
  groupInstanceId: string | null; // v5+, null before
  metadata: Buffer;
}

export interface JoinGroupResponse {
  throttleTimeMs: number; // v2+
  errorCode: number;
  generationId: number;
  protocolType: string | null; // v7+, null before
  /** Null only v7+ (when the join failed). */
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean; // v9+, false before
  memberId: string;
  /** Every member with its metadata, for the leader; empty for the others. */
  members: JoinGroupResponseMember[];
}

export const JoinGroup: ApiDescriptor<JoinGroupRequest, JoinGroupResponse> = {
  key: 11,
  name: 'JoinGroup',
  min: 2,
  max: 9,
  flexibleFrom: 6,
  encodeRequest(w: Writer, v: number, m: JoinGroupRequest): void {
    const flexible = v >= 6;
    w.string(m.groupId, flexible);
    w.int32(m.sessionTimeoutMs);
    w.int32(m.rebalanceTimeoutMs);
    w.string(m.memberId, flexible);
    if (v >= 5) w.nullableString(m.groupInstanceId, flexible);
    else if (m.groupInstanceId != null)
      throw new UnsupportedVersionError(
        `JoinGroup v${v} has no groupInstanceId (static membership needs v5+)`,
      );
    w.string(m.protocolType, flexible);
    w.arrayLength(m.protocols.length, flexible);
    for (const p of m.protocols) {
      w.string(p.name, flexible);
      w.bytes(p.metadata, flexible);
      if (flexible) w.emptyTaggedFields();
    }
    if (v >= 8) w.nullableString(m.reason, flexible);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): JoinGroupResponse {
    const flexible = v >= 6;
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const generationId = r.int32();
    const protocolType = v >= 7 ? r.nullableString(flexible) : null;
    const protocolName = v >= 7 ? r.nullableString(flexible) : r.string(flexible);
    const leader = r.string(flexible);
    const skipAssignment = v >= 9 ? r.boolean() : false;
    const memberId = r.string(flexible);
    const members = r.array(flexible, (m) => readMember(m, v, flexible), 3);
    if (flexible) r.taggedFields();
    return {
      throttleTimeMs,
      errorCode,
      generationId,
      protocolType,
      protocolName,
      leader,
      skipAssignment,
      memberId,
      members,
    };
  },
};

function readMember(r: Reader, v: number, flexible: boolean): JoinGroupResponseMember {
  const memberId = r.string(flexible);
  const groupInstanceId = v >= 5 ? r.nullableString(flexible) : null;
  const metadata = r.bytes(flexible);
  if (flexible) r.taggedFields();
  return { memberId, groupInstanceId, metadata };
}
