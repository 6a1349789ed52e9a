/**
 * Runner: one `consumer.run()` on one kafkawire Consumer, until `stop()` or a crash: the poll
 * loop, the handlers, and the offsets they resolve.
 *
 * Invariants:
 * - What is committed is what handlers finished: a message's offset is resolved (offset + 1
 *   committed) only after its `eachMessage` returned, or when `eachBatch` resolved it (or
 *   returned, with `eachBatchAutoResolve`). The kafkawire consumer runs with its own auto-commit
 *   off; every commit here names explicit offsets, so a failed or skipped message is never
 *   committed, whatever happens around it.
 * - A partition whose batch was not finished (a handler threw, the partition was paused, the
 *   handler left messages unresolved) is sought back to its first unresolved message, so it is
 *   delivered again, as KafkaJS fetches from the resolved position. A seek or a revocation
 *   during a batch makes it stale: nothing more of it is handled or resolved.
 * - Partitions of one poll run at most `partitionsConsumedConcurrently` at a time, each in
 *   offset order. Commits go one at a time (a later one never lands before an earlier one).
 * - Resolved offsets of revoked partitions are committed (with autoCommit) before the
 *   partitions go, and forgotten after: a member never commits for a partition it lost.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Consumer, ConsumerBatch, RebalanceListener, TopicPartition } from '../consumer/consumer.js';
import { partitionKey } from '../network/topic-partition.js';
import {
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  toKafkaJSError,
} from './errors.js';
import { consumerEvents, type Instrumentation } from './events.js';
import type { Logger } from './logger.js';
import { KafkaJSBatch, parseOffset } from './messages.js';
import { byTopic, checkTopics, flatten, type PartitionAt, retryWait, sleep } from './runner-helpers.js';
import type {
  ConsumerRunConfig,
  Offsets,
  RetryOptions,
  TopicPartitionOffsetAndMetadata,
  TopicPartitions,
} from './types.js';

type Key = string;
const keyOf = (topic: string, partition: number): Key => partitionKey(topic, partition);

/** A partition's offset to commit: the next message to read. */
type Resolved = PartitionAt;

/** The Runner whose handlers are running, for a stop() called from inside one of them. */
const handling = new AsyncLocalStorage<Runner>();

/** Errors KafkaJS never retries: bugs in the handler. */
const UNRECOVERABLE = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);

export interface RunnerOptions {
  native: Consumer;
  groupId: string;
  run: ConsumerRunConfig;
  retry: RetryOptions;
  log: Logger;
  instrumentation: Instrumentation;
  /** Topics subscribed with fromBeginning, when they differ from the consumer-wide reset. */
  fromBeginning: ReadonlySet<string> | null;
  /** Longest run() waits for the first assignment before returning anyway. */
  startTimeoutMs: number;
}

export class Runner {
  /** The loop's end: null after stop(), the failure that ended it otherwise. */
  readonly done: Promise<Error | null>;
  private readonly o: RunnerOptions;
  private readonly native: Consumer;
  private readonly abort = new AbortController();
  private running = true;
  private readonly resolved = new Map<Key, Resolved>();
  private readonly committed = new Map<Key, bigint>();
  private readonly epochs = new Map<Key, number>();
  private readonly pendingSeeks = new Map<Key, Resolved>();
  private readonly pausedTopics = new Set<string>();
  private readonly pausedPartitions = new Map<string, Set<number>>();
  private resolvedSinceCommit = 0;
  private lastCommitAt = Date.now();
  private commitChain: Promise<void> = Promise.resolve();
  private failures = 0;
  private started: (() => void) | null = null;
  private readonly startedPromise: Promise<void>;
  private rebalanceStartedAt = Date.now();
  private closing: Promise<void> | null = null;
  private commitQueued = false;

  constructor(o: RunnerOptions) {
    this.o = o;
    this.native = o.native;
    this.startedPromise = new Promise((resolve) => {
      this.started = resolve;
    });
    this.done = this.loop();
  }

