/**
 * The share consumer's fetching and acknowledging (share-consumer.ts is the facade): one share
 * session per broker, ShareFetch to each leader of the assigned partitions, the acquired records
 * of each answer, and the acknowledgements not sent yet.
 *
 * Invariants:
 * - One request at a time per session (a ShareFetch in flight takes the epoch first; a
 *   ShareAcknowledge waits for it); epoch 0 opens a session, each answer moves it one on, -1
 *   closes it; a session whose state is unknown (a lost connection, SHARE_SESSION_NOT_FOUND,
 *   INVALID_SHARE_SESSION_EPOCH) starts again from 0.
 * - Only acquired offsets are handed out (`acquiredRecords`); an acquired offset with no data
 *   record (a control record, a compacted gap) is acknowledged as a gap at once.
 * - Acknowledgements go with the next ShareFetch to the partition's leader (those of partitions
 *   no longer assigned in ShareAcknowledge first, since a fetch would ask for more of them), or
 *   with commit() / close(); a request that failed as a whole keeps them for the next one.
 */

import type { ShareGroupMembership } from '../group/share-membership.js';
import type { Cluster } from '../network/cluster.js';
import { pushTo } from '../network/multimap.js';
import { shouldRetry } from '../network/retry.js';
import { fromPartitionKey, partitionKey } from '../network/topic-partition.js';
import {
  type AcknowledgementBatch,
  type AcknowledgeTopic,
  AcknowledgeType,
  ShareAcknowledge,
  ShareFetch,
} from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError, kafkaError } from '../protocol/errors.js';
import { decodeRecordBatches } from '../protocol/records/record-batch.js';
import { type ConsumerRecord, settledBy } from './delivery.js';
import type { Deserializer } from './deserializers.js';
import type { AcknowledgementResult, ShareRecord } from './share-consumer.js';

/** Errors of a share session that end it: the next request opens a new one (epoch 0). */
const SESSION_LOST = new Set<number>([
  ErrorCode.SHARE_SESSION_NOT_FOUND,
  ErrorCode.INVALID_SHARE_SESSION_EPOCH,
]);

/** Acknowledgements of one partition not sent yet: offset → type. */
interface PendingAcks {
  topic: string;
  partition: number;
  types: Map<bigint, number>;
}

export interface ShareFetcherOptions<K, V> {
  groupId: string;
  maxPollRecords: number;
  fetchMinBytes: number;
  fetchMaxBytes: number;
  retryBackoffMs: number;
  keyDeserializer: Deserializer<K> | undefined;
  valueDeserializer: Deserializer<V> | undefined;
  /** Subscribed topics, for a metadata refresh when a leader is unknown. */
  topics(): readonly string[];
  /** Reports the outcome of acknowledgements ('acknowledged' event). */
  acknowledged(result: AcknowledgementResult): void;
}

export class ShareFetcher<K, V> {
  /** Per broker: the share session's next epoch and the partitions in it. */
  private readonly sessions = new Map<number, { epoch: number; partitions: Set<string> }>();
  private readonly pending = new Map<string, PendingAcks>();
  /** The ShareFetch in flight per broker (one at a time: the session epoch orders them). */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Acquired records not handed out yet, in the order they came. */
  buffered: ShareRecord<K, V>[] = [];
  /** A fetch's error that is not retriable, thrown by the next poll. */
  failure: Error | null = null;
  /** The acquisition lock the broker announced last (ms), or null before the first fetch. */
  lockTimeoutMs: number | null = null;

  constructor(
    private readonly cluster: Cluster,
    private readonly membership: ShareGroupMembership,
    private readonly o: ShareFetcherOptions<K, V>,
  ) {}

  /** Records an acknowledgement to send (the latest type of an offset wins). */
  ack(topic: string, partition: number, offset: bigint, type: number): void {
    const key = partitionKey(topic, partition);
    let p = this.pending.get(key);
    if (!p) {
      p = { topic, partition, types: new Map() };
      this.pending.set(key, p);
    }
    p.types.set(offset, type);
  }

