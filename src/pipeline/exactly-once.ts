/**
 * runExactlyOnce: the consume → transform → produce loop with exactly-once results (KIP-98,
 * KIP-447), one transaction per poll.
 *
 * Each poll's records are transformed, the outputs sent and the consumer's next offsets added to
 * the same transaction, which then commits: the outputs and the input offsets become visible
 * together or not at all. A read_committed reader of the outputs therefore sees each input
 * record's outputs exactly once, however the process dies and restarts.
 *
 * Invariants:
 * - initTransactions runs before the consumer subscribes, so a restarted instance has fenced its
 *   predecessor and aborted its open transaction (and its pending offsets) before it reads again.
 * - A transaction is open only between a poll and the next; partitions are revoked inside poll,
 *   so one never moves while its records are in an open transaction (and if a transaction were
 *   open then, it is aborted first).
 * - After an abort the consumer goes back to the first offset of every batch of the transaction,
 *   so the same records are read and transformed again: nothing is skipped.
 * - A fatal error (ProducerFencedError: a newer instance has the transactionalId) ends the loop
 *   with that error; an abortable one (a zombie's offsets refused, a send that failed) aborts,
 *   rewinds and carries on.
 */
import type { Consumer, ConsumerBatch, RebalanceListener, TopicPartition } from '../consumer/consumer.js';
import { partitionKey } from '../network/topic-partition.js';
import type { Producer, ProducerRecord } from '../producer/producer.js';
import type { TransactionOffset } from '../producer/transaction-manager.js';
import { ConfigError, TimeoutError, TransactionFatalError } from '../protocol/errors.js';

/** What one committed transaction covered, for `onCommit`. */
export interface ExactlyOnceCommit {
  /** Input records consumed. */
  inputRecords: number;
  /** Output records produced. */
  outputRecords: number;
  /** The input offsets committed with the transaction (the next offset to read of each partition). */
  offsets: TransactionOffset[];
}

export interface ExactlyOnceOptions<K = Buffer | string | null, V = Buffer | string | null> {
  /** A consumer with a `groupId` and `enableAutoCommit: false`, not subscribed yet. */
  consumer: Consumer;
  /** A producer with a `transactionalId` (initTransactions is called here if it was not). */
  producer: Producer<K, V>;
  /** What to subscribe to. */
  topics: readonly string[] | RegExp;
  /**
   * The outputs of one partition's records of a poll. It may run again for the same records after
   * an abort, so it should depend on its input only (the outputs of an aborted run are never seen).
   */
  transform(batch: ConsumerBatch): readonly ProducerRecord<K, V>[] | Promise<readonly ProducerRecord<K, V>[]>;
  /** Stops the loop (between transactions) when aborted. */
  signal?: AbortSignal;
  /** How long one poll waits for records. Default 1000. */
  pollTimeoutMs?: number;
  /** The application's rebalance callbacks, called after an open transaction was aborted. */
  listener?: RebalanceListener;
  /** After each committed transaction. */
  onCommit?(commit: ExactlyOnceCommit): void;
  /** After a transaction was aborted for an abortable error (the loop goes on). */
  onAbort?(error: Error): void;
}

/**
 * Runs consume → transform → produce with one transaction per poll until `signal` aborts;
 * resolves then, with no transaction left open. Rejects with a TransactionFatalError (e.g.
 * ProducerFencedError) when the producer cannot go on, and with the error of `transform` or of
 * the consumer when those fail (after aborting the open transaction). Closing the consumer and
 * the producer is left to the caller.
 */
export async function runExactlyOnce<K = Buffer | string | null, V = Buffer | string | null>(
  options: ExactlyOnceOptions<K, V>,
): Promise<void> {
  const { consumer, producer, signal } = options;
  if (consumer.config.groupId === null)
    throw new ConfigError('consumer', 'runExactlyOnce needs a consumer with a groupId');
  if (consumer.config.enableAutoCommit)
    throw new ConfigError(
      'consumer',
      'runExactlyOnce commits offsets in its transactions: create the consumer with enableAutoCommit: false',
    );
  if (producer.transactionState === null)
    throw new ConfigError('producer', 'runExactlyOnce needs a producer with a transactionalId');
  if (typeof options.transform !== 'function') throw new ConfigError('transform', 'expected a function');
  const pollTimeoutMs = options.pollTimeoutMs ?? 1000;
  const user = options.listener ?? {};

  if (producer.transactionState === 'uninitialized') await producer.initTransactions();

  const abortOpen = async (): Promise<void> => {
    const s = producer.transactionState;
    if (s === 'in-transaction' || s === 'abortable-error') await producer.abortTransaction();
  };
  consumer.subscribe(options.topics, {
    onPartitionsRevoked: async (tps) => {
      await abortOpen();
      await user.onPartitionsRevoked?.(tps);
    },
    onPartitionsLost: async (tps) => {
      await abortOpen();
      await user.onPartitionsLost?.(tps);
    },
    onPartitionsAssigned: (tps) => user.onPartitionsAssigned?.(tps),
  });

  while (!signal?.aborted) {
    const batches = await consumer.poll({ timeoutMs: pollTimeoutMs, signal });
    if (batches.length === 0) continue;
    const starts: { tp: TopicPartition; offset: bigint }[] = [];
    const offsets: TransactionOffset[] = [];
    let inputRecords = 0;
    for (const b of batches) {
      if (b.records.length === 0) continue;
      const tp = { topic: b.topic, partition: b.partition };
      starts.push({ tp, offset: b.records[0].offset });
      offsets.push({ ...tp, offset: consumer.position(tp) ?? b.records[b.records.length - 1].offset + 1n });
      inputRecords += b.records.length;
    }
    if (offsets.length === 0) continue;

    producer.beginTransaction();
    let outputRecords = 0;
    let failedInTransform = false;
    try {
      for (const b of batches) {
        let out: readonly ProducerRecord<K, V>[];
        try {
          out = await options.transform(b);
        } catch (err) {
          failedInTransform = true;
          throw err;
        }
        if (out.length === 0) continue;
        outputRecords += out.length;
        // Its failure shows in commitTransaction (the transaction turns abortable).
        producer.send(out).catch(() => {});
      }
      await producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      await commit(producer);
    } catch (err) {
      if (err instanceof TransactionFatalError) throw err;
      await abortOpen();
      rewind(consumer, starts);
      if (failedInTransform) throw err;
      options.onAbort?.(err instanceof Error ? err : new Error(String(err)));
      continue;
    }
    options.onCommit?.({ inputRecords, outputRecords, offsets });
  }
}

/** commitTransaction, waited for again when it outlives maxBlockMs (the commit goes on meanwhile). */
async function commit<K, V>(producer: Producer<K, V>): Promise<void> {
  for (;;) {
    try {
      await producer.commitTransaction();
      return;
    } catch (err) {
      if (!(err instanceof TimeoutError) || producer.transactionState !== 'committing') throw err;
    }
  }
}

/** Back to the first record of each batch of an aborted transaction, where still assigned. */
function rewind(consumer: Consumer, starts: readonly { tp: TopicPartition; offset: bigint }[]): void {
  const assigned = new Set(consumer.assignment().map((tp) => partitionKey(tp.topic, tp.partition)));
  for (const { tp, offset } of starts) {
    if (assigned.has(partitionKey(tp.topic, tp.partition))) consumer.seek(tp, offset);
  }
}
