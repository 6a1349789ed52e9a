/**
 * TransactionManager: the transactional producer's state machine (Java: `TransactionManager`).
 *
 * Owns: the state of the current transaction, the transactional producer id and epoch (handed to
 * the Sender through `hooks.setProducerIdAndEpoch`), the partitions added to the transaction,
 * the one operation in progress (init, commit, abort, send offsets), and how each broker error
 * is classed: retriable (retried here until it succeeds or the producer closes), abortable (the
 * transaction cannot commit; `abortTransaction()` and carry on), fatal (close the producer).
 *
 * Two flows, chosen at `initTransactions()` from what the coordinator announces:
 * - transaction version 2 (KIP-890 part 2, the default of a new 4.x cluster): Produce v12+ adds
 *   a partition to the transaction itself, TxnOffsetCommit v5 adds the group, and each EndTxn v5
 *   answers with the epoch bumped for the next transaction (sequences restart at 0);
 * - otherwise AddPartitionsToTxn before the first batch to a partition (the Sender asks through
 *   `mayDrain`), AddOffsetsToTxn before TxnOffsetCommit ≤ v4, Produce ≤ v11, a constant epoch.
 *
 * Invariants:
 * - Nothing goes to a partition before it is in the transaction (mayDrain), and no batch is
 *   sent while the transaction is failing or aborting (`queueError`): those fail at once.
 * - EndTxn is sent only once nothing is in flight (commit flushes; abort fails what is queued and
 *   waits for what flies), so no produce lands after the markers.
 * - The epoch changes only when nothing is in flight, and only through the coordinator (EndTxn v5,
 *   or InitProducerId with the current id and epoch, KIP-360/KIP-588): a transactional producer
 *   never takes a new producer id by itself, which would fence nobody and leave it a zombie.
 * - An epoch error (INVALID_PRODUCER_EPOCH, PRODUCER_FENCED or INVALID_TXN_STATE from EndTxn, a
 *   partition or the group, ...) means the coordinator ended the transaction: either a newer
 *   instance fenced us or the transaction outlived transactionTimeoutMs (a 4.3 coordinator
 *   answers a timed-out transaction's EndTxn with INVALID_TXN_STATE under transaction version 2,
 *   with PRODUCER_FENCED without it). InitProducerId with our id and epoch tells which:
 *   PRODUCER_FENCED (fatal ProducerFencedError), or a new epoch (the transaction was aborted:
 *   abortable, with TransactionTimedOutError when it was older than its timeout; KIP-588).
 */

import { pushTo } from '../network/multimap.js';
import { backoffMs, shouldRetry } from '../network/retry.js';
import { partitionKey } from '../network/topic-partition.js';
import {
  AddOffsetsToTxn,
  AddPartitionsToTxn,
  DescribeTransactions,
  EndTxn,
  InitProducerId,
  TxnOffsetCommit,
} from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  ConfigError,
  ConnectionError,
  KafkaError,
  KafkawireError,
  ProducerFencedError,
  TimeoutError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionFatalError,
  TransactionStateError,
  TransactionTimedOutError,
  UnsupportedVersionError,
} from '../protocol/errors.js';
import type { CoordinatorTarget, TransactionChannel } from './transaction-channel.js';

export type TransactionState =
  | 'uninitialized'
  | 'initializing'
  | 'ready'
  | 'in-transaction'
  | 'committing'
  | 'aborting'
  | 'abortable-error'
  | 'fatal-error';

/** What `sendOffsetsToTransaction` needs of the consumer (Java: `ConsumerGroupMetadata`). */
export interface ConsumerGroupMetadata {
  groupId: string;
  /** -1 outside group management (assign()). */
  generationId: number;
  /** '' outside group management. */
  memberId: string;
  groupInstanceId: string | null;
}

/** An input offset to commit with the transaction: the offset of the next record to read. */
export interface TransactionOffset {
  topic: string;
  partition: number;
  offset: bigint | number;
  /** The leader epoch of the last record read, when known. */
  leaderEpoch?: number;
  metadata?: string | null;
}

export interface TransactionOptions {
  transactionalId: string;
  transactionTimeoutMs: number;
  /** How long a call waits for its operation before a TimeoutError (Java: `max.block.ms`). */
  maxBlockMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
}

