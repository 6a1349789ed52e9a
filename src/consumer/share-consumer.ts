/**
 * The share consumer (KIP-932; Java: `KafkaShareConsumer`): a member of a share group, where
 * records of one partition go to many consumers at once and each record is acknowledged on its
 * own — accepted (done), released (to be delivered again, its delivery count one higher) or
 * rejected (never again). Queues on Kafka: more consumers than partitions, no per-partition order.
 *
 * Owns: the membership (group/share-membership.ts), one share session per broker (the epoch and
 * the partitions in it), the records fetched and not handed out yet, the records of the last poll
 * awaiting acknowledgement, and the acknowledgements not sent yet.
 *
 * Invariants:
 * - Only acquired offsets are handed out: the ShareFetch response's `acquiredRecords` ranges say
 *   which of the batch's records are this member's; an acquired offset with no data record (a
 *   control record, a compacted gap) is acknowledged as a gap at once.
 * - `shareAcknowledgementMode: 'implicit'` (default, as Java): the next poll() or commit() accepts
 *   every record the last poll handed out. `'explicit'`: `acknowledge()` each one; a poll() with
 *   records of the last poll not acknowledged throws IllegalStateError.
 * - Acknowledgements go with the next ShareFetch to the partition's leader, or with commit() and
 *   close() in ShareAcknowledge; a request that failed as a whole keeps them for the next one.
 * - One poll at a time; every poll returns by its `timeoutMs` (the fetch's maxWaitMs is the time
 *   left); close() releases what the consumer holds: records fetched and not handed out, and
 *   (explicit mode) handed out and not acknowledged, then closes each share session (epoch -1)
 *   and leaves the group.
 */
import { EventEmitter } from 'node:events';
import { ShareGroupMembership } from '../group/share-membership.js';
import { Cluster } from '../network/cluster.js';
import { enumOption, intOption, rejectUnknownOptions, stringOption } from '../network/config.js';
import { BrokerFeature, requireFeature } from '../network/features.js';
import { clientLog, LOGGING_OPTIONS, type LoggingConfig } from '../network/logger.js';
import { shouldRetry } from '../network/retry.js';
import { resolveSecurity, SECURITY_OPTIONS, type SecurityConfig } from '../network/security.js';
import { fromPartitionKey, partitionKey } from '../network/topic-partition.js';
import {
  type AcknowledgementBatch,
  AcknowledgeType,
  ShareAcknowledge,
  ShareFetch,
} from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ConfigError, IllegalStateError, KafkaError, kafkaError } from '../protocol/errors.js';
import { decodeRecordBatches } from '../protocol/records/record-batch.js';
import { type ConsumerRecord, settledBy } from './delivery.js';
import type { Deserializer } from './deserializers.js';

/** A record of a share group: which partition, and how many times it has been delivered. */
export interface ShareRecord<K = Buffer | null, V = Buffer | null> extends ConsumerRecord<K, V> {
  topic: string;
  partition: number;
  /** 1 the first time; one more each time it was released or its acquisition lock ran out. */
  deliveryCount: number;
}

/** What an acknowledgement says of a record. */
export type AcknowledgeTypeName = 'accept' | 'release' | 'reject';

export interface ShareConsumerConfig<K = Buffer | null, V = Buffer | null>
  extends SecurityConfig,
    LoggingConfig {
  /** Java: `bootstrap.servers`. */
  bootstrapServers: string | string[];
  /** Java: `group.id`: the share group. */
  groupId: string;
  /** Java: `client.id`. Default `kafkawire-share-consumer`. */
  clientId?: string;
  /** Java: `share.acknowledgement.mode`: `'implicit'` (default) or `'explicit'` (see the class). */
  shareAcknowledgementMode?: 'implicit' | 'explicit';
  /** Java: `max.poll.records`: records one poll returns, and one fetch acquires, at most. Default 500. */
  maxPollRecords?: number;
  /** Java: `fetch.max.wait.ms`. Default 500. */
  fetchMaxWaitMs?: number;
  /** Java: `fetch.min.bytes`. Default 1. */
  fetchMinBytes?: number;
  /** Java: `fetch.max.bytes`. Default 52428800. */
  fetchMaxBytes?: number;
  /** Java: `request.timeout.ms`. Default 30000. */
  requestTimeoutMs?: number;
  /** Java: `retry.backoff.ms`. Default 100. */
  retryBackoffMs?: number;
  /** Java: `retry.backoff.max.ms`. Default 1000. */
  retryBackoffMaxMs?: number;
  /** Java: `client.rack`. */
  clientRack?: string;
  /** Turns a key's bytes into the application's type (default: the Buffer, or null). */
  keyDeserializer?: Deserializer<K>;
  /** Turns a value's bytes into the application's type (default: the Buffer, or null). */
  valueDeserializer?: Deserializer<V>;
}

