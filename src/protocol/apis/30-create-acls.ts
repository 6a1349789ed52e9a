/**
 * CreateAcls (key 30), v1–v3 (v0 is gone from 4.x brokers, KIP-896).
 * v1: +resourcePatternType (KIP-290) · v2: flexible · v3: USER resources (KIP-554).
 *
 * One result per creation, in request order. Codes: see 29-describe-acls.ts.
 * Java: `Admin.createAcls`.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { AclPatternType } from './29-describe-acls.js';

export interface AclCreation {
  /** See `AclResourceType`. */
  resourceType: number;
  resourceName: string;
  /** See `AclPatternType` (literal or prefixed). */
  resourcePatternType?: number; // v1+, default 3 (literal)
  principal: string;
  host: string;
  /** See `AclOperation`. */
  operation: number;
  /** See `AclPermissionType`. */
  permissionType: number;
}

export interface CreateAclsRequest {
  creations: AclCreation[];
}

export interface AclCreationResult {
  errorCode: number;
  errorMessage: string | null;
}

export interface CreateAclsResponse {
  throttleTimeMs: number;
  results: AclCreationResult[];
}

export const CreateAcls: ApiDescriptor<CreateAclsRequest, CreateAclsResponse> = {
  key: 30,
  name: 'CreateAcls',
  min: 1,
  max: 3,
  flexibleFrom: 2,
  encodeRequest(w: Writer, v: number, m: CreateAclsRequest): void {
    const flexible = v >= 2;
    w.arrayLength(m.creations.length, flexible);
    for (const c of m.creations) {
      w.int8(c.resourceType);
      w.string(c.resourceName, flexible);
      w.int8(c.resourcePatternType ?? AclPatternType.literal);
      w.string(c.principal, flexible);
      w.string(c.host, flexible);
      w.int8(c.operation);
      w.int8(c.permissionType);
      if (flexible) w.emptyTaggedFields();
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): CreateAclsResponse {
    const flexible = v >= 2;
    const throttleTimeMs = r.int32();
    // Smallest result: error code and a null message.
    const results = r.array(flexible, (x) => readResult(x, flexible), 3);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, results };
  },
};

function readResult(r: Reader, flexible: boolean): AclCreationResult {
  const errorCode = r.int16();
  const errorMessage = r.nullableString(flexible);
  if (flexible) r.taggedFields();
  return { errorCode, errorMessage };
}
