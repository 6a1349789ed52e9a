/**
 * ListGroups (key 16), v0–v5: the groups a broker coordinates (ask every broker for them all).
 * v1: +throttleTimeMs · v2: responses sent before throttling · v3: flexible · v4: +statesFilter,
 * +groupState (KIP-518) · v5: +typesFilter, +groupType: classic, consumer, share (KIP-848).
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface ListGroupsRequest {
  /** Only groups in these states (e.g. "Stable", "Empty"); empty for all. */
  statesFilter?: string[]; // v4+
  /** Only groups of these types ("classic", "consumer", "share"); empty for all. */
  typesFilter?: string[]; // v5+
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  groupState: string; // v4+, '' before
  groupType: string; // v5+, '' before
}

export interface ListGroupsResponse {
  throttleTimeMs: number; // v1+, 0 before
  errorCode: number;
  groups: ListedGroup[];
}

export const ListGroups: ApiDescriptor<ListGroupsRequest, ListGroupsResponse> = {
  key: 16,
  name: 'ListGroups',
  min: 0,
  max: 5,
  flexibleFrom: 3,
  encodeRequest(w: Writer, v: number, m: ListGroupsRequest): void {
    const flexible = v >= 3;
    writeFilter(w, v, 4, 'statesFilter', m.statesFilter);
    writeFilter(w, v, 5, 'typesFilter', m.typesFilter);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): ListGroupsResponse {
    const flexible = v >= 3;
    const throttleTimeMs = v >= 1 ? r.int32() : 0;
    const errorCode = r.int16();
    const groups = r.array(flexible, (g) => readGroup(g, v, flexible), 2);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, errorCode, groups };
  },
};

/** A filter the version lacks would silently list more groups than asked for, so it is refused. */
function writeFilter(w: Writer, v: number, from: number, name: string, filter: string[] | undefined): void {
  const values = filter ?? [];
  if (v < from) {
    if (values.length > 0) throw new UnsupportedVersionError(`ListGroups v${v} has no ${name} (v${from}+)`);
    return;
  }
  w.arrayLength(values.length, true);
  for (const s of values) w.string(s, true);
}

function readGroup(r: Reader, v: number, flexible: boolean): ListedGroup {
  const groupId = r.string(flexible);
  const protocolType = r.string(flexible);
  const groupState = v >= 4 ? r.string(flexible) : '';
  const groupType = v >= 5 ? r.string(flexible) : '';
  if (flexible) r.taggedFields();
  return { groupId, protocolType, groupState, groupType };
}
