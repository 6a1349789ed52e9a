/**
 * Sender: drains ready batches from the accumulator into one Produce request per leader broker,
 * and settles every record from the responses.
 *
 * Owns: the drain loop (one at a time, woken by appends, linger deadlines, backoffs and
 * responses), requests in flight per broker, retries, and the idempotent producer's id, epoch
 * and per-partition sequence numbers.
 *
 * Invariants:
 * - At most one batch per partition per request (a broker takes one RecordBatch v2 per
 *   partition), at most `maxInFlightRequestsPerConnection` requests per broker.
 * - A batch's sequence is fixed the first time it is sent and kept on every retry, so the broker
 *   drops a retry of a batch it already has (idempotence). A retried batch goes back to the head
 *   of its queue in send order (see `compareBatchOrder`), and while a partition retries only one
 *   of its batches flies: order is kept and nothing is duplicated (the Java producer's rules,
 *   KIP-98, KIP-360).
 * - Until the broker acknowledged one batch of a partition under the current epoch, only one
 *   batch of it flies: a broker with no state for the producer takes any first sequence, so a
 *   second batch could otherwise be written ahead of a first one it refused.
 * - A batch refused as MESSAGE_TOO_LARGE is split in halves that take over its sequences and
 *   place; splitting counts against the delivery timeout only, not against `retries` (as Java).
 * - Every record's promise settles: acknowledged, failed with a typed error, or expired after
 *   `deliveryTimeoutMs`.
 * - A transactional producer (`txn` set) takes its id and epoch from the TransactionManager and
 *   never repairs them itself: it drains a partition only once the transaction has it
 *   (`mayDrain`), fails what is queued while the transaction fails or aborts (`queueError`), and
 *   reports every failed batch and every epoch problem to the manager.
 */

import type { Cluster } from '../network/cluster.js';
import { type BatchMessage, batchChannel } from '../network/diagnostics.js';
import { backoffMs, shouldRetry } from '../network/retry.js';
import { partitionKey } from '../network/topic-partition.js';
import {
  InitProducerId,
  Produce,
  type ProduceRequest,
  type ProduceResponse,
} from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError, KafkawireError, kafkaError, TimeoutError } from '../protocol/errors.js';
import { setProducerState } from '../protocol/records/record-batch-builder.js';
import {
  type Accumulator,
  compareBatchOrder,
  type PartitionQueue,
  type ProducerBatch,
  type RecordMetadata,
  rewritable,
} from './accumulator.js';
import type { BufferPool } from './buffer-pool.js';
import type { ResolvedProducerConfig } from './config.js';
import type { ProducerMetrics } from './metrics.js';
import type { TransactionGate } from './transaction-manager.js';

export class Sender {
  private readonly cluster: Cluster;
  private readonly acc: Accumulator;
  private readonly pool: BufferPool;
  private readonly config: ResolvedProducerConfig;
  private readonly inFlightByNode = new Map<number, number>();
  private requestsInFlight = 0;
  /** Produce requests awaiting an answer (the `requests-in-flight` metric). */
  get inFlight(): number {
    return this.requestsInFlight;
  }
  private drainScheduled = false;
  /** Where the next drain starts in the accumulator's queue list (see drain). */
  private drainStart = 0;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private refreshing = false;
  private lastRefreshAt = 0;
  /** Number of flush() calls under way: batches are ready regardless of linger. */
  flushing = 0;
  private closed = false;

  // Idempotence (KIP-98): the producer id and epoch from InitProducerId.
  producerId = -1n;
  producerEpoch = -1;
  private needEpochBump = false;
  private initializing: Promise<void> | null = null;
  /** A producer id request failed retriably: the next one not before this time, after `idAttempts` failures. */
  private idRetryAt = 0;
  private idAttempts = 0;
  /** Error that stops the sender for good (e.g. the broker refused to give a producer id). */
  private fatalError: Error | null = null;
  /** Called with errors the application should hear of that belong to no send() (e.g. epoch bump). */
  onError: (err: Error) => void = () => {};
  /** A batch failed at its delivery timeout. */
  onExpired: (e: { topic: string; partition: number; records: number; error: TimeoutError }) => void =
    () => {};
  /** The producer id could not be had for a reason no retry fixes: every later send fails. */
  onFatal: (err: Error) => void = () => {};
  /** The transaction manager of a transactional producer, null otherwise. */
  txn: TransactionGate | null = null;

