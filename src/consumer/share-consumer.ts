/**
 * The share consumer (KIP-932; Java: `KafkaShareConsumer`): a member of a share group, where
 * records of one partition go to many consumers at once and each record is acknowledged on its
 * own — accepted (done), released (to be delivered again, its delivery count one higher) or
 * rejected (never again). Queues on Kafka: more consumers than partitions, no per-partition order.
 *
 * Owns: the membership (group/share-membership.ts), the fetcher (share-fetcher.ts: the share
 * sessions, the records fetched and not handed out, the acknowledgements not sent), and the
 * records of the last poll awaiting acknowledgement.
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
import { resolveSecurity, SECURITY_OPTIONS, type SecurityConfig } from '../network/security.js';
import { AcknowledgeType } from '../protocol/apis/index.js';
import { ConfigError, IllegalStateError } from '../protocol/errors.js';
import { Bootstrap } from './bootstrap.js';
import { type ConsumerRecord, settledBy } from './delivery.js';
import type { Deserializer } from './deserializers.js';
import { ShareFetcher } from './share-fetcher.js';

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
  private readonly backoff: { retryBackoffMs: number; retryBackoffMaxMs: number };
  private readonly fetcher: ShareFetcher<K, V>;
  /** The last poll's records, with the type each was acknowledged with (explicit mode). */
  private delivered: { record: ShareRecord<K, V>; type: number | null }[] = [];
  private subscribed: string[] = [];
  private polling = false;
  private closed = false;
  private connected = false;
  private readonly bootstrap: Bootstrap;

  constructor(config: ShareConsumerConfig<K, V>) {
    super();
    if (config === null || typeof config !== 'object' || config.bootstrapServers === undefined)
      throw new ConfigError('bootstrapServers', 'is required');
    rejectUnknownOptions(config, OPTIONS, 'share consumer');
    const groupId = stringOption('groupId', config.groupId, null);
    if (!groupId) throw new ConfigError('groupId', 'is required: the share group to join');
    this.explicit =
      enumOption('shareAcknowledgementMode', config.shareAcknowledgementMode, 'implicit', [
        'implicit',
        'explicit',
      ] as const) === 'explicit';
    this.maxPollRecords = intOption('maxPollRecords', config.maxPollRecords, 500, 1, 1_000_000);
    this.fetchMaxWaitMs = intOption('fetchMaxWaitMs', config.fetchMaxWaitMs, 500, 0, 60_000);
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
    this.bootstrap = new Bootstrap(this.cluster, () => {});
    this.fetcher = new ShareFetcher(this.cluster, this.membership, {
      groupId,
      maxPollRecords: this.maxPollRecords,
      fetchMinBytes: intOption('fetchMinBytes', config.fetchMinBytes, 1, 0),
      fetchMaxBytes: intOption('fetchMaxBytes', config.fetchMaxBytes, 52_428_800, 1),
      retryBackoffMs,
      keyDeserializer: config.keyDeserializer,
      valueDeserializer: config.valueDeserializer,
      topics: () => this.subscribed,
      acknowledged: (result) => {
        if (this.listenerCount('acknowledged') > 0) this.emit('acknowledged', result);
      },
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

  /**
   * How long the broker keeps a record acquired for this consumer (Java:
   * `acquisitionLockTimeoutMs()`; the group's share.record.lock.duration.ms), from the last fetch;
   * null before it. A record acknowledged later has come back to the group already: its
   * acknowledgement fails (INVALID_RECORD_STATE on the `'acknowledged'` event).
   */
  get acquisitionLockTimeoutMs(): number | null {
    return this.fetcher.lockTimeoutMs;
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
    this.fetcher.ack(record.topic, record.partition, record.offset, code);
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
      if (!(await this.ensureConnected(deadline, options.signal))) return [];
      for (;;) {
        this.membership.check();
        if (this.fetcher.failure) {
          const err = this.fetcher.failure;
          this.fetcher.failure = null;
          throw err;
        }
        if (this.fetcher.buffered.length > 0) {
          const out = this.fetcher.buffered.splice(0, this.maxPollRecords);
          this.delivered = out.map((record) => ({ record, type: null }));
          return out;
        }
        const left = deadline - Date.now();
        if (left <= 0 || options.signal?.aborted || this.closed) return [];
        await this.fetcher.fetchOnce(Math.min(this.fetchMaxWaitMs, left), deadline, options.signal);
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
    return this.fetcher.sendAcknowledgements(false);
  }

  /**
   * Releases what the consumer holds (records fetched and not handed out; explicit mode: handed
   * out and not acknowledged), sends the pending acknowledgements (implicit mode: the last poll's
   * records accepted), closes each share session and leaves the group, within `timeoutMs`
   * (default 30000; what is not answered by then is given up, the connections closed anyway).
   */
  async close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.closed) return;
    const deadline = Date.now() + intOption('timeoutMs', options.timeoutMs, 30_000, 0);
    if (!this.explicit) this.settleDelivered();
    for (const d of this.delivered)
      if (d.type === null)
        this.fetcher.ack(d.record.topic, d.record.partition, d.record.offset, AcknowledgeType.release);
    for (const r of this.fetcher.buffered)
      this.fetcher.ack(r.topic, r.partition, r.offset, AcknowledgeType.release);
    this.delivered = [];
    this.fetcher.buffered = [];
    this.closed = true;
    try {
      const last = (async () => {
        if (this.connected) await this.fetcher.sendAcknowledgements(true).catch(() => []);
        await this.membership.leave().catch(() => {});
      })();
      await settledBy(last, deadline, undefined);
    } finally {
      // What had to be said is said (acknowledgements, the leave): requests still in flight (a
      // long-polling fetch, a silent peer) are not waited for.
      await this.cluster.close(0);
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
        this.fetcher.ack(d.record.topic, d.record.partition, d.record.offset, AcknowledgeType.accept);
    this.delivered = [];
  }

  /**
   * Connected (first metadata) and the broker checked for share groups by `deadline`: true; false
   * when the deadline came first (the attempt goes on in the background); throws a failed
   * attempt's error once, and UnsupportedFeatureError for a broker without share groups.
   */
  private async ensureConnected(deadline: number, signal: AbortSignal | undefined): Promise<boolean> {
    if (this.connected) return true;
    if (!(await this.bootstrap.connectedBy(deadline, signal))) return false;
    requireFeature(await this.cluster.anyConnection(), BrokerFeature.shareGroups);
    this.connected = true;
    this.membership.subscribe(this.subscribed);
    return true;
  }
}

function _sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}