const OPTIONS = [
  'bootstrapServers',
  'groupId',
  'clientId',
  'shareAcknowledgementMode',
  'maxPollRecords',
  'fetchMaxWaitMs',
  'fetchMinBytes',
  'fetchMaxBytes',
  'requestTimeoutMs',
  'retryBackoffMs',
  'retryBackoffMaxMs',
  'clientRack',
  'keyDeserializer',
  'valueDeserializer',
  ...SECURITY_OPTIONS,
  ...LOGGING_OPTIONS,
];

const TYPE_CODES: Record<AcknowledgeTypeName, number> = {
  accept: AcknowledgeType.accept,
  release: AcknowledgeType.release,
  reject: AcknowledgeType.reject,
};

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

/** An acknowledgement outcome, as the `'acknowledged'` event reports it. */
export interface AcknowledgementResult {
  topic: string;
  partition: number;
  /** How many offsets the request acknowledged. */
  count: number;
  /** The partition's error (e.g. INVALID_RECORD_STATE: a lock that had run out), or null. */
  error: Error | null;
}

/**
 * A share group consumer. Emits `'acknowledged'` (an AcknowledgementResult per partition per
 * request that carried acknowledgements).
 *
 * @example
 * ```ts
 * const consumer = new ShareConsumer({ bootstrapServers: 'localhost:9092', groupId: 'jobs' });
 * consumer.subscribe(['jobs']);
 * for (;;) {
 *   for (const record of await consumer.poll({ timeoutMs: 1000 })) await work(record.value);
 *   // implicit mode: the next poll accepts what this one returned
 * }
 * ```
 */
export class ShareConsumer<K = Buffer | null, V = Buffer | null> extends EventEmitter {
  private readonly cluster: Cluster;
  private readonly membership: ShareGroupMembership;
  private readonly explicit: boolean;
  private readonly maxPollRecords: number;
  private readonly fetchMaxWaitMs: number;
  private readonly fetchMinBytes: number;
  private readonly fetchMaxBytes: number;
  private readonly backoff: { retryBackoffMs: number; retryBackoffMaxMs: number };
  private readonly keyDeserializer: Deserializer<K> | undefined;
  private readonly valueDeserializer: Deserializer<V> | undefined;
  private readonly groupId: string;
  /** Per broker: the share session's next epoch and the partitions in it. */
  private readonly sessions = new Map<number, { epoch: number; partitions: Set<string> }>();
  private readonly pending = new Map<string, PendingAcks>();
  private buffered: ShareRecord<K, V>[] = [];
  /** The last poll's records, with the type each was acknowledged with (explicit mode). */
  private delivered: { record: ShareRecord<K, V>; type: number | null }[] = [];
  private subscribed: string[] = [];
  /** The ShareFetch in flight per broker (one at a time: the session epoch orders them). */
  private readonly inFlight = new Map<number, Promise<void>>();
  /** A fetch's error that is not retriable, thrown by the next poll. */
  private failure: Error | null = null;
  private polling = false;
  private closed = false;
  private connected = false;

