/**
 * DeleteAcls (key 31), v1–v3 (v0 is gone from 4.x brokers, KIP-896).
 * v1: +patternTypeFilter, matching ACLs carry patternType (KIP-290) · v2: flexible · v3: USER
 * resources (KIP-554).
 *
 * One result per filter, in request order, listing the ACLs it matched (and deleted). Codes: see
 * 29-describe-acls.ts. Java: `Admin.deleteAcls`.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { AclPatternType } from './29-describe-acls.js';

export interface DeleteAclsFilter {
  /** See `AclResourceType`. */
  resourceTypeFilter: number;
  /** null matches any name. */
  resourceNameFilter: string | null;
  /** See `AclPatternType`. */
  patternTypeFilter?: number; // v1+, default 3 (literal)
  /** null matches any principal. */
  principalFilter: string | null;
  /** null matches any host. */
  hostFilter: string | null;
  /** See `AclOperation`. */
  operation: number;
  /** See `AclPermissionType`. */
  permissionType: number;
}

export interface DeleteAclsRequest {
  filters: DeleteAclsFilter[];
}

export interface DeleteAclsMatchingAcl {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  patternType: number; // v1+
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

export interface DeleteAclsFilterResult {
  errorCode: number;
  errorMessage: string | null;
  matchingAcls: DeleteAclsMatchingAcl[];
}

export interface DeleteAclsResponse {
  throttleTimeMs: number;
  filterResults: DeleteAclsFilterResult[];
}

export const DeleteAcls: ApiDescriptor<DeleteAclsRequest, DeleteAclsResponse> = {
  key: 31,
  name: 'DeleteAcls',
  min: 1,
  max: 3,
  flexibleFrom: 2,
  encodeRequest(w: Writer, v: number, m: DeleteAclsRequest): void {
    const flexible = v >= 2;
    w.arrayLength(m.filters.length, flexible);
    for (const f of m.filters) {
      w.int8(f.resourceTypeFilter);
      w.nullableString(f.resourceNameFilter, flexible);
      w.int8(f.patternTypeFilter ?? AclPatternType.literal);
      w.nullableString(f.principalFilter, flexible);
      w.nullableString(f.hostFilter, flexible);
      w.int8(f.operation);
      w.int8(f.permissionType);
      if (flexible) w.emptyTaggedFields();
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): DeleteAclsResponse {
    const flexible = v >= 2;
    const throttleTimeMs = r.int32();
    // Smallest filter result: error code, null message, no ACLs.
    const filterResults = r.array(flexible, (x) => readFilterResult(x, flexible), 4);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, filterResults };
  },
};

function readFilterResult(r: Reader, flexible: boolean): DeleteAclsFilterResult {
  const errorCode = r.int16();
  const errorMessage = r.nullableString(flexible);
  // Smallest matching ACL: error code, null message, type, three empty strings, three codes.
  const matchingAcls = r.array(flexible, (a) => readMatchingAcl(a, flexible), 10);
  if (flexible) r.taggedFields();
  return { errorCode, errorMessage, matchingAcls };
}

function readMatchingAcl(r: Reader, flexible: boolean): DeleteAclsMatchingAcl {
  const errorCode = r.int16();
  const errorMessage = r.nullableString(flexible);
  const resourceType = r.int8();
  const resourceName = r.string(flexible);
  const patternType = r.int8();
  const principal = r.string(flexible);
  const host = r.string(flexible);
  const operation = r.int8();
  const permissionType = r.int8();
  if (flexible) r.taggedFields();
  return {
    errorCode,
    errorMessage,
    resourceType,
    resourceName,
    patternType,
    principal,
    host,
    operation,
    permissionType,
  };
}
