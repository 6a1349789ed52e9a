/**
 * The share fetcher's bookkeeping on a request that fails as a whole (share-fetcher.ts), with a
 * stand-in for the cluster that fails the first ShareFetch and records what the next one carries
 * (the real broker's behaviour is in test/integration/share-groups.test.ts): acknowledgements
 * that went out with a failed request are sent again with the next one, a newer type for the same
 * offset made meanwhile wins, and the lost session starts again at epoch 0. Regression: the
 * restore of a failed request's acknowledgements dropped them when nothing newer was pending (a
 * dangling `else`), so they were never sent and their records came back after the lock.
 */
import { describe, expect, it } from 'vitest';
import { ShareFetcher } from '../../src/consumer/share-fetcher.js';
import type { ShareGroupMembership } from '../../src/group/share-membership.js';
import type { Cluster } from '../../src/network/cluster.js';
import { AcknowledgeType, type ShareFetchRequest } from '../../src/protocol/apis/index.js';
import { ConnectionError } from '../../src/protocol/errors.js';

const TOPIC_ID = 'AAAAAAAAAAAAAAAAAAAAAQ';

function stand(): { cluster: Cluster; sent: ShareFetchRequest[]; failNext: { n: number } } {
  const sent: ShareFetchRequest[] = [];
  const failNext = { n: 0 };
  const cluster = {
    metadata: { topics: new Map([['jobs', { name: 'jobs', topicId: TOPIC_ID, partitions: [] }]]) },
    leaderFor: () => 1,
    refresh: async () => ({}),
    reportError: () => {},
    sendTo: async (_node: number, _api: unknown, req: ShareFetchRequest) => {
      sent.push(structuredClone(req));
      if (failNext.n > 0) {
        failNext.n--;
        throw new ConnectionError('connection lost mid-request');
      }
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        acquisitionLockTimeoutMs: 3000,
        responses: [],
        nodeEndpoints: [],
      };
    },
  } as unknown as Cluster;
  return { cluster, sent, failNext };
}

const membership = {
  memberId: 'member-1',
  assignment: [{ topic: 'jobs', partition: 0 }],
} as unknown as ShareGroupMembership;

function fetcher(cluster: Cluster) {
  return new ShareFetcher(cluster, membership, {
    groupId: 'g',
    maxPollRecords: 10,
    fetchMinBytes: 1,
    fetchMaxBytes: 1 << 20,
    retryBackoffMs: 0,
    keyDeserializer: undefined,
    valueDeserializer: undefined,
    topics: () => ['jobs'],
    acknowledged: () => {},
  });
}

const acks = (r: ShareFetchRequest) =>
  r.topics.flatMap((t) => t.partitions.flatMap((p) => p.acknowledgementBatches));

describe('ShareFetcher when a request fails as a whole', () => {
  it('sends the failed request’s acknowledgements again, in a new session', async () => {
    const { cluster, sent, failNext } = stand();
    const f = fetcher(cluster);
    await f.fetchOnce(0, Date.now() + 1000, undefined); // opens the session (epoch 0 → 1)
    f.ack('jobs', 0, 5n, AcknowledgeType.accept);
    f.ack('jobs', 0, 6n, AcknowledgeType.accept);
    failNext.n = 1;
    await f.fetchOnce(0, Date.now() + 1000, undefined); // carries 5-6, fails
    expect(sent[1].shareSessionEpoch).toBe(1);
    expect(acks(sent[1])).toEqual([
      { firstOffset: 5n, lastOffset: 6n, acknowledgeTypes: [AcknowledgeType.accept] },
    ]);
    await f.fetchOnce(0, Date.now() + 1000, undefined);
    expect(sent[2].shareSessionEpoch).toBe(0); // the session's state was unknown: a new one
    expect(acks(sent[2])).toEqual([
      { firstOffset: 5n, lastOffset: 6n, acknowledgeTypes: [AcknowledgeType.accept] },
    ]);
    await f.fetchOnce(0, Date.now() + 1000, undefined);
    expect(acks(sent[3])).toEqual([]); // sent once they went through
  });

  it('lets an acknowledgement made while the request was out win over the restored one', async () => {
    const { cluster, sent, failNext } = stand();
    const f = fetcher(cluster);
    await f.fetchOnce(0, Date.now() + 1000, undefined);
    f.ack('jobs', 0, 7n, AcknowledgeType.accept);
    failNext.n = 1;
    const out = f.fetchOnce(0, Date.now() + 1000, undefined);
    f.ack('jobs', 0, 7n, AcknowledgeType.release); // while the request is out
    f.ack('jobs', 0, 8n, AcknowledgeType.reject);
    await out;
    await f.fetchOnce(0, Date.now() + 1000, undefined);
    expect(acks(sent[2])).toEqual([
      { firstOffset: 7n, lastOffset: 7n, acknowledgeTypes: [AcknowledgeType.release] },
      { firstOffset: 8n, lastOffset: 8n, acknowledgeTypes: [AcknowledgeType.reject] },
    ]);
  });
});
