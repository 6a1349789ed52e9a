/**
 * OffsetFetch (key 9), v1–v9 (v0 read ZooKeeper and is gone from 4.x brokers, KIP-896).
 * v2: null topics = all, +top-level errorCode · v3: +throttleTimeMs · v4: responses sent before
 * throttling · v5: +committedLeaderEpoch (KIP-320) · v6: flexible · v7: +requireStable,
 * UNSTABLE_OFFSET_COMMIT (KIP-447) · v8: several groups per request, groupId/topics move into
 * groups[] (KIP-709) · v9: +memberId, memberEpoch for KIP-848 groups.
 *
 * The encoder takes either form: up to v7 a single entry in `groups` is sent as groupId/topics,
 * from v8 a top-level groupId/topics is sent as one group. The response keeps the form of its
 * version: `topics` and `errorCode` up to v7, `groups` from v8.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface OffsetFetchRequestTopic {
  name: string;
  partitionIndexes: number[];
}

export interface OffsetFetchRequestGroup {
  groupId: string;
  memberId?: string | null; // v9+, default null (a classic group or an admin)
  memberEpoch?: number; // v9+, default -1
  /** null fetches every topic the group has offsets for. */
  topics: OffsetFetchRequestTopic[] | null;
}

export interface OffsetFetchRequest {
  groupId?: string; // v1–v7
  /** null fetches every topic the group has offsets for (v2+). */
  topics?: OffsetFetchRequestTopic[] | null; // v1–v7
  groups?: OffsetFetchRequestGroup[]; // v8+
  requireStable?: boolean; // v7+, default false
}

export interface OffsetFetchResponsePartition {
  partitionIndex: number;
  /** -1 when the group has no offset for the partition. */
  committedOffset: bigint;
  committedLeaderEpoch: number; // v5+, -1 before
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchResponseTopic {
  name: string;
  partitions: OffsetFetchResponsePartition[];
}

export interface OffsetFetchResponseGroup {
  groupId: string;
  topics: OffsetFetchResponseTopic[];
  errorCode: number;
}

export interface OffsetFetchResponse {
  throttleTimeMs: number; // v3+, 0 before
  topics: OffsetFetchResponseTopic[]; // v1–v7, [] from v8
  errorCode: number; // v2–v7, 0 otherwise
  groups: OffsetFetchResponseGroup[]; // v8+, [] before
}

export const OffsetFetch: ApiDescriptor<OffsetFetchRequest, OffsetFetchResponse> = {
  key: 9,
  name: 'OffsetFetch',
  min: 1,
  max: 9,
  flexibleFrom: 6,
  encodeRequest(w: Writer, v: number, m: OffsetFetchRequest): void {
    const flexible = v >= 6;
    if (v <= 7) {
      let groupId = m.groupId;
      let topics = m.topics;
      if (groupId === undefined) {
        if (m.groups?.length !== 1)
          throw new UnsupportedVersionError(`OffsetFetch v${v} fetches one group (v8+ fetches several)`);
        groupId = m.groups[0].groupId;
        topics = m.groups[0].topics;
      }
      w.string(groupId, flexible);
      if (topics == null && v < 2)
        throw new UnsupportedVersionError(`OffsetFetch v${v} cannot fetch all topics`);
      writeTopics(w, topics ?? null, flexible);
    } else {
      const groups = m.groups ?? [{ groupId: requireGroupId(m.groupId, v), topics: m.topics ?? null }];
      w.arrayLength(groups.length, flexible);
      for (const g of groups) {
        w.string(g.groupId, flexible);
        if (v >= 9) {
          w.nullableString(g.memberId, flexible);
          w.int32(g.memberEpoch ?? -1);
        }
        writeTopics(w, g.topics, flexible);
        w.emptyTaggedFields();
      }
    }
    if (v >= 7) w.boolean(m.requireStable ?? false);
    else if (m.requireStable)
      throw new UnsupportedVersionError(`OffsetFetch v${v} has no requireStable (v7+)`);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): OffsetFetchResponse {
    const flexible = v >= 6;
    const throttleTimeMs = v >= 3 ? r.int32() : 0;
    const topics = v <= 7 ? r.array(flexible, (t) => readTopic(t, v, flexible), 2) : [];
    const errorCode = v >= 2 && v <= 7 ? r.int16() : 0;
    const groups = v >= 8 ? r.array(true, (g) => readGroup(g, v), 5) : [];
    if (flexible) r.taggedFields();
    return { throttleTimeMs, topics, errorCode, groups };
  },
};

function requireGroupId(groupId: string | undefined, v: number): string {
  if (groupId === undefined) throw new UnsupportedVersionError(`OffsetFetch v${v} request names no group`);
  return groupId;
}

function writeTopics(w: Writer, topics: OffsetFetchRequestTopic[] | null, flexible: boolean): void {
  if (topics === null) {
    w.arrayLength(null, flexible);
    return;
  }
  w.arrayLength(topics.length, flexible);
  for (const t of topics) {
    w.string(t.name, flexible);
    w.arrayLength(t.partitionIndexes.length, flexible);
    for (const p of t.partitionIndexes) w.int32(p);
    if (flexible) w.emptyTaggedFields();
  }
}

function readGroup(r: Reader, v: number): OffsetFetchResponseGroup {
  const groupId = r.string(true);
  const topics = r.array(true, (t) => readTopic(t, v, true), 3);
  const errorCode = r.int16();
  r.taggedFields();
  return { groupId, topics, errorCode };
}

function readTopic(r: Reader, v: number, flexible: boolean): OffsetFetchResponseTopic {
  const name = r.string(flexible);
  const partitions = r.array(flexible, (p) => readPartition(p, v, flexible), 15);
  if (flexible) r.taggedFields();
  return { name, partitions };
}

function readPartition(r: Reader, v: number, flexible: boolean): OffsetFetchResponsePartition {
  const partitionIndex = r.int32();
  const committedOffset = r.int64();
  const committedLeaderEpoch = v >= 5 ? r.int32() : -1;
  const metadata = r.nullableString(flexible);
  const errorCode = r.int16();
  if (flexible) r.taggedFields();
  return { partitionIndex, committedOffset, committedLeaderEpoch, metadata, errorCode };
}
