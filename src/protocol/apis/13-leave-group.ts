/**
 * LeaveGroup (key 13), v0–v5.
 * v1: +throttleTimeMs · v2: responses sent before throttling · v3: several members at once, by
 * member id and/or groupInstanceId, with a result per member (KIP-345) · v4: flexible ·
 * v5: +reason per member (KIP-800).
 *
 * The encoder takes either form: up to v2 a single entry in `members` (without an instance id)
 * is sent as `memberId`, from v3 a `memberId` is sent as one member.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface MemberIdentity {
  /** '' to remove a static member by its groupInstanceId alone. */
  memberId: string;
  groupInstanceId?: string | null;
  reason?: string | null; // v5+ (KIP-800)
}

export interface LeaveGroupRequest {
  groupId: string;
  memberId?: string; // v0–v2
  members?: MemberIdentity[]; // v3+
}

export interface MemberResponse {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export interface LeaveGroupResponse {
  throttleTimeMs: number; // v1+, 0 before
  errorCode: number;
  members: MemberResponse[]; // v3+, [] before
}

export const LeaveGroup: ApiDescriptor<LeaveGroupRequest, LeaveGroupResponse> = {
  key: 13,
  name: 'LeaveGroup',
  min: 0,
  max: 5,
  flexibleFrom: 4,
  encodeRequest(w: Writer, v: number, m: LeaveGroupRequest): void {
    const flexible = v >= 4;
    w.string(m.groupId, flexible);
    if (v <= 2) {
      let memberId = m.memberId;
      if (memberId === undefined) {
        const only = m.members?.length === 1 ? m.members[0] : undefined;
        if (!only || only.groupInstanceId != null)
          throw new UnsupportedVersionError(
            `LeaveGroup v${v} removes one member by member id (v3+ batches them)`,
          );
        memberId = only.memberId;
      }
      w.string(memberId, false);
    } else {
      const members = m.members ?? (m.memberId !== undefined ? [{ memberId: m.memberId }] : []);
      w.arrayLength(members.length, flexible);
      for (const x of members) {
        w.string(x.memberId, flexible);
        w.nullableString(x.groupInstanceId, flexible);
        if (v >= 5) w.nullableString(x.reason, flexible);
        if (flexible) w.emptyTaggedFields();
      }
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): LeaveGroupResponse {
    const flexible = v >= 4;
    const throttleTimeMs = v >= 1 ? r.int32() : 0;
    const errorCode = r.int16();
    const members = v >= 3 ? r.array(flexible, (m) => readMember(m, flexible), 4) : [];
    if (flexible) r.taggedFields();
    return { throttleTimeMs, errorCode, members };
  },
};

function readMember(r: Reader, flexible: boolean): MemberResponse {
  const memberId = r.string(flexible);
  const groupInstanceId = r.nullableString(flexible);
  const errorCode = r.int16();
  if (flexible) r.taggedFields();
  return { memberId, groupInstanceId, errorCode };
}