  constructor(
    cluster: Cluster,
    acc: Accumulator,
    pool: BufferPool,
    config: ResolvedProducerConfig,
    private readonly metrics: ProducerMetrics | null = null,
  ) {
    this.cluster = cluster;
    this.acc = acc;
    this.pool = pool;
    this.config = config;
  }

  /** Gets a producer id when idempotence is on. */
  async init(): Promise<void> {
    // A transactional producer's id comes from initTransactions (TransactionManager).
    if (!this.config.enableIdempotence || this.producerId >= 0n || this.txn) return;
    if (!this.initializing) {
      this.initializing = this.initProducerId().finally(() => {
        this.initializing = null;
      });
    }
    return this.initializing;
  }

  private async initProducerId(): Promise<void> {
    let attempt = 0;
    const deadline = Date.now() + this.config.maxBlockMs;
    for (;;) {
      try {
        const conn = await this.cluster.anyConnection();
        const bump = this.producerId >= 0n;
        const res = await conn.send(InitProducerId, {
          transactionalId: null,
          transactionTimeoutMs: 60_000,
          // KIP-360: with the current id and epoch the broker bumps the epoch and keeps the id.
          producerId: bump && conn.versionFor(InitProducerId) >= 3 ? this.producerId : -1n,
          producerEpoch: bump && conn.versionFor(InitProducerId) >= 3 ? this.producerEpoch : -1,
        });
        if (res.errorCode !== ErrorCode.NONE) throw kafkaError(res.errorCode, { broker: conn.address });
        this.producerId = res.producerId;
        this.producerEpoch = res.producerEpoch;
        return;
      } catch (err) {
        this.cluster.reportError(err);
        if (!shouldRetry(err).retry || Date.now() >= deadline) throw err;
        await sleep(backoffMs(attempt++, this.config));
      }
    }
  }

  /** Asks for a drain soon (coalesced). */
  wakeup(): void {
    if (this.drainScheduled || this.closed) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private wakeAt(at: number): void {
    if (at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        this.timerAt = Number.POSITIVE_INFINITY;
        this.drain();
      },
      Math.max(0, at - Date.now()),
    );
  }

  /** True when nothing is queued or in flight. */
  get idle(): boolean {
    return this.acc.incomplete.size === 0;
  }

