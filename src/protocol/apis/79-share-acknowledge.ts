/**
 * ShareAcknowledge (key 79), v1–v2: acknowledging acquired records of a share group (KIP-932)
 * without fetching more — accept, release (deliver again), reject — within the member's share
 * session on that broker (the same epochs as ShareFetch; -1 closes the session). v2:
 * +isRenewAck, +acquisitionLockTimeoutMs in the response (KIP-1222). Flexible from v0.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { type NodeEndpoint, readNodeEndpoint } from './00-produce.js';
import type { LeaderIdAndEpoch } from './01-fetch.js';
import { type AcknowledgeTopic, readLeaderIdAndEpoch, writeAcknowledgeTopics } from './78-share-fetch.js';

export interface ShareAcknowledgeRequest {
  groupId: string | null;
  memberId: string | null;
  shareSessionEpoch: number;
  /** v2+; false before. */
  isRenewAck?: boolean;
  topics: AcknowledgeTopic[];
}

export interface ShareAcknowledgePartitionData {
  partitionIndex: number;
  errorCode: number;
  errorMessage: string | null;
  currentLeader: LeaderIdAndEpoch;
}

export interface ShareAcknowledgeResponse {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  /** v2+; 0 before. */
  acquisitionLockTimeoutMs: number;
  responses: { topicId: string; partitions: ShareAcknowledgePartitionData[] }[];
  nodeEndpoints: NodeEndpoint[];
}

export const ShareAcknowledge: ApiDescriptor<ShareAcknowledgeRequest, ShareAcknowledgeResponse> = {
  key: 79,
  name: 'ShareAcknowledge',
  min: 1,
  max: 2,
  flexibleFrom: 0,
  encodeRequest(w: Writer, v: number, m: ShareAcknowledgeRequest): void {
    w.nullableString(m.groupId, true);
    w.nullableString(m.memberId, true);
    w.int32(m.shareSessionEpoch);
    if (v >= 2) w.boolean(m.isRenewAck ?? false);
    writeAcknowledgeTopics(w, m.topics);
    w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): ShareAcknowledgeResponse {
    const throttleTimeMs = r.int32();
    const errorCode = r.int16();
    const errorMessage = r.nullableString(true);
    const acquisitionLockTimeoutMs = v >= 2 ? r.int32() : 0;
    const responses = r.array(true, readTopic, 17);
    const nodeEndpoints = r.array(true, readNodeEndpoint, 11);
    r.taggedFields();
    return { throttleTimeMs, errorCode, errorMessage, acquisitionLockTimeoutMs, responses, nodeEndpoints };
  },
};

function readTopic(r: Reader): { topicId: string; partitions: ShareAcknowledgePartitionData[] } {
  const topicId = r.uuid();
  const partitions = r.array(
    true,
    (x) => {
      const partitionIndex = x.int32();
      const errorCode = x.int16();
      const errorMessage = x.nullableString(true);
      const currentLeader = readLeaderIdAndEpoch(x);
      x.taggedFields();
      return { partitionIndex, errorCode, errorMessage, currentLeader };
    },
    13,
  );
  r.taggedFields();
  return { topicId, partitions };
}