  /** The assigned partitions, grouped by leader (a partition without one refreshes metadata). */
  private byLeader(): Map<number, { topic: string; partition: number }[]> {
    const out = new Map<number, { topic: string; partition: number }[]>();
    for (const { topic, partition } of this.membership.assignment) {
      const leader = this.cluster.leaderFor(topic, partition);
      if (leader === undefined || leader < 0) {
        void this.cluster.refresh(this.o.topics()).catch(() => {});
        continue;
      }
      pushTo(out, leader, { topic, partition });
    }
    return out;
  }

  /**
   * A ShareFetch to each leader with none in flight, then waits until one of those in flight
   * answers, or the deadline. Acknowledgements of partitions no longer assigned go first, in
   * ShareAcknowledge (a fetch would ask for more of them).
   */
  async fetchOnce(maxWaitMs: number, deadline: number, signal: AbortSignal | undefined): Promise<void> {
    const assigned = new Set(this.membership.assignment.map((tp) => partitionKey(tp.topic, tp.partition)));
    const orphans = [...this.pending.keys()].filter((k) => !assigned.has(k));
    if (orphans.length > 0)
      await settledBy(this.sendAcknowledgements(false, new Set(orphans)), deadline, signal);
    const leaders = this.byLeader();
    for (const [node, tps] of leaders) {
      if (this.inFlight.has(node)) continue;
      const f = this.fetchFrom(node, tps, maxWaitMs).finally(() => this.inFlight.delete(node));
      this.inFlight.set(node, f);
    }
    if (this.inFlight.size === 0) {
      // Nothing assigned yet (the group is forming), or no leader known: wait a little.
      await settledBy(sleep(100), deadline, signal);
      return;
    }
    await settledBy(Promise.race(this.inFlight.values()), deadline, signal);
  }

  private async fetchFrom(
    node: number,
    tps: { topic: string; partition: number }[],
    maxWaitMs: number,
  ): Promise<void> {
    const session = this.sessions.get(node) ?? { epoch: 0, partitions: new Set<string>() };
    this.sessions.set(node, session);
    const md = this.cluster.metadata;
    const taken = new Map<string, PendingAcks>();
    const topics: AckTopics = new Map();
    for (const tp of tps) {
      const key = partitionKey(tp.topic, tp.partition);
      const topicId = md.topics.get(tp.topic)?.topicId;
      if (topicId === undefined) continue;
      const acks = this.pending.get(key);
      // In a session, a partition is named again only to add it or to carry acknowledgements.
      if (session.epoch > 0 && session.partitions.has(key) && !acks) continue;
      if (acks) {
        taken.set(key, acks);
        this.pending.delete(key);
      }
      addPartition(topics, tp.topic, topicId, tp.partition, acks ? batches(acks.types) : []);
    }
    // Partitions of the session this broker no longer serves for us (unassigned, or led
    // elsewhere now) are forgotten.
    const here = new Set(tps.map((tp) => partitionKey(tp.topic, tp.partition)));
    const forgotten = new Map<string, { topicId: string; partitions: number[] }>();
    if (session.epoch > 0)
      for (const key of session.partitions) {
        if (here.has(key) || taken.has(key)) continue;
        const { topic, partition } = fromPartitionKey(key);
        const topicId = md.topics.get(topic)?.topicId;
        if (topicId === undefined) continue;
        const f = forgotten.get(topic) ?? { topicId, partitions: [] };
        f.partitions.push(partition);
        forgotten.set(topic, f);
      }
    try {
      const res = await this.cluster.sendTo(node, ShareFetch, {
        groupId: this.o.groupId,
        memberId: this.membership.memberId,
        shareSessionEpoch: session.epoch,
        maxWaitMs,
        minBytes: this.o.fetchMinBytes,
        maxBytes: this.o.fetchMaxBytes,
        maxRecords: this.o.maxPollRecords,
        batchSize: this.o.maxPollRecords,
        topics: [...topics.values()],
        forgottenTopicsData: [...forgotten.values()],
      });
      if (res.errorCode !== ErrorCode.NONE) {
        if (SESSION_LOST.has(res.errorCode)) this.sessions.delete(node);
        throw kafkaError(
          res.errorCode,
          { group: this.o.groupId, broker: `node ${node}` },
          res.errorMessage ?? undefined,
        );
      }
      session.epoch = session.epoch >= 0x7fffffff ? 1 : session.epoch + 1;
      if (res.acquisitionLockTimeoutMs > 0) this.lockTimeoutMs = res.acquisitionLockTimeoutMs;
      for (const [t, { partitions }] of topics)
        for (const p of partitions) session.partitions.add(partitionKey(t, p.partitionIndex));
      for (const [topic, f] of forgotten)
        for (const p of f.partitions) session.partitions.delete(partitionKey(topic, p));
      const names = new Map<string, string>();
      for (const [name, t] of md.topics) names.set(t.topicId, name);
      for (const t of res.responses) {
        const topic = names.get(t.topicId);
        if (topic === undefined) continue;
        for (const p of t.partitions) {
          const key = partitionKey(topic, p.partitionIndex);
          const acks = taken.get(key);
          if (acks) {
            taken.delete(key);
            this.emitAcknowledged(
              topic,
              p.partitionIndex,
              acks.types.size,
              p.acknowledgeErrorCode,
              p.acknowledgeErrorMessage,
            );
          }
          if (p.errorCode !== ErrorCode.NONE) {
            // NOT_LEADER_OR_FOLLOWER and the like: metadata is refreshed, and the partition is
            // named again in the next request (to whichever broker leads it then).
            session.partitions.delete(key);
            this.cluster.reportError(kafkaError(p.errorCode, { topic, partition: p.partitionIndex }));
            continue;
          }
          try {
            this.take(topic, p.partitionIndex, p.records, p.acquiredRecords);
          } catch (err) {
            // Records that cannot be read (a corrupt batch): the next poll fails with the error;
            // what was acquired comes back to the group when its lock runs out.
            this.failure ??= err instanceof Error ? err : new Error(String(err));
          }
        }
      }
      // Acknowledgements the answer did not mention went through with the request.
      for (const acks of taken.values())
        this.emitAcknowledged(acks.topic, acks.partition, acks.types.size, 0, null);
    } catch (err) {
      // The request failed as a whole: its acknowledgements wait for the next one; a session
      // whose state is now unknown starts again.
      for (const [key, acks] of taken) {
        const now = this.pending.get(key);
        if (!now) {
          this.pending.set(key, acks);
          continue;
        }
        // Newer acknowledgements of the same offsets (made while the request was out) win.
        for (const [o, ty] of acks.types) if (!now.types.has(o)) now.types.set(o, ty);
      }
      if (!(err instanceof KafkaError)) this.sessions.delete(node);
      this.cluster.reportError(err);
      if (!shouldRetry(err).retry) this.failure = err instanceof Error ? err : new Error(String(err));
      else await sleep(this.o.retryBackoffMs);
    }
  }