  private drain(): void {
    if (this.closed) return;
    if (this.fatalError) {
      this.failEverythingQueued(this.fatalError);
      return;
    }
    const txn = this.txn;
    if (txn) {
      // The epoch of a transaction is the coordinator's: the manager gets it bumped at the abort.
      if (this.needEpochBump) {
        this.needEpochBump = false;
        txn.onEpochBumpNeeded();
      }
      const err = txn.queueError;
      if (err) {
        this.failEverythingQueued(err);
        return;
      }
      if (this.producerId < 0n) return; // before initTransactions nothing is appended anyway
    }
    if (this.config.enableIdempotence && (this.producerId < 0n || this.needEpochBump)) {
      // Nothing is sent without a producer id, but queued batches still expire on time: this
      // used to return before the loop that expires them, so sends queued while the broker was
      // away never settled, and fresh records joined batches minutes old and failed at once.
      // Regression test: producer-outage.test.ts.
      this.expireQueued(Date.now());
      this.ensureProducerId();
      return;
    }
    const now = Date.now();
    const memoryPressure = this.pool.queued > 0;
    // The last transaction's markers are being written: hold sends a moment (transaction-manager.ts).
    const heldUntil = txn ? txn.sendableAt : 0;
    // Stale metadata (a NOT_LEADER, a dead broker): ask for fresh leaders now, not after backoffs.
    let needMetadata = this.cluster.isStale;
    const maxInFlight = this.config.maxInFlightRequestsPerConnection;
    const requests = new Map<number, { batches: ProducerBatch[]; bytes: number }>();
    let nextWake = Number.POSITIVE_INFINITY;

    // Each drain starts where the last one had to stop (a request full at maxRequestSize), as
    // Java's per-node drain index: the scan used to start at the first queue every time, so
    // with many partitions the last ones waited seconds while the first went out at once.
    // Regression test: producer-fairness.test.ts.
    const queues = this.acc.queueList;
    const n = queues.length;
    const start = n > 0 ? this.drainStart % n : 0;
    let stoppedAt = -1;
    let idle = 0;
    for (let i = 0; i < n; i++) {
      const q = queues[(start + i) % n];
      if (q.batches.length === 0) {
        if (q.inFlightBatches.size === 0) idle++;
        continue;
      }
      const b = q.batches[0];
      if (now >= b.createdAt + this.config.deliveryTimeoutMs) {
        this.expireHead(q, now);
        this.wakeup();
        continue;
      }
      const ready =
        b.closed ||
        b.attempts > 0 ||
        q.batches.length > 1 ||
        this.flushing > 0 ||
        memoryPressure ||
        now >= b.createdAt + this.config.lingerMs;
      if (!ready) {
        nextWake = Math.min(nextWake, b.createdAt + this.config.lingerMs);
        continue;
      }
      if (b.retryAt > now) {
        nextWake = Math.min(nextWake, b.retryAt);
        continue;
      }
      if (heldUntil > now) {
        nextWake = Math.min(nextWake, heldUntil);
        continue;
      }
      // While the broker holds no sequence state for us on this partition (no batch of this
      // epoch acknowledged yet) it takes any first sequence: a second batch could then be
      // written ahead of a first one that got NOT_LEADER. So one batch flies until the first
      // acknowledgement, and while a partition retries.
      if (
        q.inFlightBatches.size > 0 &&
        (q.inFlightBatches.size >= maxInFlight ||
          q.retrying ||
          (this.config.enableIdempotence && !q.sequenceEstablished))
      )
        continue;
      // Classic transactions: AddPartitionsToTxn first (the manager wakes us when it is done).
      if (txn && !txn.mayDrain(q.topic, q.partition)) continue;
      const leader = this.cluster.leaderFor(q.topic, q.partition);
      if (leader === undefined) {
        needMetadata = true;
        continue;
      }
      if ((this.inFlightByNode.get(leader) ?? 0) >= maxInFlight) continue;
      const buffer = this.acc.finish(b);
      let req = requests.get(leader);
      if (req && req.bytes + buffer.length > this.config.maxRequestSize) {
        if (stoppedAt < 0) stoppedAt = (start + i) % n;
        continue;
      }
      if (!req) {
        req = { batches: [], bytes: 0 };
        requests.set(leader, req);
      }
      q.batches.shift();
      this.assignSequence(q, b);
      req.batches.push(b);
      req.bytes += buffer.length;
    }

    this.drainStart = stoppedAt >= 0 ? stoppedAt : start + 1;
    // Pruning reorders nothing, so a start index into the shorter list stays a fair start.
    if (idle > 0 && idle * 4 >= n) this.acc.pruneIdle();
    for (const [node, req] of requests) this.sendRequest(node, req.batches);
    if (needMetadata) this.refreshMetadata();
    if (nextWake !== Number.POSITIVE_INFINITY) this.wakeAt(nextWake);
    // More may be sendable at once (several batches queued per partition, room in flight).
    if (requests.size > 0) this.wakeup();
  }

