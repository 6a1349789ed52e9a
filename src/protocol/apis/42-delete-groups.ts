/**
 * DeleteGroups (key 42), v0–v2: deletes empty groups and their committed offsets (a group with
 * members gets NON_EMPTY_GROUP).
 * v1: responses sent before throttling · v2: flexible.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface DeleteGroupsRequest {
  /** The group ids (the schema's name, "GroupsNames"). */
  groupsNames: string[];
}

export interface DeletableGroupResult {
  groupId: string;
  errorCode: number;
}

export interface DeleteGroupsResponse {
  throttleTimeMs: number;
  results: DeletableGroupResult[];
}

export const DeleteGroups: ApiDescriptor<DeleteGroupsRequest, DeleteGroupsResponse> = {
  key: 42,
  name: 'DeleteGroups',
  min: 0,
  max: 2,
  flexibleFrom: 2,
  encodeRequest(w: Writer, v: number, m: DeleteGroupsRequest): void {
    const flexible = v >= 2;
    w.arrayLength(m.groupsNames.length, flexible);
    for (const g of m.groupsNames) w.string(g, flexible);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): DeleteGroupsResponse {
    const flexible = v >= 2;
    const throttleTimeMs = r.int32();
    const results = r.array(flexible, (x) => readResult(x, flexible), 3);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, results };
  },
};

function readResult(r: Reader, flexible: boolean): DeletableGroupResult {
  const groupId = r.string(flexible);
  const errorCode = r.int16();
  if (flexible) r.taggedFields();
  return { groupId, errorCode };
}
