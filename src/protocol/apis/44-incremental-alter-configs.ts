/**
 * IncrementalAlterConfigs (key 44), v0–v1 (KIP-339).
 * v1: flexible.
 *
 * Each config is changed by one operation (see `AlterConfigOp`); configs not named keep their
 * values, unlike the older AlterConfigs (key 33), which replaced a resource's whole set.
 * Java: `Admin.incrementalAlterConfigs`.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

/** Java `AlterConfigOp.OpType`. APPEND and SUBTRACT apply to list-valued configs only. */
export const AlterConfigOp = { set: 0, delete: 1, append: 2, subtract: 3 } as const;

export interface AlterableConfig {
  name: string;
  /** See `AlterConfigOp`. */
  configOperation: number;
  /** The value to set, append or subtract; null for DELETE. */
  value: string | null;
}

export interface AlterConfigsResource {
  /** See `ConfigResourceType` (32-describe-configs.ts). */
  resourceType: number;
  resourceName: string;
  configs: AlterableConfig[];
}

export interface IncrementalAlterConfigsRequest {
  resources: AlterConfigsResource[];
  /** Validate the changes without applying them. Default false. */
  validateOnly?: boolean;
}

export interface AlterConfigsResourceResponse {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
}

export interface IncrementalAlterConfigsResponse {
  throttleTimeMs: number;
  responses: AlterConfigsResourceResponse[];
}

export const IncrementalAlterConfigs: ApiDescriptor<
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse
> = {
  key: 44,
  name: 'IncrementalAlterConfigs',
  min: 0,
  max: 1,
  flexibleFrom: 1,
  encodeRequest(w: Writer, v: number, m: IncrementalAlterConfigsRequest): void {
    const flexible = v >= 1;
    w.arrayLength(m.resources.length, flexible);
    for (const res of m.resources) {
      w.int8(res.resourceType);
      w.string(res.resourceName, flexible);
      w.arrayLength(res.configs.length, flexible);
      for (const c of res.configs) {
        w.string(c.name, flexible);
        w.int8(c.configOperation);
        w.nullableString(c.value, flexible);
        if (flexible) w.emptyTaggedFields();
      }
      if (flexible) w.emptyTaggedFields();
    }
    w.boolean(m.validateOnly ?? false);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): IncrementalAlterConfigsResponse {
    const flexible = v >= 1;
    const throttleTimeMs = r.int32();
    // Smallest response: error code, null message, type, empty name.
    const responses = r.array(flexible, (t) => readResponse(t, flexible), 5);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, responses };
  },
};

function readResponse(r: Reader, flexible: boolean): AlterConfigsResourceResponse {
  const errorCode = r.int16();
  const errorMessage = r.nullableString(flexible);
  const resourceType = r.int8();
  const resourceName = r.string(flexible);
  if (flexible) r.taggedFields();
  return { errorCode, errorMessage, resourceType, resourceName };
}