/** What the transaction manager asks of the producer around it. */
export interface TransactionHooks {
  /** Sends everything appended and resolves when each record is acknowledged or failed. */
  flush(): Promise<void>;
  /** Fails every record not sent yet with `err`, and resolves once nothing is in flight. */
  abortUnsent(err: Error): Promise<void>;
  /** A new producer id or epoch: the Sender restarts every partition's sequence at 0. */
  setProducerIdAndEpoch(producerId: bigint, producerEpoch: number): void;
  /** Partitions were added: batches waiting for them may be drained. */
  wakeup(): void;
}

/** What the Sender consults and reports to (see sender.ts). */
export interface TransactionGate {
  readonly transactionalId: string;
  /** Produce versions above this are not for this transaction (v11 without TV2), or undefined. */
  readonly produceMaxVersion: number | undefined;
  /** Non-null while queued batches must fail instead of going out (aborting, failed). */
  readonly queueError: Error | null;
  /** True when a batch may go to this partition now; false queues an AddPartitionsToTxn. */
  mayDrain(topic: string, partition: number): boolean;
  /** A batch of the transaction failed; `sent` when it had gone out (its outcome may be unknown). */
  onBatchFailed(err: Error, sent: boolean): void;
  /** The Sender lost track of its sequences (KIP-360): only a new epoch repairs that. */
  onEpochBumpNeeded(): void;
  /**
   * Before this time (ms, the Sender's clock) no batch goes out: the last transaction's markers
   * are still being written (see MARKER_GRACE_MS). 0 when nothing waits.
   */
  readonly sendableAt: number;
}

/**
 * How long the first produce of a transaction waits after the previous one ended (transaction
 * version 2 only). EndTxn is answered once the coordinator logged PrepareCommit/PrepareAbort, and
 * the markers are written after that; a Produce arriving meanwhile gets CONCURRENT_TRANSACTIONS
 * from the coordinator when its partition leader verifies the transaction, and the broker retries
 * that inside after add.partitions.to.txn.retry.backoff.ms (20 ms): a 20-25 ms stall that hit
 * about one transaction in four with back-to-back transactions of 1,000 records (Produce p99
 * 25 ms). Waiting 2 ms first cut those stalls to about one in a hundred and raised throughput
 * from about 95k to about 140k records/s on one node (bench/: transactional case). Records keep
 * being appended meanwhile; only the send waits.
 */
export const MARKER_GRACE_MS = 2;

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Codes that mean the coordinator moved: look it up again, then retry. */
const COORDINATOR_MOVED: ReadonlySet<number> = new Set([
  ErrorCode.NOT_COORDINATOR,
  ErrorCode.COORDINATOR_NOT_AVAILABLE,
]);
/** Codes that end the producer (Java's fatal errors). */
const FATAL_CODES: ReadonlySet<number> = new Set([
  ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
  ErrorCode.INVALID_TRANSACTION_TIMEOUT,
]);
/** Codes that mean our epoch is no longer the coordinator's: fenced, or aborted by a timeout. */
const EPOCH_CODES: ReadonlySet<number> = new Set([
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.INVALID_PRODUCER_ID_MAPPING,
  ErrorCode.INVALID_TXN_STATE,
  ErrorCode.UNKNOWN_PRODUCER_ID,
]);

type Kind = 'fenced' | 'fatal' | 'epoch' | 'abortable';

function kindOf(err: unknown): Kind {
  if (err instanceof ProducerFencedError) return 'fenced';
  if (err instanceof TransactionFatalError || err instanceof UnsupportedVersionError) return 'fatal';
  if (err instanceof KafkaError) {
    if (FATAL_CODES.has(err.code)) return 'fatal';
    // PRODUCER_FENCED from EndTxn or a partition is settled like the others: without transaction
    // version 2 the coordinator answers it also for a transaction it aborted after its timeout,
    // which the producer survives (KIP-588). Only InitProducerId's answer is final.
    if (EPOCH_CODES.has(err.code) || err.code === ErrorCode.PRODUCER_FENCED) return 'epoch';
  }
  return 'abortable';
}

const key = partitionKey;

export class TransactionManager implements TransactionGate {
  readonly transactionalId: string;
  private readonly options: TransactionOptions;
  private readonly channel: TransactionChannel;
  private readonly hooks: TransactionHooks;
  private readonly clock: Clock;

