/**
 * DescribeGroups (key 15), v0–v5: classic groups' state, protocol and members. (A KIP-848
 * consumer group answers here too, converted; ConsumerGroupDescribe shows it as it is.)
 * v1: +throttleTimeMs · v2: responses sent before throttling · v3: +includeAuthorizedOperations,
 * +authorizedOperations (KIP-430) · v4: +groupInstanceId per member (KIP-345) · v5: flexible.
 *
 * memberMetadata and memberAssignment are only filled in for a Stable group; for consumer groups
 * they are ConsumerProtocol subscription and assignment bytes (../consumer-protocol.ts).
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface DescribeGroupsRequest {
  groups: string[];
  includeAuthorizedOperations?: boolean; // v3+, default false
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null; // v4+, null before
  clientId: string;
  clientHost: string;
  memberMetadata: Buffer;
  memberAssignment: Buffer;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  /** "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead"; '' when unknown. */
  groupState: string;
  protocolType: string;
  /** The chosen protocol (assignor) name; only filled in for a Stable group. */
  protocolData: string;
  members: DescribedGroupMember[];
  authorizedOperations: number; // v3+, INT32_MIN when not requested
}

export interface DescribeGroupsResponse {
  throttleTimeMs: number; // v1+, 0 before
  groups: DescribedGroup[];
}

const AUTHORIZED_OPERATIONS_UNSET = -2147483648;

export const DescribeGroups: ApiDescriptor<DescribeGroupsRequest, DescribeGroupsResponse> = {
  key: 15,
  name: 'DescribeGroups',
  min: 0,
  max: 5,
  flexibleFrom: 5,
  encodeRequest(w: Writer, v: number, m: DescribeGroupsRequest): void {
    const flexible = v >= 5;
    w.arrayLength(m.groups.length, flexible);
    for (const g of m.groups) w.string(g, flexible);
    if (v >= 3) w.boolean(m.includeAuthorizedOperations ?? false);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): DescribeGroupsResponse {
    const flexible = v >= 5;
    const throttleTimeMs = v >= 1 ? r.int32() : 0;
    const groups = r.array(flexible, (g) => readGroup(g, v, flexible), 7);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, groups };
  },
};

function readGroup(r: Reader, v: number, flexible: boolean): DescribedGroup {
  const errorCode = r.int16();
  const groupId = r.string(flexible);
  const groupState = r.string(flexible);
  const protocolType = r.string(flexible);
  const protocolData = r.string(flexible);
  const members = r.array(flexible, (m) => readMember(m, v, flexible), 4);
  const authorizedOperations = v >= 3 ? r.int32() : AUTHORIZED_OPERATIONS_UNSET;
  if (flexible) r.taggedFields();
  return { errorCode, groupId, groupState, protocolType, protocolData, members, authorizedOperations };
}

function readMember(r: Reader, v: number, flexible: boolean): DescribedGroupMember {
  const memberId = r.string(flexible);
  const groupInstanceId = v >= 4 ? r.nullableString(flexible) : null;
  const clientId = r.string(flexible);
  const clientHost = r.string(flexible);
  const memberMetadata = r.bytes(flexible);
  const memberAssignment = r.bytes(flexible);
  if (flexible) r.taggedFields();
  return { memberId, groupInstanceId, clientId, clientHost, memberMetadata, memberAssignment };
}
