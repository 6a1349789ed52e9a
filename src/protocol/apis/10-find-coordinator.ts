/**
 * FindCoordinator (key 10), v0–v6.
 * v1: +keyType (transaction coordinators), +throttleTimeMs, errorMessage · v2: responses sent
 * before throttling · v3: flexible · v4: batched coordinatorKeys in, coordinators[] out (KIP-699)
 * · v5: TRANSACTION_ABORTABLE (KIP-890) · v6: share-group key type (KIP-932).
 *
 * The encoder takes either form: up to v3 a single `coordinatorKeys` entry is sent as `key`, from
 * v4 a `key` is sent as one coordinator key. The response keeps the form of its version: the
 * top-level errorCode/nodeId/host/port up to v3, `coordinators` from v4.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

/** Java `FindCoordinatorRequest.CoordinatorType`: what the key names. */
export const CoordinatorType = { group: 0, transaction: 1, share: 2 } as const;

export interface FindCoordinatorRequest {
  key?: string; // v0–v3
  /** See `CoordinatorType`; default 0 (a group id). */
  keyType?: number; // v1+
  coordinatorKeys?: string[]; // v4+
}

export interface Coordinator {
  key: string;
  nodeId: number;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface FindCoordinatorResponse {
  throttleTimeMs: number; // v1+, 0 before
  errorCode: number; // v0–v3, 0 from v4
  errorMessage: string | null; // v1–v3, null otherwise
  nodeId: number; // v0–v3, -1 from v4
  host: string; // v0–v3, '' from v4
  port: number; // v0–v3, -1 from v4
  coordinators: Coordinator[]; // v4+, [] before
}

export const FindCoordinator: ApiDescriptor<FindCoordinatorRequest, FindCoordinatorResponse> = {
  key: 10,
  name: 'FindCoordinator',
  min: 0,
  max: 6,
  flexibleFrom: 3,
  encodeRequest(w: Writer, v: number, m: FindCoordinatorRequest): void {
    const flexible = v >= 3;
    const keyType = m.keyType ?? CoordinatorType.group;
    if (v <= 3) {
      let key = m.key;
      if (key === undefined) {
        if (m.coordinatorKeys?.length !== 1)
          throw new UnsupportedVersionError(`FindCoordinator v${v} looks up one key (v4+ batches them)`);
        key = m.coordinatorKeys[0];
      }
      w.string(key, flexible);
    }
    if (v >= 1) w.int8(keyType);
    else if (keyType !== CoordinatorType.group)
      throw new UnsupportedVersionError(`FindCoordinator v0 finds group coordinators only`);
    if (keyType === CoordinatorType.share && v < 6)
      throw new UnsupportedVersionError(`FindCoordinator v${v} cannot find share coordinators (v6+)`);
    if (v >= 4) {
      const keys = m.coordinatorKeys ?? (m.key !== undefined ? [m.key] : []);
      w.arrayLength(keys.length, flexible);
      for (const k of keys) w.string(k, flexible);
    }
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): FindCoordinatorResponse {
    const flexible = v >= 3;
    const res: FindCoordinatorResponse = {
      throttleTimeMs: v >= 1 ? r.int32() : 0,
      errorCode: 0,
      errorMessage: null,
      nodeId: -1,
      host: '',
      port: -1,
      coordinators: [],
    };
    if (v <= 3) {
      res.errorCode = r.int16();
      if (v >= 1) res.errorMessage = r.nullableString(flexible);
      res.nodeId = r.int32();
      res.host = r.string(flexible);
      res.port = r.int32();
    } else {
      res.coordinators = r.array(true, readCoordinator, 14);
    }
    if (flexible) r.taggedFields();
    return res;
  },
};

function readCoordinator(r: Reader): Coordinator {
  const key = r.string(true);
  const nodeId = r.int32();
  const host = r.string(true);
  const port = r.int32();
  const errorCode = r.int16();
  const errorMessage = r.nullableString(true);
  r.taggedFields();
  return { key, nodeId, host, port, errorCode, errorMessage };
}