  private currentState: TransactionState = 'uninitialized';
  producerId = -1n;
  producerEpoch = -1;
  /** Transaction version 2 (KIP-890 part 2) in use. */
  private v2 = false;
  /** See TransactionGate.sendableAt. */
  sendableAt = 0;
  /** Abortable or fatal: what the next calls report. */
  private lastError: Error | null = null;
  /** The abort must bump the epoch (InitProducerId with our id and epoch) instead of EndTxn. */
  private epochBumpRequired = false;
  /** The coordinator has already aborted the transaction and given us a new epoch. */
  private alreadyAborted = false;
  /** Something was added to the transaction, so it ends with an EndTxn. */
  private started = false;
  /** When the transaction first sent something (the coordinator's timeout runs from about then). */
  private startedAt = 0;
  private readonly partitions = new Set<string>();
  private readonly pendingPartitions = new Map<string, { topic: string; partition: number }>();
  private addingPartitions = false;
  private operation: { name: string; promise: Promise<void> } | null = null;
  /** An operation whose caller stopped waiting (maxBlockMs): the next same call gets its outcome. */
  private timedOut: { name: string; promise: Promise<void> } | null = null;
  private closed = false;

  constructor(
    options: TransactionOptions,
    channel: TransactionChannel,
    hooks: TransactionHooks,
    clock: Clock = REAL_CLOCK,
  ) {
    this.options = options;
    this.transactionalId = options.transactionalId;
    this.channel = channel;
    this.hooks = hooks;
    this.clock = clock;
  }

  get state(): TransactionState {
    return this.currentState;
  }

  /** True when the transaction version 2 flow is in use (known after initTransactions). */
  get transactionV2(): boolean {
    return this.v2;
  }

  get produceMaxVersion(): number | undefined {
    return this.v2 ? undefined : 11;
  }

  get queueError(): Error | null {
    switch (this.currentState) {
      case 'aborting':
        return new TransactionAbortedError();
      case 'abortable-error':
      case 'fatal-error':
        return this.lastError;
      default:
        return null;
    }
  }

  // ---- the public operations (Producer delegates to these)

  /** Gets the producer id and epoch of the transactional id, fencing older instances and aborting their open transaction. */
  initTransactions(): Promise<void> {
    if (this.currentState === 'fatal-error') return Promise.reject(this.lastError);
    if (this.currentState !== 'uninitialized' && this.currentState !== 'initializing') {
      return Promise.reject(
        new TransactionStateError('initTransactions() was called already', this.currentState),
      );
    }
    return this.run('initTransactions', true, async () => {
      this.currentState = 'initializing';
      try {
        const res = await this.initProducerId(-1n, -1);
        this.v2 = await this.retrying('transaction', () => this.channel.transactionV2());
        this.adopt(res.producerId, res.producerEpoch);
        this.currentState = 'ready';
      } catch (err) {
        throw this.fatal(err, 'initTransactions');
      }
    });
  }

  beginTransaction(): void {
    this.assertNoOperation('beginTransaction');
    if (this.currentState !== 'ready') throw this.stateError('beginTransaction', 'no transaction may begin');
    this.currentState = 'in-transaction';
    this.lastError = null;
    this.epochBumpRequired = false;
    this.alreadyAborted = false;
    this.started = false;
    this.startedAt = 0;
    this.partitions.clear();
    this.pendingPartitions.clear();
  }

  /** Why a send must not be appended now, or null (checked by every send of a transactional producer). */
  sendError(): Error | null {
    if (this.currentState === 'in-transaction') {
      if (this.startedAt === 0) this.startedAt = this.clock.now();
      return null;
    }
    return this.stateError(
      'send',
      'records can be sent only between beginTransaction() and commitTransaction()',
    );
  }