  constructor(config: ShareConsumerConfig<K, V>) {
    super();
    if (config === null || typeof config !== 'object' || config.bootstrapServers === undefined)
      throw new ConfigError('bootstrapServers', 'is required');
    rejectUnknownOptions(config, OPTIONS, 'share consumer');
    const groupId = stringOption('groupId', config.groupId, null);
    if (!groupId) throw new ConfigError('groupId', 'is required: the share group to join');
    this.groupId = groupId;
    this.explicit =
      enumOption('shareAcknowledgementMode', config.shareAcknowledgementMode, 'implicit', [
        'implicit',
        'explicit',
      ] as const) === 'explicit';
    this.maxPollRecords = intOption('maxPollRecords', config.maxPollRecords, 500, 1, 1_000_000);
    this.fetchMaxWaitMs = intOption('fetchMaxWaitMs', config.fetchMaxWaitMs, 500, 0, 60_000);
    this.fetchMinBytes = intOption('fetchMinBytes', config.fetchMinBytes, 1, 0);
    this.fetchMaxBytes = intOption('fetchMaxBytes', config.fetchMaxBytes, 52_428_800, 1);
    const requestTimeoutMs = intOption('requestTimeoutMs', config.requestTimeoutMs, 30_000, 1);
    const retryBackoffMs = intOption('retryBackoffMs', config.retryBackoffMs, 100, 0);
    this.backoff = {
      retryBackoffMs,
      retryBackoffMaxMs: Math.max(
        retryBackoffMs,
        intOption('retryBackoffMaxMs', config.retryBackoffMaxMs, 1000, 0),
      ),
    };
    for (const name of ['keyDeserializer', 'valueDeserializer'] as const)
      if (config[name] !== undefined && typeof config[name] !== 'function')
        throw new ConfigError(name, 'expected a function (data, topic, headers) => value');
    this.keyDeserializer = config.keyDeserializer;
    this.valueDeserializer = config.valueDeserializer;
    const security = resolveSecurity(config);
    const clientId =
      stringOption('clientId', config.clientId, 'kafkawire-share-consumer') ?? 'kafkawire-share-consumer';
    this.cluster = new Cluster({
      bootstrapServers: config.bootstrapServers,
      clientId,
      requestTimeoutMs: requestTimeoutMs + this.fetchMaxWaitMs,
      tls: security.tls,
      authenticate: security.authenticate,
      log: clientLog(config, 'consumer', clientId),
    });
    this.membership = new ShareGroupMembership(this.cluster, {
      groupId,
      rackId: stringOption('clientRack', config.clientRack, null),
      ...this.backoff,
    });
  }

  /** Joins the share group for these topics (replacing an earlier subscription). */
  subscribe(topics: readonly string[]): void {
    this.assertOpen();
    if (
      !Array.isArray(topics) ||
      topics.length === 0 ||
      topics.some((t) => typeof t !== 'string' || t === '')
    )
      throw new ConfigError('topics', 'expected a non-empty array of topic names');
    this.subscribed = [...new Set(topics)];
    if (this.connected) this.membership.subscribe(this.subscribed);
  }

  /** The topics subscribed to. */
  subscription(): string[] {
    return [...this.subscribed];
  }

  /** The partitions the broker assigned last (several members may share each one). */
  assignment(): { topic: string; partition: number }[] {
    return this.membership.assignment.map((tp) => ({ ...tp }));
  }

  /** The member id this consumer has in the group. */
  get memberId(): string {
    return this.membership.memberId;
  }

  /**
   * Acknowledges one record of the last poll (explicit mode): `'accept'` (default) — done;
   * `'release'` — deliver it again (to any member); `'reject'` — never deliver it again. Sent with
   * the next poll's fetch, or by commit().
   */
  acknowledge(record: ShareRecord<K, V>, type: AcknowledgeTypeName = 'accept'): void {
    this.assertOpen();
    if (!this.explicit)
      throw new IllegalStateError(
        "acknowledge() needs shareAcknowledgementMode: 'explicit' (implicit mode accepts each poll's records at the next poll)",
      );
    const code = TYPE_CODES[type];
    if (code === undefined) throw new ConfigError('type', "expected 'accept', 'release' or 'reject'");
    const d = this.delivered.find((x) => x.record === record);
    if (!d) throw new IllegalStateError('acknowledge() takes a record of the last poll, each one once');
    if (d.type !== null)
      throw new IllegalStateError(
        `${record.topic}-${record.partition}@${record.offset} is acknowledged already`,
      );
    d.type = code;
    this.ack(record.topic, record.partition, record.offset, code);
  }

