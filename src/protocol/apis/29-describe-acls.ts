/**
 * DescribeAcls (key 29), v1–v3 (v0 is gone from 4.x brokers, KIP-896).
 * v1: +patternTypeFilter, resources carry patternType (KIP-290) · v2: flexible · v3: USER
 * resources (KIP-554).
 *
 * Also the home of the ACL codes CreateAcls and DeleteAcls share. A broker without an authorizer
 * answers SECURITY_DISABLED. Java: `Admin.describeAcls`.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

/** Java `ResourceType` (org.apache.kafka.common.resource). ANY only in filters. */
export const AclResourceType = {
  unknown: 0,
  any: 1,
  topic: 2,
  group: 3,
  cluster: 4,
  transactionalId: 5,
  delegationToken: 6,
  user: 7,
} as const;

/** Java `PatternType`. ANY and MATCH only in filters. */
export const AclPatternType = { unknown: 0, any: 1, match: 2, literal: 3, prefixed: 4 } as const;

/** Java `AclOperation`. ANY only in filters. */
export const AclOperation = {
  unknown: 0,
  any: 1,
  all: 2,
  read: 3,
  write: 4,
  create: 5,
  delete: 6,
  alter: 7,
  describe: 8,
  clusterAction: 9,
  describeConfigs: 10,
  alterConfigs: 11,
  idempotentWrite: 12,
  createTokens: 13,
  describeTokens: 14,
  twoPhaseCommit: 15,
} as const;

/** Java `AclPermissionType`. ANY only in filters. */
export const AclPermissionType = { unknown: 0, any: 1, deny: 2, allow: 3 } as const;

export interface DescribeAclsRequest {
  /** See `AclResourceType`. */
  resourceTypeFilter: number;
  /** null matches any name. */
  resourceNameFilter: string | null;
  /** See `AclPatternType`. */
  patternTypeFilter?: number; // v1+, default 3 (literal)
  /** e.g. "User:alice"; null matches any principal. */
  principalFilter: string | null;
  /** null matches any host. */
  hostFilter: string | null;
  /** See `AclOperation`. */
  operation: number;
  /** See `AclPermissionType`. */
  permissionType: number;
}

export interface AclDescription {
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface DescribeAclsResource {
  resourceType: number;
  resourceName: string;
  patternType: number; // v1+
  acls: AclDescription[];
}

export interface DescribeAclsResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  resources: DescribeAclsResource[];
}

export const DescribeAcls: ApiDescriptor<DescribeAclsRequest, DescribeAclsResponse> = {
  key: 29,
  name: 'DescribeAcls',
  min: 1,
  max: 3,
  flexibleFrom: 2,
  encodeRequest(w: Writer, v: number, m: DescribeAclsRequest): void {
    const flexible = v >= 2;
    w.int8(m.resourceTypeFilter);
    w.nullableString(m.resourceNameFilter, flexible);
    w.int8(m.patternTypeFilter ?? AclPatternType.literal);
    w.nullableString(m.principalFilter, flexible);
    w.nullableString(m.hostFilter, flexible);
    w.int8(m.operation);
    w.int8(m.permissionType);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): DescribeAclsResponse {
    const flexible = v >= 2;
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const errorMessage = r.nullableString(flexible);
    // Smallest resource: type, empty name, pattern type, no ACLs.
    const resources = r.array(flexible, (x) => readResource(x, flexible), 4);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, errorCode, errorMessage, resources };
  },
};

function readResource(r: Reader, flexible: boolean): DescribeAclsResource {
  const resourceType = r.int8();
  const resourceName = r.string(flexible);
  const patternType = r.int8();
  // Smallest ACL: two empty strings and two codes.
  const acls = r.array(flexible, (a) => readAcl(a, flexible), 4);
  if (flexible) r.taggedFields();
  return { resourceType, resourceName, patternType, acls };
}

function readAcl(r: Reader, flexible: boolean): AclDescription {
  const principal = r.string(flexible);
  const host = r.string(flexible);
  const operation = r.int8();
  const permissionType = r.int8();
  if (flexible) r.taggedFields();
  return { principal, host, operation, permissionType };
}