  sendOffsetsToTransaction(
    offsets: readonly TransactionOffset[],
    group: ConsumerGroupMetadata,
  ): Promise<void> {
    let topics: {
      name: string;
      partitions: {
        partitionIndex: number;
        committedOffset: bigint;
        committedLeaderEpoch: number;
        committedMetadata: string | null;
      }[];
    }[];
    try {
      this.assertNoOperation('sendOffsetsToTransaction');
      topics = checkOffsets(offsets, group);
      if (this.currentState !== 'in-transaction')
        throw this.stateError('sendOffsetsToTransaction', 'offsets can be sent only inside a transaction');
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.startedAt === 0) this.startedAt = this.clock.now();
    return this.run('sendOffsetsToTransaction', false, async () => {
      try {
        if (!this.v2) {
          // The classic flow: the coordinator learns of the group first, so it writes the markers
          // to the group's offsets partition too.
          await this.retrying('transaction', async () => {
            const res = await this.channel.send('transaction', AddOffsetsToTxn, {
              transactionalId: this.transactionalId,
              producerId: this.producerId,
              producerEpoch: this.producerEpoch,
              groupId: group.groupId,
            });
            throwIfError(res.errorCode);
          });
          this.started = true;
        }
        const target = { groupId: group.groupId };
        await this.retrying(target, async () => {
          const res = await this.channel.send(
            target,
            TxnOffsetCommit,
            {
              transactionalId: this.transactionalId,
              groupId: group.groupId,
              producerId: this.producerId,
              producerEpoch: this.producerEpoch,
              // KIP-447: the group fences a zombie member's offsets by generation and member id.
              generationId: group.generationId,
              memberId: group.memberId,
              groupInstanceId: group.groupInstanceId,
              topics,
            },
            this.v2 ? 5 : 4,
          );
          for (const t of res.topics)
            for (const p of t.partitions)
              throwIfError(p.errorCode, { topic: t.name, partition: p.partitionIndex });
        });
        this.started = true;
      } catch (err) {
        throw await this.failTransaction(err, 'sendOffsetsToTransaction');
      }
    });
  }

  commitTransaction(): Promise<void> {
    if (this.currentState === 'abortable-error' && !this.operation) {
      // An epoch error is settled first, so that a fenced producer hears ProducerFencedError.
      return this.run('commitTransaction', false, async () => {
        throw await this.failureReport('commitTransaction');
      });
    }
    if (this.currentState !== 'in-transaction' && !(this.currentState === 'committing' && this.operation))
      return this.joinOrReject('commitTransaction', 'no transaction is open to commit');
    return this.run('commitTransaction', true, async () => {
      this.currentState = 'committing';
      await this.hooks.flush();
      // A batch that failed meanwhile turned the transaction abortable (or fatal).
      if (this.currentState !== 'committing') throw await this.failureReport('commitTransaction');
      if (!this.started) {
        // Nothing was added: there is no transaction at the coordinator to end.
        this.currentState = 'ready';
        return;
      }
      try {
        await this.endTxn(true);
      } catch (err) {
        throw await this.failTransaction(err, 'commitTransaction');
      }
      this.currentState = 'ready';
    });
  }

  abortTransaction(): Promise<void> {
    const s = this.currentState;
    if (s !== 'in-transaction' && s !== 'abortable-error' && !(s === 'aborting' && this.operation))
      return this.joinOrReject('abortTransaction', 'no transaction is open to abort');
    return this.run('abortTransaction', true, async () => {
      this.currentState = 'aborting';
      await this.hooks.abortUnsent(new TransactionAbortedError());
      if (this.currentState !== 'aborting') throw this.lastError; // fatal meanwhile
      try {
        if (this.alreadyAborted) {
          // The coordinator ended it and gave us a new epoch already (see failTransaction).
        } else if (this.epochBumpRequired) {
          await this.bumpEpoch();
        } else if (this.started) {
          await this.endTxn(false);
        }
      } catch (err) {
        const kind = kindOf(err);
        if (kind === 'epoch') {
          // The coordinator ended the transaction already: a new epoch also settles the abort.
          try {
            await this.bumpEpoch();
          } catch (bumpError) {
            throw this.fatal(bumpError, 'abortTransaction');
          }
        } else {
          throw this.fatal(err, 'abortTransaction');
        }
      }
      this.currentState = 'ready';
      this.lastError = null;
    });
  }

  /** Stops retrying: operations in progress fail (the producer is closing). */
  close(): void {
    this.closed = true;
  }

  // ---- the Sender's side (TransactionGate)

  mayDrain(topic: string, partition: number): boolean {
    const s = this.currentState;
    if (s !== 'in-transaction' && s !== 'committing') return false;
    const k = key(topic, partition);
    if (this.partitions.has(k)) return true;
    if (this.v2) {
      // KIP-890 part 2: the produce request adds the partition itself.
      this.partitions.add(k);
      this.started = true;
      return true;
    }
    if (!this.pendingPartitions.has(k)) this.pendingPartitions.set(k, { topic, partition });
    if (!this.addingPartitions) {
      // After the Sender's drain pass: every partition it met goes into one request.
      this.addingPartitions = true;
      queueMicrotask(() => void this.addPartitions());
    }
    return false;
  }