  /**
   * Up to `maxPollRecords` acquired records, waiting up to `timeoutMs` (default 1000) for some;
   * an empty array then. Implicit mode accepts the last poll's records first; explicit mode
   * throws IllegalStateError while one of them is not acknowledged.
   */
  async poll(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<ShareRecord<K, V>[]> {
    this.assertOpen();
    if (this.polling) throw new IllegalStateError('poll() called while another poll is under way');
    if (this.subscribed.length === 0) throw new IllegalStateError('subscribe() before poll()');
    this.settleDelivered();
    this.polling = true;
    try {
      const timeoutMs = intOption('timeoutMs', options.timeoutMs, 1000, 0);
      const deadline = Date.now() + timeoutMs;
      await this.ensureConnected(deadline);
      for (;;) {
        this.membership.check();
        if (this.failure) {
          const err = this.failure;
          this.failure = null;
          throw err;
        }
        if (this.buffered.length > 0) {
          const out = this.buffered.splice(0, this.maxPollRecords);
          this.delivered = out.map((record) => ({ record, type: null }));
          return out;
        }
        const left = deadline - Date.now();
        if (left <= 0 || options.signal?.aborted || this.closed) return [];
        await this.fetchOnce(Math.min(this.fetchMaxWaitMs, left), deadline, options.signal);
      }
    } finally {
      this.polling = false;
    }
  }

  /**
   * Sends the acknowledgements not sent yet now (implicit mode: the last poll's records accepted
   * first) and resolves with each partition's outcome.
   */
  async commit(): Promise<AcknowledgementResult[]> {
    this.assertOpen();
    this.settleDelivered();
    return this.sendAcknowledgements(false);
  }

  /**
   * Releases what the consumer holds (records fetched and not handed out; explicit mode: handed
   * out and not acknowledged), sends the pending acknowledgements (implicit mode: the last poll's
   * records accepted), closes each share session and leaves the group.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.explicit) this.settleDelivered();
    for (const d of this.delivered)
      if (d.type === null)
        this.ack(d.record.topic, d.record.partition, d.record.offset, AcknowledgeType.release);
    for (const r of this.buffered) this.ack(r.topic, r.partition, r.offset, AcknowledgeType.release);
    this.delivered = [];
    this.buffered = [];
    this.closed = true;
    try {
      if (this.connected) await this.sendAcknowledgements(true).catch(() => []);
      await this.membership.leave().catch(() => {});
    } finally {
      await this.cluster.close();
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new IllegalStateError('This share consumer is closed');
  }

  /** Implicit mode: the last poll's records accepted. Explicit: each must have been acknowledged. */
  private settleDelivered(): void {
    if (this.explicit) {
      const open = this.delivered.filter((d) => d.type === null);
      if (open.length > 0)
        throw new IllegalStateError(
          `${open.length} record(s) of the last poll are not acknowledged (shareAcknowledgementMode 'explicit'): acknowledge each before polling again`,
        );
    } else
      for (const d of this.delivered)
        this.ack(d.record.topic, d.record.partition, d.record.offset, AcknowledgeType.accept);
    this.delivered = [];
  }

  private ack(topic: string, partition: number, offset: bigint, type: number): void {
    const key = partitionKey(topic, partition);
    let p = this.pending.get(key);
    if (!p) {
      p = { topic, partition, types: new Map() };
      this.pending.set(key, p);
    }
    p.types.set(offset, type);
  }

  private async ensureConnected(deadline: number): Promise<void> {
    if (this.connected) return;
    for (let attempt = 0; ; attempt++) {
      try {
        const conn = await this.cluster.anyConnection();
        requireFeature(conn, BrokerFeature.shareGroups);
        this.connected = true;
        this.membership.subscribe(this.subscribed);
        return;
      } catch (err) {
        if (!shouldRetry(err).retry || Date.now() >= deadline) throw err;
        await sleep(Math.min(deadline - Date.now(), this.backoff.retryBackoffMs * 2 ** Math.min(attempt, 4)));
      }
    }
  }

  /** The assigned partitions, grouped by leader (a partition without one refreshes metadata). */
  private byLeader(): Map<number, { topic: string; partition: number }[]> {
    const out = new Map<number, { topic: string; partition: number }[]>();
    for (const { topic, partition } of this.membership.assignment) {
      const leader = this.cluster.leaderFor(topic, partition);
      if (leader === undefined || leader < 0) {
        void this.cluster.refresh(this.subscribed).catch(() => {});
        continue;
      }
      out.set(leader, [...(out.get(leader) ?? []), { topic, partition }]);
    }
    return out;
  }

  /**
   * A ShareFetch to each leader with none in flight, then waits until one of those in flight
   * answers, or the deadline. Acknowledgements of partitions no longer assigned go first, in
   * ShareAcknowledge (a fetch would ask for more of them).
   */
  private async fetchOnce(
    maxWaitMs: number,
    deadline: number,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const assigned = new Set(this.membership.assignment.map((tp) => partitionKey(tp.topic, tp.partition)));
    const orphans = [...this.pending.keys()].filter((k) => !assigned.has(k));
    if (orphans.length > 0)
      await settledBy(this.sendAcknowledgements(false, new Set(orphans)), deadline, signal);
    const leaders = this.byLeader();
    for (const [node, tps] of leaders) {
      if (this.inFlight.has(node)) continue;
      const f = this.fetchFrom(node, tps, assigned, maxWaitMs).finally(() => this.inFlight.delete(node));
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
    assigned: Set<string>,
    maxWaitMs: number,
  ): Promise<void> {
    const session = this.sessions.get(node) ?? { epoch: 0, partitions: new Set<string>() };
    this.sessions.set(node, session);
    const md = this.cluster.metadata;
    const taken = new Map<string, PendingAcks>();
    const topics = new Map<
      string,
      {
        topicId: string;
        partitions: { partitionIndex: number; acknowledgementBatches: AcknowledgementBatch[] }[];
      }
    >();
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
      const t = topics.get(tp.topic) ?? { topicId, partitions: [] };
      t.partitions.push({
        partitionIndex: tp.partition,
        acknowledgementBatches: acks ? batches(acks.types) : [],
      });
      topics.set(tp.topic, t);
    }
    const forgotten = new Map<string, { topicId: string; partitions: number[] }>();
    if (session.epoch > 0)
      for (const key of session.partitions) {
        if (assigned.has(key) || taken.has(key)) continue;
        const { topic, partition } = fromPartitionKey(key);
        const topicId = md.topics.get(topic)?.topicId;
        if (topicId === undefined) continue;
        const f = forgotten.get(topic) ?? { topicId, partitions: [] };
        f.partitions.push(partition);
        forgotten.set(topic, f);
      }
    try {
      const res = await this.cluster.sendTo(node, ShareFetch, {
        groupId: this.groupId,
        memberId: this.membership.memberId,
        shareSessionEpoch: session.epoch,
        maxWaitMs,
        minBytes: this.fetchMinBytes,
        maxBytes: this.fetchMaxBytes,
        maxRecords: this.maxPollRecords,
        batchSize: this.maxPollRecords,
        topics: [...topics.values()],
        forgottenTopicsData: [...forgotten.values()],
      });
      if (res.errorCode !== ErrorCode.NONE) {
        if (SESSION_LOST.has(res.errorCode)) this.sessions.delete(node);
        throw kafkaError(
          res.errorCode,
          { group: this.groupId, broker: `node ${node}` },
          res.errorMessage ?? undefined,
        );
      }
      session.epoch = session.epoch >= 0x7fffffff ? 1 : session.epoch + 1;
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
            this.cluster.reportError(kafkaError(p.errorCode, { topic, partition: p.partitionIndex }));
            continue;
          }
          this.take(topic, p.partitionIndex, p.records, p.acquiredRecords);
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
        if (now)
          for (const [o, ty] of acks.types)
            if (!now.types.has(o)) now.types.set(o, ty);
            else this.pending.set(key, acks);
      }
      if (!(err instanceof KafkaError)) this.sessions.delete(node);
      this.cluster.reportError(err);
      if (!shouldRetry(err).retry) this.failure = err instanceof Error ? err : new Error(String(err));
      else await sleep(this.backoff.retryBackoffMs);
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
        if (this.keyDeserializer) out.key = this.keyDeserializer(r.key as Buffer | null, topic, r.headers);
        if (this.valueDeserializer)
          out.value = this.valueDeserializer(r.value as Buffer | null, topic, r.headers);
        this.buffered.push(out);
      }
  }

  /**
   * ShareAcknowledge to each broker with a session (of the partitions in `only`, if given);
   * `final`: epoch -1, closing the sessions.
   */
  private async sendAcknowledgements(final: boolean, only?: Set<string>): Promise<AcknowledgementResult[]> {
    const results: AcknowledgementResult[] = [];
    const md = this.cluster.metadata;
    const byNode = new Map<number, PendingAcks[]>();
    for (const [key, acks] of this.pending) {
      if (only && !only.has(key)) continue;
      const leader = this.cluster.leaderFor(acks.topic, acks.partition);
      if (leader === undefined || leader < 0) continue;
      byNode.set(leader, [...(byNode.get(leader) ?? []), acks]);
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
        const topics = new Map<
          string,
          {
            topicId: string;
            partitions: { partitionIndex: number; acknowledgementBatches: AcknowledgementBatch[] }[];
          }
        >();
        for (const a of list) {
          const topicId = md.topics.get(a.topic)?.topicId;
          if (topicId === undefined) continue;
          const t = topics.get(a.topic) ?? { topicId, partitions: [] };
          t.partitions.push({ partitionIndex: a.partition, acknowledgementBatches: batches(a.types) });
          topics.set(a.topic, t);
        }
        if (topics.size === 0 && !final) return;
        const epoch = final ? -1 : session.epoch;
        try {
          const res = await this.cluster.sendTo(node, ShareAcknowledge, {
            groupId: this.groupId,
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
    if (this.listenerCount('acknowledged') > 0) this.emit('acknowledged', result);
    return result;
  }
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