  /** Hooks for the kafkawire consumer's rebalances. */
  readonly listener: RebalanceListener = {
    onPartitionsRevoked: async (partitions) => {
      this.rebalanceStartedAt = Date.now();
      for (const tp of partitions) this.bump(keyOf(tp.topic, tp.partition));
      if (this.autoCommit) await this.commitResolved(partitions).catch((err) => this.commitFailed(err));
      for (const tp of partitions) this.forget(keyOf(tp.topic, tp.partition));
      const g = this.native.groupMetadata();
      this.o.instrumentation.emit(consumerEvents.REBALANCING, {
        groupId: this.o.groupId,
        memberId: g?.memberId,
      });
    },
    onPartitionsLost: (partitions) => {
      for (const tp of partitions) {
        this.bump(keyOf(tp.topic, tp.partition));
        this.forget(keyOf(tp.topic, tp.partition));
      }
    },
    onPartitionsAssigned: async (added) => {
      if (this.o.fromBeginning && added.length > 0) {
        const early = added.filter((tp) => this.o.fromBeginning?.has(tp.topic));
        if (early.length > 0) {
          const found = await this.native.committed(early);
          const none = found.filter((c) => c.offset === null);
          if (none.length > 0) this.native.seekToBeginning(none);
        }
      }
      this.applySeeks();
      this.applyPauses();
      const g = this.native.groupMetadata();
      const memberAssignment: Record<string, number[]> = {};
      for (const tp of this.native.assignment()) (memberAssignment[tp.topic] ??= []).push(tp.partition);
      this.o.instrumentation.emit(consumerEvents.GROUP_JOIN, {
        duration: Date.now() - this.rebalanceStartedAt,
        groupId: this.o.groupId,
        memberId: g?.memberId,
        memberAssignment,
      });
      this.started?.();
      this.started = null;
    },
  };