  onBatchFailed(err: Error, sent: boolean): void {
    // A batch that went out and failed may or may not be in the log: only a new epoch makes the
    // sequences of the next transaction safe (KIP-360), so the abort will bump it.
    if (sent) this.epochBumpRequired = true;
    if (this.currentState === 'aborting' || this.currentState === 'fatal-error') return;
    if (this.currentState === 'abortable-error') return; // the first failure is the one reported
    if (this.currentState !== 'in-transaction' && this.currentState !== 'committing') return;
    this.toError(err);
  }

  onEpochBumpNeeded(): void {
    this.epochBumpRequired = true;
    if (this.currentState === 'in-transaction' || this.currentState === 'committing') {
      this.toError(
        new TransactionAbortableError(
          'the outcome of a batch is unknown (it timed out or its sequence was refused): the transaction must be aborted',
        ),
      );
    }
  }

  // ---- inside

  /** AddPartitionsToTxn for every partition waiting for it (classic flow), one request at a time. */
  private async addPartitions(): Promise<void> {
    try {
      while (this.pendingPartitions.size > 0) {
        const s = this.currentState;
        if (s !== 'in-transaction' && s !== 'committing') return;
        const batch = [...this.pendingPartitions.values()];
        const byTopic = new Map<string, number[]>();
        for (const p of batch) pushTo(byTopic, p.topic, p.partition);
        await this.retrying(
          'transaction',
          async () => {
            const res = await this.channel.send('transaction', AddPartitionsToTxn, {
              v3AndBelowTransactionalId: this.transactionalId,
              v3AndBelowProducerId: this.producerId,
              v3AndBelowProducerEpoch: this.producerEpoch,
              v3AndBelowTopics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
            });
            // OPERATION_NOT_ATTEMPTED marks partitions skipped because another one failed: the
            // failing code is the one that decides.
            let failure: KafkaError | null = null;
            for (const t of res.resultsByTopicV3AndBelow) {
              for (const p of t.resultsByPartition) {
                const code = p.partitionErrorCode;
                if (code === ErrorCode.NONE || code === ErrorCode.OPERATION_NOT_ATTEMPTED) continue;
                if (!failure || failure.retriable)
                  failure = new KafkaError(code, { topic: t.name, partition: p.partitionIndex });
              }
            }
            if (failure) throw failure;
            for (const p of batch) {
              const k = key(p.topic, p.partition);
              this.pendingPartitions.delete(k);
              this.partitions.add(k);
            }
          },
          () => this.currentState === 'in-transaction' || this.currentState === 'committing',
        );
        this.started = true;
        this.hooks.wakeup();
      }
    } catch (err) {
      // The batches waiting for these partitions fail with the transaction (queueError).
      if (this.currentState === 'in-transaction' || this.currentState === 'committing') {
        const kind = kindOf(err);
        if (kind === 'fenced' || kind === 'fatal') this.fatal(err, 'send');
        else {
          if (kind === 'epoch') this.epochBumpRequired = true;
          this.toError(err instanceof Error ? err : new Error(String(err)));
        }
      }
      this.hooks.wakeup();
    } finally {
      this.addingPartitions = false;
    }
  }

  /** InitProducerId for our transactional id; with an id and epoch, a bump of them (KIP-360/588). */
  private initProducerId(producerId: bigint, producerEpoch: number) {
    return this.retrying('transaction', async () => {
      const res = await this.channel.send('transaction', InitProducerId, {
        transactionalId: this.transactionalId,
        transactionTimeoutMs: this.options.transactionTimeoutMs,
        producerId,
        producerEpoch,
      });
      if (res.errorCode === ErrorCode.INVALID_PRODUCER_EPOCH || res.errorCode === ErrorCode.PRODUCER_FENCED) {
        // InitProducerId before v4 says INVALID_PRODUCER_EPOCH for PRODUCER_FENCED (KIP-588).
        throw new ProducerFencedError(
          `producer fenced: another producer with transactionalId '${this.transactionalId}' has initialized since (${new KafkaError(res.errorCode).type})`,
        );
      }
      if (res.errorCode === ErrorCode.INVALID_TRANSACTION_TIMEOUT) {
        throw new TransactionFatalError(
          `the broker refused transactionTimeoutMs ${this.options.transactionTimeoutMs}: it must not exceed the broker's transaction.max.timeout.ms`,
          { cause: new KafkaError(res.errorCode) },
        );
      }
      throwIfError(res.errorCode);
      return res;
    });
  }