  /** Hands out the acquired offsets of one partition's answer; the others' bytes are ignored. */
  private take(
    topic: string,
    partition: number,
    records: Buffer,
    acquired: readonly { firstOffset: bigint; lastOffset: bigint; deliveryCount: number }[],
  ): void {
    if (acquired.length === 0) return;
    const byOffset = new Map<bigint, ConsumerRecord>();
    if (records.length > 0)
      for (const b of decodeRecordBatches(records).batches) {
        if (b.isControl) continue;
        for (const r of b.records) byOffset.set(r.offset, r as ConsumerRecord);
      }
    for (const range of acquired)
      for (let o = range.firstOffset; o <= range.lastOffset; o++) {
        const r = byOffset.get(o);
        if (!r) {
          this.ack(topic, partition, o, AcknowledgeType.gap);
          continue;
        }
        const out = r as unknown as ShareRecord<K, V>;
        out.topic = topic;
        out.partition = partition;
        out.deliveryCount = range.deliveryCount;
        if (this.o.keyDeserializer)
          out.key = this.o.keyDeserializer(r.key as Buffer | null, topic, r.headers);
        if (this.o.valueDeserializer)
          out.value = this.o.valueDeserializer(r.value as Buffer | null, topic, r.headers);
        this.buffered.push(out);
      }
  }

