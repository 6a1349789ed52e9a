/**
 * The admin client's transaction calls (Java: `Admin.listTransactions`, `describeTransactions`,
 * `fenceProducers`; KIP-664, KIP-618): ListTransactions goes to every broker (each coordinates the
 * transactional ids of its `__transaction_state` partitions), DescribeTransactions to the
 * coordinator of each id, and InitProducerId (fencing) to that coordinator too.
 */
import type { Cluster } from '../network/cluster.js';
import { findCoordinator } from '../network/coordinator.js';
import type { BackoffOptions } from '../network/retry.js';
import {
  CoordinatorType,
  DescribeTransactions,
  InitProducerId,
  ListTransactions,
} from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError } from '../protocol/errors.js';

/** What ListTransactions filters by; every filter left out matches everything. */
export interface ListTransactionsOptions {
  /** Coordinator states, e.g. 'Ongoing', 'PrepareCommit', 'CompleteAbort', 'Empty'. */
  states?: string[];
  producerIds?: bigint[];
  /** Only transactions open longer than this (ListTransactions v1+, KIP-994). */
  durationMs?: number;
  /** A regular expression the transactional id must match (ListTransactions v2+, KIP-1152). */
  transactionalIdPattern?: string;
}

export interface TransactionListing {
  transactionalId: string;
  producerId: bigint;
  state: string;
  /** Node id of the transaction coordinator. */
  coordinator: number;
}

export interface TransactionDescription {
  transactionalId: string;
  /** The coordinator's state, '' when the id is unknown (see `error`). */
  state: string;
  coordinator: number;
  transactionTimeoutMs: number;
  /** When the open transaction started (ms since the epoch), null when none is open. */
  transactionStartTimeMs: number | null;
  producerId: bigint;
  producerEpoch: number;
  /** Partitions in the open transaction (a group's offsets show as `__consumer_offsets`). */
  partitions: { topic: string; partition: number }[];
  /** E.g. TRANSACTIONAL_ID_NOT_FOUND. */
  error: KafkaError | null;
}

export interface FencedProducer {
  transactionalId: string;
  producerId: bigint;
  /** The new epoch: producers with an older one are fenced. */
  producerEpoch: number;
  error: KafkaError | null;
}

type Retry = <T>(fn: () => Promise<T>) => Promise<T>;

/** Inside a retry: codes that mean "try again" are thrown, so the call runs again. */
function throwIfRetriable(code: number): void {
  if (code === ErrorCode.NONE) return;
  const err = new KafkaError(code, {});
  if (err.retriable) throw err;
}

export async function listTransactions(
  cluster: Cluster,
  retry: Retry,
  options: ListTransactionsOptions = {},
): Promise<TransactionListing[]> {
  const md = await retry(() => cluster.refresh());
  const out: TransactionListing[] = [];
  for (const node of md.brokers.keys()) {
    const res = await retry(async () => {
      const r = await cluster.sendTo(node, ListTransactions, {
        stateFilters: options.states ?? [],
        producerIdFilters: options.producerIds ?? [],
        durationFilter: options.durationMs === undefined ? -1n : BigInt(options.durationMs),
        transactionalIdPattern: options.transactionalIdPattern ?? null,
      });
      throwIfRetriable(r.errorCode);
      return r;
    });
    if (res.errorCode !== ErrorCode.NONE) throw new KafkaError(res.errorCode, { broker: `node ${node}` });
    for (const t of res.transactionStates) {
      out.push({
        transactionalId: t.transactionalId,
        producerId: t.producerId,
        state: t.transactionState,
        coordinator: node,
      });
    }
  }
  return out.sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : 1));
}

export function describeTransactions(
  cluster: Cluster,
  retry: Retry,
  backoff: BackoffOptions,
  transactionalIds: readonly string[],
): Promise<TransactionDescription[]> {
  return Promise.all(
    transactionalIds.map(async (transactionalId) => {
      let coordinator = -1;
      const t = await retry(async () => {
        coordinator = await findCoordinator(cluster, CoordinatorType.transaction, transactionalId, backoff);
        const r = await cluster.sendTo(coordinator, DescribeTransactions, {
          transactionalIds: [transactionalId],
        });
        const s = r.transactionStates.find((x) => x.transactionalId === transactionalId);
        if (!s)
          throw new KafkaError(ErrorCode.UNKNOWN_SERVER_ERROR, {}, 'no state for this transactional id');
        throwIfRetriable(s.errorCode);
        return s;
      });
      return {
        transactionalId,
        state: t.transactionState,
        coordinator,
        transactionTimeoutMs: t.transactionTimeoutMs,
        transactionStartTimeMs: t.transactionStartTimeMs >= 0n ? Number(t.transactionStartTimeMs) : null,
        producerId: t.producerId,
        producerEpoch: t.producerEpoch,
        partitions: t.topics.flatMap((x) => x.partitions.map((partition) => ({ topic: x.topic, partition }))),
        error: t.errorCode === ErrorCode.NONE ? null : new KafkaError(t.errorCode, {}),
      };
    }),
  );
}

/**
 * Fences the producers of these transactional ids (Java: `Admin.fenceProducers`, KIP-618):
 * InitProducerId bumps each id's epoch, which aborts its open transaction — the way to end a
 * transaction whose producer is gone and which would otherwise hold the last stable offset of
 * its partitions until the coordinator's timeout. A producer still running is fenced: its next
 * call fails with ProducerFencedError.
 */
export function fenceProducers(
  cluster: Cluster,
  retry: Retry,
  backoff: BackoffOptions,
  transactionalIds: readonly string[],
  transactionTimeoutMs = 60_000,
): Promise<FencedProducer[]> {
  return Promise.all(
    transactionalIds.map(async (transactionalId) => {
      const res = await retry(async () => {
        const node = await findCoordinator(cluster, CoordinatorType.transaction, transactionalId, backoff);
        const r = await cluster.sendTo(node, InitProducerId, { transactionalId, transactionTimeoutMs });
        throwIfRetriable(r.errorCode);
        return r;
      });
      return {
        transactionalId,
        producerId: res.producerId,
        producerEpoch: res.producerEpoch,
        error: res.errorCode === ErrorCode.NONE ? null : new KafkaError(res.errorCode, {}),
      };
    }),
  );
}