  /** A new epoch from the coordinator for our id, which also aborts an open transaction. */
  private async bumpEpoch(): Promise<void> {
    const res = await this.initProducerId(this.producerId, this.producerEpoch);
    this.adopt(res.producerId, res.producerEpoch);
    this.epochBumpRequired = false;
  }

  private async endTxn(committed: boolean): Promise<void> {
    const res = await this.retrying('transaction', async () => {
      const r = await this.channel.send('transaction', EndTxn, {
        transactionalId: this.transactionalId,
        producerId: this.producerId,
        producerEpoch: this.producerEpoch,
        committed,
      });
      throwIfError(r.errorCode);
      return r;
    });
    // Transaction version 2: every transaction ends with a new epoch (KIP-890 part 2).
    if (res.producerId >= 0n && res.producerEpoch >= 0) this.adopt(res.producerId, res.producerEpoch);
    if (this.v2) this.sendableAt = this.clock.now() + MARKER_GRACE_MS;
  }

  private adopt(producerId: bigint, producerEpoch: number): void {
    this.producerId = producerId;
    this.producerEpoch = producerEpoch;
    this.hooks.setProducerIdAndEpoch(producerId, producerEpoch);
  }

  /**
   * An operation of the open transaction failed: returns the error to throw and leaves the state
   * abortable (or fatal). An epoch error is resolved at once (see the file header).
   */
  private async failTransaction(err: unknown, what: string): Promise<Error> {
    const kind = kindOf(err);
    if (kind === 'fenced' || kind === 'fatal') return this.fatal(err, what);
    const e = err instanceof Error ? err : new Error(String(err));
    if (kind === 'epoch') {
      this.toError(e);
      return this.resolveEpochError(what);
    }
    this.toError(e);
    return this.abortableReport(what);
  }

  /** What a call reports once the transaction failed: an epoch error is settled first. */
  private async failureReport(what: string): Promise<Error> {
    if (this.currentState === 'fatal-error' && this.lastError) return this.lastError;
    if (kindOf(this.lastError) === 'epoch' && !this.alreadyAborted) return this.resolveEpochError(what);
    return this.abortableReport(what);
  }

  /** Asks the coordinator whether we were fenced or our transaction was aborted for us. */
  private async resolveEpochError(what: string): Promise<Error> {
    const cause = this.lastError ?? undefined;
    await this.hooks.abortUnsent(
      new TransactionAbortedError('the transaction was aborted by its coordinator', { cause }),
    );
    const age = this.startedAt > 0 ? this.clock.now() - this.startedAt : 0;
    const timeoutMs = this.options.transactionTimeoutMs;
    try {
      await this.bumpEpoch();
    } catch (err) {
      if (kindOf(err) === 'fenced' && age >= timeoutMs && (await this.abortedForTimeout())) {
        // Without transaction version 2 a coordinator that aborted a transaction for its timeout
        // fences the epoch for good (the Java producer throws ProducerFencedException then too).
        return this.fatal(
          new ProducerFencedError(
            `${what}: the coordinator aborted the transaction, open for ${age} ms, longer than transactionTimeoutMs (${timeoutMs} ms), and fenced this producer's epoch; without transaction version 2 (KIP-890) the producer cannot go on: close it and create a new one`,
            { cause },
          ),
          what,
        );
      }
      return this.fatal(err, what);
    }
    this.alreadyAborted = true;
    this.lastError =
      age >= timeoutMs
        ? new TransactionTimedOutError(
            `${what}: the coordinator aborted the transaction, open for ${age} ms, longer than transactionTimeoutMs (${timeoutMs} ms); call abortTransaction() and start again`,
            { cause },
          )
        : new TransactionAbortableError(
            `${what}: the coordinator aborted the transaction; call abortTransaction() and start again`,
            { cause },
          );
    return this.lastError;
  }