  /**
   * Idempotence: the batch's producer id, epoch and base sequence, written into its buffer with
   * its CRC (the accumulator's finish() leaves the CRC to this, so it is computed once). Every
   * batch of an idempotent producer passes here before it is first sent.
   */
  private assignSequence(q: PartitionQueue, b: ProducerBatch): void {
    if (!this.config.enableIdempotence) return;
    if (b.baseSequence < 0 || b.producerEpoch !== this.producerEpoch) {
      b.baseSequence = q.nextSequence;
      b.producerEpoch = this.producerEpoch;
      q.nextSequence = addSequence(q.nextSequence, b.recordCount);
      setProducerState(rewritable(b), {
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        baseSequence: b.baseSequence,
        isTransactional: this.txn !== null,
      });
    }
  }

  /** Fails the head batch of `q`, past its delivery timeout. */
  private expireHead(q: PartitionQueue, now: number): void {
    const b = q.batches.shift() as ProducerBatch;
    // A batch that was sent may be in the log: its sequences are used up, so the partition's
    // next batches restart under a new epoch (KIP-360).
    if (b.attempts > 0 && this.config.enableIdempotence) this.needEpochBump = true;
    this.expire(b, this.expiredError(b, now));
  }

  /** Fails a batch past its delivery timeout, and says so (the producer's `batchExpired` event). */
  private expire(b: ProducerBatch, err: TimeoutError): void {
    this.fail(b, err);
    this.onExpired({
      topic: b.queue.topic,
      partition: b.queue.partition,
      records: b.recordCount,
      error: err,
    });
  }

  /** Fails every queued batch past its delivery timeout; wakes again when the next one is due. */
  private expireQueued(now: number): void {
    let next = Number.POSITIVE_INFINITY;
    for (const byPartition of this.acc.queues.values()) {
      for (const q of byPartition.values()) {
        while (q.batches.length > 0 && now >= q.batches[0].createdAt + this.config.deliveryTimeoutMs)
          this.expireHead(q, now);
        if (q.batches.length > 0)
          next = Math.min(next, q.batches[0].createdAt + this.config.deliveryTimeoutMs);
      }
    }
    if (next !== Number.POSITIVE_INFINITY) this.wakeAt(next);
  }

  private ensureProducerId(): void {
    if (this.initializing) return;
    if (this.needEpochBump && this.requestsInFlight > 0) return; // bump once nothing flies
    const now = Date.now();
    if (now < this.idRetryAt) {
      this.wakeAt(this.idRetryAt);
      return;
    }
    const bumping = this.needEpochBump;
    this.initializing = this.initProducerId()
      .then(() => {
        this.idAttempts = 0;
        this.idRetryAt = 0;
        if (bumping) {
          this.needEpochBump = false;
          this.resetSequences();
        }
      })
      .catch((err: unknown) => {
        const e = err instanceof Error ? err : new Error(String(err));
        if (shouldRetry(e).retry) {
          // The cluster is away (longer than maxBlockMs): ask again after a backoff, for as long
          // as it takes; queued sends expire meanwhile. This used to be fatal for good, so a
          // producer that lived through an outage of a few minutes failed every later send
          // while a new one worked. Regression test: producer-outage.test.ts.
          this.idRetryAt = Date.now() + backoffMs(this.idAttempts++, this.config);
          this.onError(e);
          return;
        }
        this.fatalError = e;
        this.onError(e);
        this.onFatal(e);
      })
      .finally(() => {
        this.initializing = null;
        this.wakeup();
      });
  }

  /** A new epoch restarts every partition's sequence at 0 (KIP-360). */
  private resetSequences(): void {
    for (const byPartition of this.acc.queues.values()) {
      for (const q of byPartition.values()) {
        q.nextSequence = 0;
        q.lastAckedSequence = -1;
        q.sequenceEstablished = false;
        q.retrying = false;
      }
    }
  }

  /**
   * The transaction manager's producer id and epoch (initTransactions, and each new epoch of
   * transaction version 2 or of an abort). Called only when nothing is in flight.
   */
  setProducerIdAndEpoch(producerId: bigint, producerEpoch: number): void {
    if (producerId === this.producerId && producerEpoch === this.producerEpoch) return;
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.resetSequences();
  }