  /**
   * ShareAcknowledge to each broker with a session (of the partitions in `only`, if given);
   * `final`: epoch -1, closing the sessions.
   */
  async sendAcknowledgements(final: boolean, only?: Set<string>): Promise<AcknowledgementResult[]> {
    const results: AcknowledgementResult[] = [];
    const md = this.cluster.metadata;
    const byNode = new Map<number, PendingAcks[]>();
    for (const [key, acks] of this.pending) {
      if (only && !only.has(key)) continue;
      const leader = this.cluster.leaderFor(acks.topic, acks.partition);
      if (leader === undefined || leader < 0) continue;
      pushTo(byNode, leader, acks);
    }
    const nodes = new Set([...byNode.keys(), ...(final ? this.sessions.keys() : [])]);
    await Promise.all(
      [...nodes].map(async (node) => {
        // One request at a time per session: a fetch in flight takes the epoch first.
        await this.inFlight.get(node)?.catch(() => {});
        const session = this.sessions.get(node);
        if (!session || session.epoch === 0) return; // no session there: nothing can be acknowledged
        const list = byNode.get(node) ?? [];
        for (const a of list) this.pending.delete(partitionKey(a.topic, a.partition));
        const topics: AckTopics = new Map();
        for (const a of list) {
          const topicId = md.topics.get(a.topic)?.topicId;
          if (topicId === undefined) continue;
          addPartition(topics, a.topic, topicId, a.partition, batches(a.types));
        }
        if (topics.size === 0 && !final) return;
        const epoch = final ? -1 : session.epoch;
        try {
          const res = await this.cluster.sendTo(node, ShareAcknowledge, {
            groupId: this.o.groupId,
            memberId: this.membership.memberId,
            shareSessionEpoch: epoch,
            topics: [...topics.values()],
          });
          if (final) this.sessions.delete(node);
          else session.epoch = session.epoch >= 0x7fffffff ? 1 : session.epoch + 1;
          const top = res.errorCode !== ErrorCode.NONE ? res.errorCode : 0;
          const names = new Map<string, string>();
          for (const [name, t] of md.topics) names.set(t.topicId, name);
          const answered = new Map<string, { code: number; message: string | null }>();
          for (const t of res.responses)
            for (const p of t.partitions) {
              const name = names.get(t.topicId);
              if (name !== undefined)
                answered.set(partitionKey(name, p.partitionIndex), {
                  code: p.errorCode,
                  message: p.errorMessage,
                });
            }
          for (const a of list) {
            const ans = answered.get(partitionKey(a.topic, a.partition));
            results.push(
              this.emitAcknowledged(
                a.topic,
                a.partition,
                a.types.size,
                top || (ans?.code ?? 0),
                top ? res.errorMessage : (ans?.message ?? null),
              ),
            );
          }
        } catch (err) {
          if (!final) for (const a of list) this.pending.set(partitionKey(a.topic, a.partition), a);
          this.sessions.delete(node);
          for (const a of list)
            results.push({
              topic: a.topic,
              partition: a.partition,
              count: a.types.size,
              error: err instanceof Error ? err : new Error(String(err)),
            });
        }
      }),
    );
    return results;
  }

  private emitAcknowledged(
    topic: string,
    partition: number,
    count: number,
    code: number,
    message: string | null,
  ): AcknowledgementResult {
    const result: AcknowledgementResult = {
      topic,
      partition,
      count,
      error: code === ErrorCode.NONE ? null : kafkaError(code, { topic, partition }, message ?? undefined),
    };
    this.o.acknowledged(result);
    return result;
  }
}

/** A request's topics (ShareFetch, ShareAcknowledge), by topic name. */
type AckTopics = Map<string, AcknowledgeTopic>;

/** Adds a partition, with its acknowledgements, to a request's topics. */
function addPartition(
  topics: AckTopics,
  topic: string,
  topicId: string,
  partitionIndex: number,
  acknowledgementBatches: AcknowledgementBatch[],
): void {
  const t = topics.get(topic) ?? { topicId, partitions: [] };
  t.partitions.push({ partitionIndex, acknowledgementBatches });
  topics.set(topic, t);
}

/** Offset → type, as acknowledgement batches: contiguous offsets of one type in one range. */
function batches(types: ReadonlyMap<bigint, number>): AcknowledgementBatch[] {
  const offsets = [...types.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const out: AcknowledgementBatch[] = [];
  for (const o of offsets) {
    const t = types.get(o) as number;
    const last = out[out.length - 1];
    if (last && last.lastOffset + 1n === o && last.acknowledgeTypes[0] === t) last.lastOffset = o;
    else out.push({ firstOffset: o, lastOffset: o, acknowledgeTypes: [t] });
  }
  return out;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
