/**
 * Consumer: reads records from assigned partitions (Java: `KafkaConsumer`), assigned by hand or by
 * its consumer group — the public facade over parts that each own one thing: SubscriptionState
 * (cursors, positions, pause, resets; subscription-state.ts), the fetch buffer's way out
 * (fetch-buffer.ts), the Fetcher (one fetch loop per leader; fetcher.ts), the PositionValidator
 * (KIP-320 truncation checks after a leader change; position-validator.ts), the OffsetResolver
 * (committed offsets, resets, lookups; offset-resolver.ts), the CommitManager
 * (commit-manager.ts) and the RebalanceCoordinator (subscription, joins, the listener, the
 * poll-interval watchdog; rebalance-coordinator.ts). Handlers and the iterator: delivery.ts.
 *
 * Owns: the one reader (poll(), run() or the iterator), the first connection (bootstrap.ts),
 * missing topics, metrics, and close.
 *
 * Invariants:
 * - A partition's records reach the application in offset order, each once per position: a
 *   cursor delivers from `position` and moves it past what it delivered; a seek bumps the
 *   cursor's epoch so a fetch answered for an older position is dropped.
 * - Memory stays bounded however slow the application is: about `fetchMaxBytes` in all (plus
 *   the first batch of a response, which a broker sends whole however large, KIP-74), at most
 *   about twice `maxPartitionFetchBytes` per partition, and one decoded batch per partition,
 *   while fetches run ahead of it (fetcher.ts). A batch's CRC is checked as it arrives, its
 *   records are decoded as poll hands them out.
 * - Errors that retrying can fix (a moved leader, a dead connection) are retried inside; the
 *   others surface from the next poll as typed errors, naming topic and partition.
 * - Nothing is committed past what the application finished (cursor.ts, commit-manager.ts).
 * - A poll returns by its deadline whatever the cluster or the group does: rebalances and
 *   lookups that take longer go on in the background (rebalance-coordinator.ts).
 */

import { EventEmitter } from 'node:events';
import type { Cluster } from '../network/cluster.js';
import { METRICS_REGISTRY, type MetricsRegistry, type MetricsSnapshot } from '../network/metrics.js';
import type { OffsetFound, OffsetLookup } from '../network/offsets.js';
import { ConfigError, IllegalStateError } from '../protocol/errors.js';
import type { Bootstrap } from './bootstrap.js';
import type { CommitManager } from './commit-manager.js';
import { type ConsumerConfig, type ResolvedConsumerConfig, resolveConsumerConfig } from './config.js';
import type { Cursor } from './cursor.js';
import {
  type ConsumerBatch,
  type DeliveryHost,
  deliverBatches,
  type RunOptions,
  runHandlers,
  type Taken,
} from './delivery.js';
import { type Deserializers, takeRecords } from './fetch-buffer.js';
import type { Fetcher } from './fetcher.js';
import type { ConsumerMetrics } from './metrics.js';
import type { MissingTopics } from './missing-topics.js';
import { OffsetResolver } from './offset-resolver.js';
import { buildParts, type ConsumerFacade } from './parts.js';
import type { RebalanceCoordinator } from './rebalance-coordinator.js';
import type { SubscriptionState } from './subscription-state.js';
import {
  type CommitOffset,
  type ConsumerEvents,
  checkPartitions,
  checkTopicPartition,
  type PollOptions,
  type RebalanceListener,
  type TopicPartition,
} from './types.js';

export type { ConsumerBatch, ConsumerRecord, RunOptions } from './delivery.js';
export type { Deserializer } from './deserializers.js';
export type {
  CommitOffset,
  ConsumerEvents,
  LogTruncation,
  PollOptions,
  RebalanceListener,
  TopicNotFound,
  TopicPartition,
} from './types.js';

/** Who is reading from a consumer now: one of poll(), run() or the iterator at a time. */
type Reader = 'poll()' | 'run()' | 'the async iterator';

/**
 * A Kafka consumer (Java: `KafkaConsumer`): over partitions assigned by hand (`assign`) or by
 * its group (`subscribe`). Async-iterable over batches; see `poll` and `run`. One reader at a
 * time: a `poll()` while another poll, `run()` or an iteration is under way rejects with an
 * `IllegalStateError` (Java's consumer refuses a second thread the same way).
 */