  private refreshMetadata(): void {
    if (this.refreshing) return;
    const wait = this.lastRefreshAt + this.config.retryBackoffMs - Date.now();
    if (wait > 0) {
      this.wakeAt(Date.now() + wait);
      return;
    }
    this.refreshing = true;
    this.lastRefreshAt = Date.now();
    this.cluster
      .refresh()
      .catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.refreshing = false;
        this.wakeup();
      });
  }

  private sendRequest(node: number, batches: ProducerBatch[]): void {
    const byTopic = new Map<string, { index: number; records: Buffer }[]>();
    for (const b of batches) {
      b.attempts++;
      b.sentSequence = b.baseSequence;
      b.queue.inFlightBatches.add(b);
      let list = byTopic.get(b.queue.topic);
      if (!list) {
        list = [];
        byTopic.set(b.queue.topic, list);
      }
      list.push({ index: b.queue.partition, records: b.buffer as Buffer });
      // The connection writes it by reference: from now on it is rewritten only as a copy.
      b.bufferShared = true;
    }
    const request: ProduceRequest = {
      transactionalId: this.txn?.transactionalId ?? null,
      acks: this.config.acks,
      timeoutMs: this.config.requestTimeoutMs,
      topicData: [...byTopic].map(([name, partitionData]) => ({ name, partitionData })),
    };
    // No request outlives the delivery timeout of its oldest batch (Java expires in-flight
    // batches at delivery.timeout.ms too): a broker that never answers cannot hold records longer.
    let timeoutMs = this.config.requestTimeoutMs;
    const now = Date.now();
    for (const b of batches)
      timeoutMs = Math.min(timeoutMs, b.createdAt + this.config.deliveryTimeoutMs - now);
    timeoutMs = Math.max(1, timeoutMs);
    this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 0) + 1);
    this.requestsInFlight++;
    this.metrics?.requestSent(batches);
    const acks0 = this.config.acks === 0;
    this.cluster
      .sendTo(node, Produce, request, {
        timeoutMs,
        expectResponse: !acks0,
        // Without transaction version 2, Produce v12+ must not carry transactional batches.
        maxVersion: this.txn?.produceMaxVersion,
      })
      .then(
        (res) => this.onResponse(node, batches, acks0 ? null : res),
        (err: unknown) => this.onRequestError(node, batches, err),
      )
      .catch((err: unknown) => this.onError(err instanceof Error ? err : new Error(String(err))))
      .finally(() => this.wakeup());
  }

  private requestDone(node: number, batches: ProducerBatch[]): void {
    this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 1) - 1);
    this.requestsInFlight--;
    for (const b of batches) b.queue.inFlightBatches.delete(b);
  }

  private onRequestError(node: number, batches: ProducerBatch[], err: unknown): void {
    this.requestDone(node, batches);
    this.cluster.reportError(err);
    const e = err instanceof Error ? err : new Error(String(err));
    for (const b of batches) if (this.acc.incomplete.has(b)) this.retryOrFail(b, e);
  }

  private onResponse(node: number, batches: ProducerBatch[], res: ProduceResponse | null): void {
    this.requestDone(node, batches);
    if (res === null) {
      // acks=0: nothing comes back.
      for (const b of batches) if (this.acc.incomplete.has(b)) this.complete(b, -1n, -1n);
      return;
    }
    if (res.throttleTimeMs > 0) this.metrics?.throttled(res.throttleTimeMs);
    const results = new Map<string, ProduceResponse['responses'][number]['partitionResponses'][number]>();
    for (const t of res.responses)
      for (const p of t.partitionResponses) results.set(partitionKey(t.name, p.index), p);
    const broker = `node ${node}`;
    for (const b of batches) {
      // Failed meanwhile (close() timed out, or it expired): nothing left to settle.
      if (!this.acc.incomplete.has(b)) continue;
      const q = b.queue;
      const p = results.get(partitionKey(q.topic, q.partition));
      if (!p) {
        this.retryOrFail(
          b,
          new KafkaError(
            ErrorCode.UNKNOWN_SERVER_ERROR,
            { topic: q.topic, partition: q.partition, broker },
            'no result for this partition in the produce response',
          ),
        );
        continue;
      }
      const code = p.errorCode;
      if (code === ErrorCode.NONE) {
        this.complete(b, p.baseOffset, p.logAppendTimeMs);
        continue;
      }
      const err = kafkaError(code, { topic: q.topic, partition: q.partition, broker }, p.errorMessage);
      if (
        this.txn &&
        (code === ErrorCode.INVALID_PRODUCER_EPOCH ||
          code === ErrorCode.UNKNOWN_PRODUCER_ID ||
          code === ErrorCode.PRODUCER_FENCED)
      ) {
        // A transactional producer does not bump its epoch itself (that could fence the new owner
        // of the transactional id): the transaction ended, and the manager asks the coordinator
        // whether we were fenced or the transaction timed out.
        this.fail(b, err);
      } else if (code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
        // The broker has this batch already (a retry of something that was written): success,
        // but the offset is no longer known, as in Java.
        this.complete(b, -1n, -1n);
      } else if (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER && this.config.enableIdempotence) {
        if (b.sentSequence !== addSequence(q.lastAckedSequence, 1)) {
          // An earlier batch of this partition is unresolved and will be resent first: this
          // one was refused because of that gap, not lost. Resend it after its predecessor.
          this.requeue(b, this.config.retryBackoffMs);
        } else if (b.attempts > 1 && this.withinDelivery(b)) {
          // A retry of a batch the broker refused before (e.g. NOT_LEADER right after a leader
          // change) meets producer state the broker no longer agrees on: nothing of it was
          // written, so restart the partition's sequences under a new epoch and send it again.
          this.needEpochBump = true;
          this.requeue(b, 0);
        } else {
          // A real gap: the broker lost state. Fail this batch, and restart sequences under a
          // new epoch so the partition can go on (KIP-360).
          this.needEpochBump = true;
          this.fail(b, err);
        }
      } else if (
        code === ErrorCode.MESSAGE_TOO_LARGE &&
        b.recordCount > 1 &&
        Date.now() < b.createdAt + this.config.deliveryTimeoutMs
      ) {
        // The batch is larger than the topic's max.message.bytes (a topic set below batchSize,
        // or records that compress badly): send its records again in two halves, and halve
        // again until they fit; a single record that does not fit fails alone.
        this.splitAndRequeue(b);
      } else if (
        this.config.enableIdempotence &&
        (code === ErrorCode.UNKNOWN_PRODUCER_ID || code === ErrorCode.INVALID_PRODUCER_EPOCH)
      ) {
        // The broker forgot our producer state (e.g. it expired): bump the epoch and resend.
        this.needEpochBump = true;
        if (this.withinDelivery(b)) this.requeue(b, 0);
        else this.fail(b, err);
      } else {
        this.retryOrFail(b, err);
      }
    }
  }

  private withinDelivery(b: ProducerBatch): boolean {
    // A split half carries its parent's attempts; the splits themselves are not retries.
    const retriesUsed = b.attempts - b.splitPath.length;
    return Date.now() < b.createdAt + this.config.deliveryTimeoutMs && retriesUsed <= this.config.retries;
  }

  private retryOrFail(b: ProducerBatch, err: Error): void {
    const decision = shouldRetry(err);
    if (decision.refreshMetadata) this.cluster.reportError(err);
    if (decision.retry && this.withinDelivery(b)) {
      this.requeue(b, backoffMs(b.attempts - 1, this.config));
      return;
    }
    if (decision.retry) {
      // Out of time or retries with the outcome unknown: its sequences may be in the log, so
      // the partition restarts under a new epoch (KIP-360).
      if (this.config.enableIdempotence && b.attempts > 0) this.needEpochBump = true;
      const expired = Date.now() >= b.createdAt + this.config.deliveryTimeoutMs;
      // Retries used up: the application hears the broker's own error, as from Java.
      if (expired) this.expire(b, this.expiredError(b, Date.now(), err));
      else this.fail(b, err);
      return;
    }
    // The broker refused the batch: it is not in the log, so its sequences are free again.
    this.releaseSequences(b);
    this.fail(b, err);
  }

  /**
   * A batch the broker refused for good leaves a hole in its partition's sequences: move every
   * later batch of the partition down by its record count (the Java producer's
   * adjustSequencesDueToFailedBatch). Later batches already in flight will be refused with
   * OUT_OF_ORDER_SEQUENCE_NUMBER and resent with their new sequence.
   */
  private releaseSequences(b: ProducerBatch): void {
    if (!this.config.enableIdempotence || b.baseSequence < 0 || b.producerEpoch !== this.producerEpoch)
      return;
    const q = b.queue;
    const shift = b.recordCount;
    const move = (x: ProducerBatch) => {
      if (
        x === b ||
        x.baseSequence < 0 ||
        x.producerEpoch !== b.producerEpoch ||
        compareBatchOrder(x, b) < 0 // a partition's batches take their sequences in send order
      )
        return;
      x.baseSequence = addSequence(x.baseSequence, -shift);
      if (x.buffer) {
        setProducerState(rewritable(x), {
          producerId: this.producerId,
          producerEpoch: x.producerEpoch,
          baseSequence: x.baseSequence,
        });
      }
    };
    for (const x of q.batches) move(x);
    for (const x of q.inFlightBatches) move(x);
    q.nextSequence = addSequence(q.nextSequence, -shift);
    b.baseSequence = -1;
  }

  /**
   * Splits a batch the broker refused as too large and puts both halves back at the head of its
   * queue. Nothing of it was written, so under idempotence the halves take over its sequences
   * (the first half its base sequence, the second the rest) and its epoch: the batches behind
   * it keep theirs.
   */
  private splitAndRequeue(b: ProducerBatch): void {
    let halves: [ProducerBatch, ProducerBatch];
    try {
      halves = this.acc.split(b);
    } catch (err) {
      // Its bytes cannot be read back (never expected: we wrote them). Fail it as refused.
      const e = err instanceof Error ? err : new Error(String(err));
      this.releaseSequences(b);
      this.fail(b, e);
      return;
    }
    // Under an older epoch (not expected: an epoch bump waits until nothing flies) the halves
    // get new sequences when drained, in queue order, like every batch after a bump.
    const keepSequences =
      this.config.enableIdempotence && b.baseSequence >= 0 && b.producerEpoch === this.producerEpoch;
    let sequence = b.baseSequence;
    for (const h of halves) {
      h.attempts = b.attempts;
      if (keepSequences) {
        h.baseSequence = sequence;
        h.producerEpoch = b.producerEpoch;
        sequence = addSequence(sequence, h.recordCount);
        setProducerState(h.buffer as Buffer, {
          producerId: this.producerId,
          producerEpoch: h.producerEpoch,
          baseSequence: h.baseSequence,
          isTransactional: this.txn !== null,
        });
      }
    }
    this.requeue(halves[1], 0);
    this.requeue(halves[0], 0);
    // One half at a time, also without idempotence: a first half split again must not land
    // behind the second. (Batches that were already in flight behind the big one can, without
    // idempotence, as with any retry.)
    b.queue.retrying = true;
  }

  /**
   * Puts a batch back at the head of its queue after a backoff: with idempotence behind the
   * retried batches that go before it in send order (`compareBatchOrder`), else first.
   */
  private requeue(b: ProducerBatch, delayMs: number): void {
    const q = b.queue;
    if (b.attempts > 0) this.metrics?.retried(b.recordCount);
    b.retryAt = Date.now() + delayMs;
    if (this.config.enableIdempotence) {
      q.retrying = true;
      let i = 0;
      while (i < q.batches.length && q.batches[i].attempts > 0 && compareBatchOrder(q.batches[i], b) < 0) i++;
      q.batches.splice(i, 0, b);
    } else {
      q.batches.unshift(b);
    }
    this.acc.list(q);
  }

  private complete(b: ProducerBatch, baseOffset: bigint, logAppendTime: bigint): void {
    // Settled already (failed by close() or expiry meanwhile): its slots may hold another batch's records.
    if (!this.acc.incomplete.has(b)) return;
    const q = b.queue;
    if (this.config.enableIdempotence && b.baseSequence >= 0) {
      q.lastAckedSequence = addSequence(b.baseSequence, b.recordCount - 1);
      if (b.producerEpoch === this.producerEpoch) q.sequenceEstablished = true;
    }
    endRetryingWhenDone(q);
    const appendTime = logAppendTime >= 0n ? Number(logAppendTime) : -1;
    const known = baseOffset >= 0n;
    let offset = baseOffset;
    const slots = b.slots;
    for (let i = 0; i < b.recordCount; i++) {
      const md: RecordMetadata = {
        topic: q.topic,
        partition: q.partition,
        offset: known ? offset++ : -1n,
        timestamp: appendTime >= 0 ? appendTime : slots.timestamps[i],
        serializedKeySize: slots.keySizes[i],
        serializedValueSize: slots.valueSizes[i],
      };
      slots.sink(i).resolve(slots.sinkIndexes[i], md);
    }
    if (batchChannel.hasSubscribers) this.publishBatch(b, baseOffset);
    this.acc.release(b);
  }

  private publishBatch(b: ProducerBatch, baseOffset: bigint, error?: Error): void {
    const m: BatchMessage = {
      clientId: this.config.clientId,
      topic: b.queue.topic,
      partition: b.queue.partition,
      records: b.recordCount,
      bytes: b.buffer?.length ?? 0,
      attempts: b.attempts,
      baseOffset,
      durationMs: Date.now() - b.createdAt,
      ...(error ? { error } : {}),
    };
    batchChannel.publish(m);
  }

  fail(b: ProducerBatch, err: Error): void {
    if (!this.acc.incomplete.has(b)) return;
    this.txn?.onBatchFailed(err, b.attempts > 0);
    this.metrics?.failed(b.recordCount);
    if (batchChannel.hasSubscribers) this.publishBatch(b, -1n, err);
    const slots = b.slots;
    for (let i = 0; i < b.recordCount; i++) slots.sink(i).reject(slots.sinkIndexes[i], err);
    this.acc.release(b);
    const q = b.queue;
    endRetryingWhenDone(q);
  }

  private expiredError(b: ProducerBatch, now: number, cause?: Error): TimeoutError {
    return new TimeoutError(
      `Expiring ${b.recordCount} record(s) for ${b.queue.topic}-${b.queue.partition}: ${now - b.createdAt} ms have passed since batch creation (deliveryTimeoutMs ${this.config.deliveryTimeoutMs})`,
      cause ? { cause } : undefined,
    );
  }

  /** Fails every batch not in flight (a closing producer, an aborting transaction). */
  failEverythingQueued(err: Error): void {
    for (const byPartition of this.acc.queues.values()) {
      for (const q of byPartition.values()) {
        for (const b of q.batches.splice(0)) this.fail(b, err);
      }
    }
  }

  /** Stops sending; fails what is still queued (in-flight requests settle on their own). */
  close(err: Error = new KafkawireError('Producer closed before the record was sent', false)): void {
    this.failEverythingQueued(err);
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/** A partition stops retrying (more batches may fly again) once no retried batch is queued. */
function endRetryingWhenDone(q: PartitionQueue): void {
  if (q.retrying && !q.batches.some((x) => x.attempts > 0)) q.retrying = false;
}

const SEQUENCE_SPAN = 2 ** 31;

/**
 * `seq + n` in the sequence space of an idempotent producer: sequences run 0 … 2^31-1 and then
 * wrap to 0, as the broker expects (Java's `DefaultRecordBatch.incrementSequence`). `seq` may be
 * -1 ("none yet"), so `addSequence(-1, 1)` is 0.
 */
export function addSequence(seq: number, n: number): number {
  return (((seq + n) % SEQUENCE_SPAN) + SEQUENCE_SPAN) % SEQUENCE_SPAN;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