  /**
   * True when the coordinator still has our producer id one epoch on, i.e. it fenced the epoch
   * itself to abort the transaction (a newer producer's InitProducerId would have bumped it twice
   * over an open transaction, and once more for any transaction of its own).
   */
  private async abortedForTimeout(): Promise<boolean> {
    try {
      const res = await this.channel.send('transaction', DescribeTransactions, {
        transactionalIds: [this.transactionalId],
      });
      const t = res.transactionStates.find((x) => x.transactionalId === this.transactionalId);
      return (
        !!t &&
        t.errorCode === ErrorCode.NONE &&
        t.producerId === this.producerId &&
        t.producerEpoch === this.producerEpoch + 1
      );
    } catch {
      return false; // then it is reported as fenced, which it may be
    }
  }

  private toError(err: Error): void {
    this.currentState = 'abortable-error';
    this.lastError = err;
  }

  private fatal(err: unknown, what: string): Error {
    const e =
      err instanceof TransactionFatalError
        ? err
        : kindOf(err) === 'fenced'
          ? this.fencedError(err)
          : new TransactionFatalError(
              `${what} failed, the producer cannot go on: ${String((err as Error)?.message ?? err)}`,
              {
                cause: err,
              },
            );
    this.currentState = 'fatal-error';
    this.lastError = e;
    return e;
  }

  private fencedError(cause?: unknown): ProducerFencedError {
    return new ProducerFencedError(
      `producer fenced: another producer with transactionalId '${this.transactionalId}' has initialized since; close this one`,
      cause === undefined ? undefined : { cause },
    );
  }

  /** The error a call reports while the transaction is abortable. */
  private abortableReport(what: string): Error {
    const last = this.lastError;
    if (last instanceof TransactionAbortableError) return last;
    return new TransactionAbortableError(
      `${what}: the transaction cannot commit (${last?.message ?? 'an earlier step failed'}); call abortTransaction()`,
      { cause: last ?? undefined },
    );
  }

  /** The error of a call the state does not allow. */
  private stateError(what: string, message: string): Error {
    if (this.currentState === 'fatal-error' && this.lastError) return this.lastError;
    if (this.currentState === 'abortable-error') return this.abortableReport(what);
    const hint =
      this.currentState === 'uninitialized' || this.currentState === 'initializing'
        ? 'call initTransactions() first'
        : this.currentState === 'ready'
          ? 'call beginTransaction() first'
          : this.currentState === 'in-transaction'
            ? 'a transaction is open'
            : `a ${this.currentState === 'committing' ? 'commit' : 'abort'} is in progress`;
    return new TransactionStateError(`${what}: ${message}; ${hint}`, this.currentState);
  }

  private assertNoOperation(what: string): void {
    if (this.operation)
      throw new TransactionStateError(
        `${what}: ${this.operation.name}() is still in progress`,
        this.currentState,
      );
  }

  /** A call in a state that does not allow it, unless it repeats one that timed out. */
  private joinOrReject(name: string, message: string): Promise<void> {
    const earlier = this.timedOut;
    if (!this.operation && earlier?.name === name) {
      this.timedOut = null;
      return this.waitFor(earlier);
    }
    if (this.currentState === 'fatal-error') return Promise.reject(this.lastError);
    if (this.operation && this.operation.name !== name)
      return Promise.reject(
        new TransactionStateError(
          `${name}: ${this.operation.name}() is still in progress`,
          this.currentState,
        ),
      );
    return Promise.reject(this.stateError(name, message));
  }