export class Consumer<K = Buffer | null, V = Buffer | null>
  extends EventEmitter<ConsumerEvents>
  implements AsyncIterable<ConsumerBatch<K, V>>
{
  readonly config: ResolvedConsumerConfig;
  private readonly cluster: Cluster;
  private readonly state: SubscriptionState;
  private readonly fetcher: Fetcher;
  private readonly offsets: OffsetResolver;
  private readonly commits: CommitManager;
  private readonly group: RebalanceCoordinator;
  private closed = false;
  /** The first connection, one shared attempt at a time (bootstrap.ts). */
  private readonly bootstrap: Bootstrap;
  /** The close under way, shared by every `close()` call. */
  private closing: Promise<void> | null = null;
  /** The poll, run() or iteration under way (see Reader). */
  private reader: Reader | null = null;
  /** Subscribed or assigned topics the cluster's metadata says do not exist (see ConsumerEvents). */
  private readonly missingTopics: MissingTopics;
  private readonly consumerMetrics: ConsumerMetrics;
  /** keyDeserializer / valueDeserializer, or null when neither is set. */
  private readonly deserializers: Deserializers | null;
  /** The worker pool's wait for its handlers of partitions about to be revoked (worker-pool.ts). */
  private drainer: ((cursors: readonly Cursor[]) => Promise<void>) | null = null;
  /** The cursors of exactly these partitions (kept ones keep theirs), without starting anything. */
  private readonly place: (partitions: readonly TopicPartition[]) => void;

  constructor(config: ConsumerConfig<K, V>) {
    super();
    this.config = resolveConsumerConfig(config);
    const c = this.config;
    this.deserializers =
      c.keyDeserializer || c.valueDeserializer
        ? { key: c.keyDeserializer, value: c.valueDeserializer }
        : null;
    const consumer = this;
    const parts = buildParts(c, {
      get closed() {
        return consumer.closed;
      },
      get stopping() {
        return consumer.stopping;
      },
      kick: () => this.kick(),
      drain: (cursors) => this.drainer?.(cursors) ?? Promise.resolve(),
      emit: this.emit.bind(this) as ConsumerFacade['emit'],
      listenerCount: (event: keyof ConsumerEvents) => this.listenerCount(event),
    });
    this.cluster = parts.cluster;
    this.state = parts.state;
    this.consumerMetrics = parts.metrics;
    this.bootstrap = parts.bootstrap;
    this.missingTopics = parts.missingTopics;
    this.fetcher = parts.fetcher;
    this.offsets = parts.offsets;
    this.commits = parts.commits;
    this.group = parts.group;
    this.place = parts.place;
  }

  /** Connects to the cluster. Optional: poll connects too. Rejects with the attempt's error. */
  connect(): Promise<void> {
    return this.bootstrap.connect();
  }

  /**
   * Reads exactly these partitions from now on (Java: `assign`). Positions of kept partitions
   * stay; new ones start from the group's committed offset when a `groupId` is set, else (or
   * without one) by `autoOffsetReset`, unless the application seeks first.
   */
  assign(partitions: readonly TopicPartition[]): void {
    this.assertOpen();
    checkPartitions(partitions);
    this.place(partitions);
    this.kick();
  }

  /**
   * Joins the consumer group (`groupId`) for these topics; the group's leader splits their
   * partitions between its members, and rebalances move them as members come and go.
   */
  subscribe(topics: readonly string[] | RegExp, listener: RebalanceListener = {}): void {
    this.assertOpen();
    this.group.subscribe(topics, listener);
  }

  /**
   * Commits, for every assigned partition, the offset after the last record the application
   * finished, and resolves when the coordinator has them (Java: `commitSync`). After `poll()` that
   * is every record it handed out; inside `run()`, the records whose handler resolved (not the
   * one running); with the async iterator, the batches it yielded.
   * While a cooperative rebalance is in flight it rejects with a REBALANCE_IN_PROGRESS
   * KafkaError (Java: `RebalanceInProgressException`): poll to complete it, then commit again.
   * Once the group went on without this member (it polled later than `maxPollIntervalMs`, or its
   * session expired) it rejects with an UNKNOWN_MEMBER_ID KafkaError and commits nothing (Java:
   * `CommitFailedException`): the next poll calls `onPartitionsLost` and rejoins.
   */
  async commit(): Promise<void>;
  /**
   * Commits the given offsets (Java: `commitSync(Map)`): each the offset of the next record to
   * read, i.e. the last processed offset + 1. The same rules as `commit()` apply.
   */
  async commit(offsets: readonly CommitOffset[]): Promise<void>;
  async commit(offsets?: readonly CommitOffset[]): Promise<void> {
    this.assertOpen();
    if (offsets === undefined) await this.commits.commitAll(this.state.order);
    else await this.commits.commitOffsets(offsets);
  }

  /**
   * The group's committed offsets of partitions (Java: `committed`), in the order asked: the
   * offset the group resumes from, or null where it has committed none.
   */
  async committed(
    partitions: readonly TopicPartition[],
  ): Promise<(TopicPartition & { offset: bigint | null })[]> {
    this.assertOpen();
    checkPartitions(partitions);
    return this.group.committedOffsets(partitions);
  }

  /** The first offset of each partition (Java: `beginningOffsets`). */
  async beginningOffsets(
    partitions: readonly TopicPartition[],
  ): Promise<(TopicPartition & { offset: bigint })[]> {
    return this.lookup(partitions.map((tp) => ({ ...tp, query: 'earliest' as const })));
  }

  /**
   * The offset after the last record of each partition (Java: `endOffsets`): the high watermark,
   * or with `isolationLevel: 'read_committed'` the last stable offset.
   */
  async endOffsets(partitions: readonly TopicPartition[]): Promise<(TopicPartition & { offset: bigint })[]> {
    return this.lookup(partitions.map((tp) => ({ ...tp, query: 'latest' as const })));
  }

  /**
   * For each partition, the first record whose timestamp is at or after the one given (Java:
   * `offsetsForTimes`), or null when every record is older. `seek` to its offset to read from
   * a point in time.
   */
  async offsetsForTimes(
    query: readonly (TopicPartition & { timestamp: number })[],
  ): Promise<(TopicPartition & { found: { offset: bigint; timestamp: number } | null })[]> {
    const lookups = OffsetResolver.timeLookups(query);
    return OffsetResolver.foundAt(await this.lookup(lookups));
  }

  private async lookup(lookups: OffsetLookup[]): Promise<OffsetFound[]> {
    for (const l of lookups) checkTopicPartition(l, 'partitions');
    await this.connect();
    return this.offsets.lookup(lookups);
  }

  /** Starts a commit and returns at once; `onComplete` hears how it went (Java: `commitAsync`). */
  commitAsync(onComplete?: (err?: Error) => void): void {
    this.commits.commitAsync(this.commit(), onComplete);
  }

  /**
   * The group identity a transactional producer's `sendOffsetsToTransaction` needs (Java:
   * `groupMetadata()`): with the generation and member id of the last join, the group refuses the
   * offsets of a member it has fenced meanwhile (KIP-447). Outside group management (assign())
   * the generation is -1 and the member id ''.
   */
  groupMetadata(): {
    groupId: string;
    generationId: number;
    memberId: string;
    groupInstanceId: string | null;
  } {
    return this.group.groupMetadata();
  }

  /** The partitions assigned. */
  assignment(): TopicPartition[] {
    return this.state.assignment();
  }

  /** Next offset the application will get from a partition (null before it is known). */
  position(tp: TopicPartition): bigint | null {
    return this.state.cursor(tp).position;
  }

  /** Reads from `offset` next (Java: `seek`). */
  seek(tp: TopicPartition, offset: bigint | number): void {
    const c = this.state.cursor(tp);
    const o = BigInt(offset);
    if (o < 0n) throw new ConfigError('offset', `must be >= 0, got ${o}`);
    this.state.setPosition(c, o);
    this.kick();
  }

  /** Reads from the earliest offset still in the log next (Java: `seekToBeginning`). */
  seekToBeginning(tps: readonly TopicPartition[] = this.assignment()): void {
    for (const tp of tps) this.state.requestReset(this.state.cursor(tp), 'earliest');
    this.kick();
  }

  /** Reads from the latest offset next: only records produced from now on (Java: `seekToEnd`). */
  seekToEnd(tps: readonly TopicPartition[] = this.assignment()): void {
    for (const tp of tps) this.state.requestReset(this.state.cursor(tp), 'latest');
    this.kick();
  }

  /** Stops handing out (and fetching) records of these partitions until `resume`. */
  pause(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.state.cursor(tp).paused = true;
  }

  /** Hands out and fetches records of these partitions again, from where they stopped. */
  resume(tps: readonly TopicPartition[]): void {
    for (const tp of tps) this.state.cursor(tp).paused = false;
    this.kick();
  }

  /** The partitions paused now. */
  paused(): TopicPartition[] {
    return this.state.paused();
  }

  /**
   * Up to `maxPollRecords` records, as batches per partition in offset order. Waits up to
   * `timeoutMs` when nothing is buffered, and resolves with an empty array then, whatever the
   * cluster does: a rebalance or a coordinator lookup that takes longer goes on in the
   * background. Rejects with a partition's error (e.g. OFFSET_OUT_OF_RANGE with autoOffsetReset
   * 'none') once. The records it returns count as processed: the next commit (auto-commit
   * included) covers them. One poll at a time: another one, or `run()` or an iteration under way,
   * makes it reject with an `IllegalStateError`.
   */
  async poll(options: PollOptions = {}): Promise<ConsumerBatch<K, V>[]> {
    this.assertOpen();
    this.claim('poll()');
    try {
      const taken = await this.pollOnce(options.timeoutMs ?? 1000, options.signal, false);
      const batches = taken.map((t) => t.batch as unknown as ConsumerBatch<K, V>);
      if (this.config.tracing && batches.length > 0) {
        const topics = [...new Set(batches.map((b) => b.topic))];
        this.config.tracing.received(
          topics,
          batches.flatMap((b) => b.records),
          this.config.groupId,
        );
      }
      return batches;
    } finally {
      this.reader = null;
    }
  }

  /**
   * Takes the reader's place, or throws. Two polls at once used to run two rebalance steps side
   * by side, each starting a JoinGroup for the same member. Regression test:
   * consumer-delivery.test.ts, "one reader at a time".
   */
  private claim(reader: Reader): void {
    if (this.reader !== null) {
      throw new IllegalStateError(
        `${reader} called while ${this.reader} is under way: a consumer has one reader at a time (await the poll, or stop run() / the iteration, first)`,
      );
    }
    this.reader = reader;
  }

  /** One poll; `tracked`: its records do not count as processed (run() and the iterator count them). */
  private async pollOnce(
    timeoutMs: number,
    signal: AbortSignal | undefined,
    tracked: boolean,
    maxRecords = this.config.maxPollRecords,
  ): Promise<Taken[]> {
    // maxPollIntervalMs bounds the time the application spends away from poll, not in it.
    this.group.pollStarted();
    try {
      return await this.pollRecords(Date.now() + timeoutMs, signal, tracked, maxRecords);
    } finally {
      this.group.pollEnded();
    }
  }

  private async pollRecords(
    deadline: number,
    signal: AbortSignal | undefined,
    tracked: boolean,
    maxRecords: number,
  ): Promise<Taken[]> {
    if (!(await this.bootstrap.connectedBy(deadline, signal))) return [];
    for (;;) {
      await this.group.stepUntil(deadline, signal);
      this.kick();
      const out = takeRecords(
        this.state,
        Math.min(maxRecords, this.config.maxPollRecords),
        tracked,
        (n) => this.consumerMetrics.consumed(n),
        this.deserializers,
      );
      if (out.length > 0 || Date.now() >= deadline || signal?.aborted || this.stopping) return out;
      // Woken by records, an error, a finished background join (applied by the next step) or close.
      await this.state.waitForChange(deadline, signal);
    }
  }

  /** True once close() began: polls return, run() and the iterator stop at the next record. */
  get stopping(): boolean {
    return this.closing !== null || this.closed;
  }

  /**
   * Batches as they come, until `close()` or the signal. A batch counts as processed (the next
   * commit covers it) once the iterator yields it; batches of a poll it did not yield (a `break`,
   * a throw) are delivered again by the next poll. The iteration is the consumer's one reader
   * while it lasts.
   */
  async *batches(signal?: AbortSignal): AsyncGenerator<ConsumerBatch<K, V>> {
    this.assertOpen();
    this.claim('the async iterator');
    try {
      yield* deliverBatches(this.deliveryHost(), signal) as AsyncGenerator<ConsumerBatch<K, V>>;
    } finally {
      this.reader = null;
    }
  }

  [Symbol.asyncIterator](): AsyncIterator<ConsumerBatch<K, V>> {
    return this.batches();
  }

  /**
   * Calls `eachBatch` or `eachMessage` for everything read, in order per partition, until close
   * or abort. A record counts as processed (auto-commit, close and rebalances commit it) once its
   * handler resolved. A handler that throws ends the loop: run() rejects with a `HandlerError`
   * carrying the record's topic, partition and offset and the handler's error as `cause`; the
   * partition is rewound to that record (nothing from it on is committed), and the next poll or
   * run delivers it again. `close()` during run() lets the running handler finish and commits
   * what had finished before.
   */
  async run(options: RunOptions<K, V>): Promise<void> {
    if (!options?.eachBatch && !options?.eachMessage && !options?.threads)
      throw new ConfigError('run', 'give eachBatch, eachMessage or threads');
    this.assertOpen();
    this.claim('run()');
    try {
      await runHandlers(this.deliveryHost(), options as unknown as RunOptions);
    } finally {
      this.reader = null;
    }
  }

  private deliveryHost(): DeliveryHost {
    const consumer = this;
    return {
      pollTaken: (timeoutMs, signal, maxRecords) => this.pollOnce(timeoutMs, signal, true, maxRecords),
      setDrainer: (drain) => {
        this.drainer = drain;
      },
      get stopping() {
        return consumer.stopping;
      },
      rewind: () => this.rewind(),
      tracing: this.config.tracing,
      groupId: this.config.groupId,
    };
  }

  /** Partitions whose position ran ahead of what the application finished go back to it (delivery.ts). */
  private rewind(): void {
    if (this.state.rewind()) this.kick();
  }

  /**
   * The consumer's metrics under the Java client's names (`records-consumed-rate`,
   * `records-lag-max`, `records-lag{topic=…,partition=…}`, `fetch-latency-avg`,
   * `commit-latency-avg`, `rebalance-total`, `connection-count`, ...), read now. Lag is kept from
   * the fetch responses (high watermark − position), without extra requests.
   */
  metrics(): MetricsSnapshot {
    return this.consumerMetrics.registry.snapshot();
  }

  /** @internal */
  [METRICS_REGISTRY](): MetricsRegistry {
    return this.consumerMetrics.registry;
  }

  /**
   * Closes the consumer, in Java's order (`KafkaConsumer.close`): commits started by
   * `commitAsync` get up to a second to finish; with auto-commit the positions the application
   * finished are committed; after `subscribe`, `onPartitionsRevoked` is called with every
   * assigned partition (`onPartitionsLost` when they are no longer this member's, or a rebalance
   * is under way), where the application may still commit; then the consumer leaves the group
   * (not a static member) and closes its connections. A poll under way returns; `run()` and the
   * iterator stop at the next record. Calls made meanwhile share the one close. Rejects with the
   * listener's error if it threw, once closed anyway.
   */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    if (this.closed) return;
    this.state.wake(); // a poll waiting for records returns now
    // Async commits first (bounded), as Java's close: sent after the leave they would be
    // refused. One still retrying after that is abandoned (fenced), so that it cannot land
    // after the final commit and move the offsets back.
    await this.commits.drain(1000);
    const listenerError = await this.group.close();
    this.closed = true;
    this.fetcher.close();
    this.missingTopics.close();
    this.state.wake();
    // Left in flight now: fetches and offset lookups whose answers nobody reads any more.
    // Closing used to wait up to 1 s for them (cluster.close(1000)): every close sat out the
    // fetch long poll (fetchMaxWaitMs), and a full second against a broker gone silent.
    // Regression test: consumer-faults.test.ts, "…closes promptly".
    await this.cluster.close(0);
    if (listenerError) throw listenerError.error;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new IllegalStateError('This consumer is closed');
  }

  /** Starts what needs starting: offset lookups and resets, and a fetch loop per leader with work. */
  private kick(): void {
    if (this.closed || !this.bootstrap.connected) return;
    this.offsets.start();
    this.fetcher.start();
  }
}