  /** Resolves once the group assigned partitions (or the loop ended, or startTimeoutMs passed). */
  async whenStarted(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.o.log.warn('run() returns while the consumer is still joining its group', {
          groupId: this.o.groupId,
        });
        resolve();
      }, this.o.startTimeoutMs);
    });
    await Promise.race([this.startedPromise, this.done.then(() => {}), timeout]);
    clearTimeout(timer);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /**
   * Stops the loop after the message or batch being handled, commits (autoCommit) and closes.
   * Called from inside a handler it returns at once (waiting would wait for itself), and the
   * consumer stops as soon as that handler returns.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    if (handling.getStore() === this) {
      void this.done.then(() => this.close()).catch(() => {});
      return;
    }
    await this.done;
    await this.close();
  }

  /** Commits what was resolved (autoCommit) and closes the kafkawire consumer; for stop and crash. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.running = false;
      this.abort.abort();
      if (this.autoCommit) await this.commitResolved().catch((err) => this.commitFailed(err));
      await this.commitChain;
      await this.native.close();
    })();
    return this.closing;
  }

  private get autoCommit(): boolean {
    return this.o.run.autoCommit !== false;
  }

  private async loop(): Promise<Error | null> {
    const retry = this.o.retry;
    for (;;) {
      if (!this.running) return null;
      this.applySeeks();
      this.applyPauses();
      let batches: ConsumerBatch[];
      const fetchStart = Date.now();
      this.o.instrumentation.emit(consumerEvents.FETCH_START, {});
      let failure: unknown = null;
      try {
        batches = await this.native.poll({ timeoutMs: 1000, signal: this.abort.signal });
      } catch (err) {
        if (!this.running) return null;
        batches = [];
        failure = err;
      }
      if (!this.running) return null;
      if (failure === null) {
        this.o.instrumentation.emit(consumerEvents.FETCH, {
          numberOfBatches: batches.length,
          duration: Date.now() - fetchStart,
        });
        failure = await handling.run(this, () => this.processAll(batches));
        // The commit after each poll's batches goes out while the next poll runs: it names
        // only handled offsets whenever it lands, and commits stay one at a time.
        if (this.autoCommit) this.commitSoon();
      }
      if (failure === null) {
        if (batches.length > 0) this.failures = 0;
        continue;
      }
      // As KafkaJS's retrier: a handler bug or a non-retriable error ends the run at once;
      // others are retried (the failed message is delivered again) with a growing wait, and
      // after retry.retries of them in a row the run ends with KafkaJSNumberOfRetriesExceeded.
      const e = failure as { name?: string; retriable?: boolean };
      if (UNRECOVERABLE.has(e?.name ?? '') || e?.retriable === false) {
        return new KafkaJSNonRetriableError(toKafkaJSError(failure), { cause: failure });
      }
      const retryTime = retryWait(retry, this.failures);
      if (this.failures >= (retry.retries ?? 5)) {
        return new KafkaJSNumberOfRetriesExceeded(toKafkaJSError(failure), {
          retryCount: this.failures,
          retryTime,
          cause: failure,
        });
      }
      this.failures++;
      this.o.log.debug('Error while consuming, trying again...', {
        groupId: this.o.groupId,
        error: (failure as Error)?.message,
        retryCount: this.failures,
        retryTime,
      });
      await sleep(retryTime, this.abort.signal);
    }
  }

  /** The batches of one poll; the first handler failure, or null. */
  private async processAll(batches: ConsumerBatch[]): Promise<unknown> {
    if (batches.length === 0) return null;
    const byPartition = new Map<Key, ConsumerBatch[]>();
    for (const b of batches) {
      const k = keyOf(b.topic, b.partition);
      const list = byPartition.get(k);
      if (list) list.push(b);
      else byPartition.set(k, [b]);
    }
    const queues = [...byPartition.values()];
    let failure: unknown = null;
    let next = 0;
    const worker = async () => {
      while (next < queues.length) {
        const queue = queues[next++]!;
        for (const b of queue) {
          const err = await this.processBatch(b);
          if (err !== null) {
            failure ??= err;
            break;
          }
        }
      }
    };
    const n = Math.max(1, Math.min(this.o.run.partitionsConsumedConcurrently ?? 1, queues.length));
    await Promise.all(Array.from({ length: n }, worker));
    return failure;
  }

  /** One partition's batch: its handler, its resolved offsets, and a rewind if unfinished. */
  private async processBatch(b: ConsumerBatch): Promise<unknown> {
    const { topic, partition } = b;
    const k = keyOf(topic, partition);
    const epoch = this.epochs.get(k) ?? 0;
    const stale = () => (this.epochs.get(k) ?? 0) !== epoch;
    if (b.records.length === 0 || !this.running || stale()) return null;
    const first = b.records[0]!.offset;
    const last = b.records[b.records.length - 1]!.offset;
    if (this.isPaused(topic, partition)) {
      this.rewind(topic, partition, first);
      return null;
    }
    const batch = new KafkaJSBatch(b);
    const payload = {
      topic,
      partition,
      highWatermark: batch.highWatermark,
      offsetLag: batch.offsetLag(),
      offsetLagLow: batch.offsetLagLow(),
      batchSize: batch.messages.length,
      firstOffset: batch.firstOffset(),
      lastOffset: batch.lastOffset(),
    };
    const startedAt = Date.now();
    this.o.instrumentation.emit(consumerEvents.START_BATCH_PROCESS, payload);
    const pause = () => {
      this.pause([{ topic, partitions: [partition] }]);
      return () => this.resume([{ topic, partitions: [partition] }]);
    };
    const heartbeat = async () => {};
    const { eachMessage, eachBatch } = this.o.run;
    if (eachMessage) {
      for (let i = 0; i < b.records.length; i++) {
        const offset = b.records[i]!.offset;
        if (!this.running || stale()) return null;
        if (this.isPaused(topic, partition)) {
          this.rewind(topic, partition, offset);
          return null;
        }
        try {
          await eachMessage({ topic, partition, message: batch.messages[i]!, heartbeat, pause });
        } catch (err) {
          this.handlerFailed('eachMessage', topic, partition, offset, err);
          if (!stale()) this.rewind(topic, partition, offset);
          return err;
        }
        if (stale()) return null;
        this.resolve(topic, partition, offset + 1n);
        await this.commitIfNecessary();
      }
    } else if (eachBatch) {
      try {
        await eachBatch({
          batch,
          resolveOffset: (o: string) => {
            const parsed = parseOffset(o);
            if (parsed === null) throw new KafkaJSNonRetriableError(`Invalid offset ${String(o)}`);
            if (!stale()) this.resolve(topic, partition, parsed + 1n);
          },
          heartbeat,
          pause,
          commitOffsetsIfNecessary: async (offsets?: Offsets) => {
            if (offsets) await this.commitOffsets(flatten(offsets));
            else await this.commitIfNecessary(true);
          },
          uncommittedOffsets: () => this.uncommittedOffsets(),
          isRunning: () => this.running,
          isStale: stale,
        });
      } catch (err) {
        this.handlerFailed('eachBatch', topic, partition, first, err);
        if (!stale()) this.rewind(topic, partition, this.resolved.get(k)?.offset ?? first);
        return err;
      }
      if (stale()) return null;
      if (this.o.run.eachBatchAutoResolve !== false) this.resolve(topic, partition, last + 1n);
      // Unresolved messages are delivered again, from the first of them.
      let at = this.resolved.get(k)?.offset ?? first;
      if (at < first) at = first;
      if (at <= last && this.running) this.rewind(topic, partition, at);
    }
    this.o.instrumentation.emit(consumerEvents.END_BATCH_PROCESS, {
      ...payload,
      duration: Date.now() - startedAt,
    });
    return null;
  }

  private handlerFailed(what: string, topic: string, partition: number, offset: bigint, err: unknown): void {
    if (err instanceof KafkaJSError) return;
    this.o.log.error(`Error when calling ${what}`, {
      topic,
      partition,
      offset: offset.toString(),
      error: (err as Error)?.message ?? String(err),
      stack: (err as Error)?.stack,
    });
  }

  private resolve(topic: string, partition: number, offset: bigint): void {
    const k = keyOf(topic, partition);
    const r = this.resolved.get(k);
    if (r && r.offset >= offset) return;
    this.resolved.set(k, { topic, partition, offset });
    this.resolvedSinceCommit++;
  }

  /** Reads the partition from `offset` again (if still assigned and not sought meanwhile). */
  private rewind(topic: string, partition: number, offset: bigint): void {
    if (!this.running) return;
    try {
      this.native.seek({ topic, partition }, offset);
    } catch {
      // Not assigned any more: its next owner starts from the committed offset.
    }
  }

  /** autoCommitInterval / autoCommitThreshold, between messages (or when eachBatch asks). */
  private async commitIfNecessary(asked = false): Promise<void> {
    const { autoCommitInterval, autoCommitThreshold } = this.o.run;
    if (!asked && !this.autoCommit) return;
    const interval = autoCommitInterval != null && Date.now() - this.lastCommitAt >= autoCommitInterval;
    const threshold = autoCommitThreshold != null && this.resolvedSinceCommit >= autoCommitThreshold;
    const unconditioned = asked && autoCommitInterval == null && autoCommitThreshold == null;
    if (interval || threshold || unconditioned) await this.commitResolved();
  }

  /** Queues a commit of the resolved offsets, unless one is queued already and not started. */
  private commitSoon(): void {
    if (this.commitQueued) return;
    this.commitQueued = true;
    void this.serial(async () => {
      this.commitQueued = false;
      await this.commitResolved(undefined, false);
    }).catch((err) => this.commitFailed(err));
  }

  /** Commits the resolved offsets that moved since their last commit (of `only` partitions, if given). */
  private commitResolved(only?: readonly TopicPartition[], queued = true): Promise<void> {
    const keys = only ? new Set(only.map((tp) => keyOf(tp.topic, tp.partition))) : null;
    const run = async () => {
      const list: Resolved[] = [];
      for (const [k, r] of this.resolved) {
        if (keys && !keys.has(k)) continue;
        if (this.committed.get(k) !== r.offset) list.push(r);
      }
      if (list.length === 0) return;
      await this.native.commit(list);
      for (const r of list) this.committed.set(keyOf(r.topic, r.partition), r.offset);
      this.resolvedSinceCommit = 0;
      this.lastCommitAt = Date.now();
      this.emitCommit(list);
    };
    return queued ? this.serial(run) : run();
  }

  /** `consumer.commitOffsets`: exactly these offsets, whatever was resolved. */
  async commitOffsets(offsets: readonly TopicPartitionOffsetAndMetadata[]): Promise<void> {
    if (!Array.isArray(offsets)) throw new KafkaJSNonRetriableError('commitOffsets expects an array');
    const list: Resolved[] = offsets.map((o) => {
      const offset = parseOffset(o?.offset);
      if (offset === null || typeof o.topic !== 'string' || !Number.isInteger(o.partition)) {
        throw new KafkaJSNonRetriableError(`Invalid offset to commit: ${JSON.stringify(o)}`);
      }
      return { topic: o.topic, partition: o.partition, offset };
    });
    if (list.length === 0) return;
    await this.serial(async () => {
      try {
        await this.native.commit(list);
      } catch (err) {
        throw toKafkaJSError(err);
      }
      for (const r of list) this.committed.set(keyOf(r.topic, r.partition), r.offset);
      this.emitCommit(list);
    });
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const p = this.commitChain.then(fn);
    this.commitChain = p.catch(() => {});
    return p;
  }

  private emitCommit(list: readonly Resolved[]): void {
    const g = this.native.groupMetadata();
    this.o.instrumentation.emit(consumerEvents.COMMIT_OFFSETS, {
      groupId: this.o.groupId,
      memberId: g?.memberId,
      groupGenerationId: g?.generationId,
      topics: byTopic(list),
    });
  }

  private commitFailed(err: unknown): void {
    // The offsets stay resolved and go with the next commit, unless the partition moved away.
    this.o.log.warn(`Failed to commit offsets: ${(err as Error)?.message ?? String(err)}`, {
      groupId: this.o.groupId,
    });
  }

  private uncommittedOffsets(): Offsets {
    const list: Resolved[] = [];
    for (const [k, r] of this.resolved) if (this.committed.get(k) !== r.offset) list.push(r);
    return { topics: byTopic(list) };
  }

  /** `consumer.seek`: the partition is read from `offset` next; its current batch goes stale. */
  seek(topic: string, partition: number, offset: bigint): void {
    const k = keyOf(topic, partition);
    this.bump(k);
    this.pendingSeeks.set(k, { topic, partition, offset });
    // KafkaJS commits the offset sought to (with autoCommit).
    if (this.autoCommit) {
      this.resolved.set(k, { topic, partition, offset });
      this.resolvedSinceCommit++;
    }
    this.applySeeks();
  }

  pause(list: readonly { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of checkTopics(list)) {
      if (partitions === undefined) this.pausedTopics.add(topic);
      else {
        let set = this.pausedPartitions.get(topic);
        if (!set) this.pausedPartitions.set(topic, (set = new Set()));
        for (const p of partitions) set.add(p);
      }
    }
    this.applyPauses();
  }

  resume(list: readonly { topic: string; partitions?: number[] }[]): void {
    for (const { topic, partitions } of checkTopics(list)) {
      if (partitions === undefined) {
        this.pausedTopics.delete(topic);
        this.pausedPartitions.delete(topic);
      } else {
        const set = this.pausedPartitions.get(topic);
        for (const p of partitions) set?.delete(p);
      }
    }
    this.applyPauses();
  }

  /** Assigned partitions that are paused, by topic. */
  paused(): TopicPartitions[] {
    const out = new Map<string, number[]>();
    for (const tp of this.native.assignment()) {
      if (this.isPaused(tp.topic, tp.partition)) {
        const list = out.get(tp.topic);
        if (list) list.push(tp.partition);
        else out.set(tp.topic, [tp.partition]);
      }
    }
    return [...out].map(([topic, partitions]) => ({ topic, partitions }));
  }

  private isPaused(topic: string, partition: number): boolean {
    return this.pausedTopics.has(topic) || this.pausedPartitions.get(topic)?.has(partition) === true;
  }

  private applyPauses(): void {
    const pause: TopicPartition[] = [];
    const resume: TopicPartition[] = [];
    for (const tp of this.native.assignment())
      (this.isPaused(tp.topic, tp.partition) ? pause : resume).push(tp);
    if (pause.length > 0) this.native.pause(pause);
    if (resume.length > 0) this.native.resume(resume);
  }

  private applySeeks(): void {
    if (this.pendingSeeks.size === 0) return;
    const assigned = new Set(this.native.assignment().map((tp) => keyOf(tp.topic, tp.partition)));
    for (const [k, s] of this.pendingSeeks) {
      if (!assigned.has(k)) continue;
      this.native.seek({ topic: s.topic, partition: s.partition }, s.offset);
      this.pendingSeeks.delete(k);
    }
  }

  private bump(k: Key): void {
    this.epochs.set(k, (this.epochs.get(k) ?? 0) + 1);
  }

  private forget(k: Key): void {
    this.resolved.delete(k);
    this.committed.delete(k);
  }
}