  /**
   * Runs `fn` as the one operation in progress and waits for it at most maxBlockMs. A `joinable`
   * operation called again while it runs is waited for again; called again after its caller
   * stopped waiting, the call gets its outcome (Java lets commitTransaction be retried so).
   */
  private run(name: string, joinable: boolean, fn: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new KafkawireError('Producer is closed', false));
    if (this.operation) {
      if (joinable && this.operation.name === name) return this.waitFor(this.operation);
      return Promise.reject(
        new TransactionStateError(
          `${name}: ${this.operation.name}() is still in progress`,
          this.currentState,
        ),
      );
    }
    this.timedOut = null; // a new operation: the outcome of an older one is no longer asked for
    const op = { name, promise: Promise.resolve() };
    op.promise = fn().finally(() => {
      if (this.operation === op) this.operation = null;
    });
    op.promise.catch(() => {}); // a caller that stopped waiting must not leave it unhandled
    this.operation = op;
    return this.waitFor(op);
  }

  private waitFor(op: { name: string; promise: Promise<void> }): Promise<void> {
    const maxBlockMs = this.options.maxBlockMs;
    return new Promise<void>((resolve, reject) => {
      let fired = false;
      const timer = setTimeout(() => {
        fired = true;
        this.timedOut = op;
        reject(
          new TimeoutError(
            `${op.name}() did not complete within maxBlockMs (${maxBlockMs} ms); it goes on: call ${op.name}() again to wait for its outcome`,
          ),
        );
      }, maxBlockMs);
      // A caller that waited to the end has its outcome: a later call need not be given it again.
      op.promise.then(
        () => {
          clearTimeout(timer);
          if (!fired && this.timedOut === op) this.timedOut = null;
          resolve();
        },
        (err: unknown) => {
          clearTimeout(timer);
          if (!fired && this.timedOut === op) this.timedOut = null;
          reject(err);
        },
      );
    });
  }

  /**
   * Runs `fn` until it succeeds, retrying retriable errors with backoff (a moved coordinator is
   * looked up again first); anything else is thrown. Stops when the producer closes.
   */
  private async retrying<T>(
    target: CoordinatorTarget,
    fn: () => Promise<T>,
    wanted: () => boolean = () => true,
  ): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      if (this.closed) throw new KafkawireError('Producer is closed', false);
      if (!wanted()) throw new TransactionAbortedError('the transaction ended while the request was retried');
      try {
        return await fn();
      } catch (err) {
        const moved =
          err instanceof ConnectionError || (err instanceof KafkaError && COORDINATOR_MOVED.has(err.code));
        if (moved) this.channel.coordinatorMoved(target);
        else if (!shouldRetry(err).retry) throw err;
        // CONCURRENT_TRANSACTIONS (the last transaction's markers are being written) clears in
        // milliseconds: Java retries it after 20 ms rather than the full backoff.
        const wait =
          err instanceof KafkaError && err.code === ErrorCode.CONCURRENT_TRANSACTIONS && attempt < 3
            ? 20
            : backoffMs(attempt, this.options);
        await this.clock.sleep(wait);
      }
    }
  }
}

function throwIfError(code: number, context: { topic?: string; partition?: number } = {}): void {
  if (code !== ErrorCode.NONE) throw new KafkaError(code, context);
}

/** Checks sendOffsetsToTransaction's input and groups it by topic (TxnOffsetCommit's shape). */
function checkOffsets(offsets: readonly TransactionOffset[], group: ConsumerGroupMetadata) {
  if (
    group === null ||
    typeof group !== 'object' ||
    typeof group.groupId !== 'string' ||
    group.groupId === ''
  )
    throw new ConfigError(
      'groupMetadata',
      'expected consumer.groupMetadata(): { groupId, generationId, memberId, groupInstanceId }',
    );
  if (!Number.isInteger(group.generationId) || typeof group.memberId !== 'string')
    throw new ConfigError('groupMetadata', 'generationId must be an integer and memberId a string');
  if (!Array.isArray(offsets))
    throw new ConfigError('offsets', 'expected an array of { topic, partition, offset }');
  const byTopic = new Map<
    string,
    {
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }[]
  >();
  for (const o of offsets) {
    if (o === null || typeof o !== 'object' || typeof o.topic !== 'string' || o.topic === '')
      throw new ConfigError('offsets', 'every offset needs a non-empty topic');
    if (!Number.isInteger(o.partition) || o.partition < 0)
      throw new ConfigError(
        'offsets',
        `partition must be a non-negative integer, got ${String(o.partition)}`,
      );
    const offset =
      typeof o.offset === 'bigint' ? o.offset : Number.isSafeInteger(o.offset) ? BigInt(o.offset) : -1n;
    if (offset < 0n)
      throw new ConfigError('offsets', `offset must be a non-negative integer, got ${String(o.offset)}`);
    const list = byTopic.get(o.topic) ?? [];
    list.push({
      partitionIndex: o.partition,
      committedOffset: offset,
      committedLeaderEpoch: o.leaderEpoch ?? -1,
      committedMetadata: o.metadata ?? null,
    });
    byTopic.set(o.topic, list);
  }
  return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
}
