/**
 * Offset lookups at partition leaders (ListOffsets), shared by the admin client and the consumer
 * (its application lookups, and its resets in consumer/offset-resolver.ts, which retries them its
 * own way): the earliest or latest offset of partitions, or the first offset at or after a
 * timestamp. Here, below both, because the admin client must not depend on the consumer.
 *
 * One request per leader (`listOffsetsAt`), each partition fenced with the leader epoch the
 * metadata knows (KIP-320), so a broker that is no longer its leader cannot answer for it. In
 * `lookupOffsets`, a partition whose leader moved, or whose answer is a retriable error, is asked
 * again at its current leader after a backoff and a metadata refresh, until `timeoutMs`; a
 * non-retriable error fails the lookup with a KafkaError naming its partition.
 */
import {
  ListOffsets,
  type ListOffsetsPartition,
  type ListOffsetsPartitionResponse,
  ListOffsetsTimestamp,
} from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ConfigError, KafkaError, kafkaError } from '../protocol/errors.js';
import type { Cluster } from './cluster.js';
import { pushTo } from './multimap.js';
import { type BackoffOptions, backoffMs, shouldRetry } from './retry.js';
import { partitionKey } from './topic-partition.js';

/** What to look up: `'earliest'`, `'latest'`, or the first record at or after `timestamp` (ms). */
export type OffsetQuery = 'earliest' | 'latest' | { timestamp: number };

export interface OffsetLookup {
  topic: string;
  partition: number;
  query: OffsetQuery;
}

export interface OffsetFound {
  topic: string;
  partition: number;
  /** The offset; -1n for a timestamp after the partition's last record. */
  offset: bigint;
  /** For a timestamp query, the timestamp of the record found; -1 otherwise or when none. */
  timestamp: number;
}

export interface OffsetLookupOptions extends BackoffOptions {
  /** Give up (with the last error) after this long. */
  timeoutMs: number;
  /** 1: `latest` is the last stable offset (read_committed), as a consumer sees it. Default 0. */
  isolationLevel?: 0 | 1;
}

function wireTimestamp(q: OffsetQuery): bigint {
  if (q === 'earliest') return ListOffsetsTimestamp.earliest;
  if (q === 'latest') return ListOffsetsTimestamp.latest;
  if (!Number.isSafeInteger(q.timestamp) || q.timestamp < 0) {
    throw new ConfigError('timestamp', `must be a non-negative integer of milliseconds, got ${q.timestamp}`);
  }
  return BigInt(q.timestamp);
}

const key = partitionKey;

/** One partition of a ListOffsets request: which, and at what time (or `ListOffsetsTimestamp`). */
export interface OffsetAsk {
  topic: string;
  partition: number;
  timestamp: bigint;
}

/**
 * One ListOffsets to `leader` for `asks` (each partition at most once), fenced with the leader
 * epochs of the current metadata; the answers by `partitionKey`. Throws what the
 * request as a whole failed with.
 */
export async function listOffsetsAt(
  cluster: Cluster,
  leader: number,
  asks: readonly OffsetAsk[],
  isolationLevel: 0 | 1,
): Promise<Map<string, ListOffsetsPartitionResponse>> {
  const topics = new Map<string, ListOffsetsPartition[]>();
  for (const a of asks) {
    const list = topics.get(a.topic) ?? [];
    list.push({
      partitionIndex: a.partition,
      currentLeaderEpoch: cluster.metadata.topics.get(a.topic)?.partitions[a.partition]?.leaderEpoch ?? -1,
      timestamp: a.timestamp,
    });
    topics.set(a.topic, list);
  }
  const res = await cluster.sendTo(leader, ListOffsets, {
    replicaId: -1,
    isolationLevel,
    topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
  });
  const answers = new Map<string, ListOffsetsPartitionResponse>();
  for (const t of res.topics) for (const p of t.partitions) answers.set(key(t.name, p.partitionIndex), p);
  return answers;
}

/** Looks every partition up at its leader; results in the order of `lookups`. */
export async function lookupOffsets(
  cluster: Cluster,
  lookups: readonly OffsetLookup[],
  options: OffsetLookupOptions,
): Promise<OffsetFound[]> {
  const deadline = Date.now() + options.timeoutMs;
  const timestamps = lookups.map((l) => wireTimestamp(l.query));
  const found = new Map<string, OffsetFound>();
  // A broker refuses a partition listed twice in one request: each partition is asked once.
  const first = new Map<string, number>();
  for (let i = 0; i < lookups.length; i++) {
    const k = key(lookups[i].topic, lookups[i].partition);
    const j = first.get(k);
    if (j === undefined) first.set(k, i);
    else if (timestamps[j] !== timestamps[i]) {
      throw new ConfigError(
        'partitions',
        `${lookups[i].topic}-${lookups[i].partition} is looked up twice, with different queries`,
      );
    }
  }
  let remaining = [...first.values()];
  const topics = [...new Set(lookups.map((l) => l.topic))];
  let lastError: unknown = null;
  /** Lookups whose topic or partition the last metadata refresh did not know. */
  let unknown = new Set<number>();
  for (let attempt = 0; remaining.length > 0; attempt++) {
    if (attempt > 0) {
      if (Date.now() >= deadline) throw lastError;
      await new Promise((r) => setTimeout(r, backoffMs(attempt - 1, options)));
    }
    try {
      if (
        attempt > 0 ||
        remaining.some((i) => cluster.leaderFor(lookups[i].topic, lookups[i].partition) === undefined)
      )
        await cluster.refresh(topics);
    } catch (err) {
      if (!shouldRetry(err).retry) throw err;
      lastError = err;
      continue;
    }
    const byLeader = new Map<number, number[]>();
    const retry: number[] = [];
    const unknownBefore = unknown;
    const unknownNow = new Set<number>();
    unknown = unknownNow;
    for (const i of remaining) {
      const { topic, partition } = lookups[i];
      const leader = cluster.leaderFor(topic, partition);
      if (leader === undefined) {
        const t = cluster.metadata.topics.get(topic);
        const code = t?.errorCode || ErrorCode.LEADER_NOT_AVAILABLE;
        const err = new KafkaError(
          t?.errorCode === ErrorCode.NONE && partition >= t.partitions.length
            ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
            : code,
          { topic, partition },
        );
        // Refused for good (authorization, an invalid name): no use waiting.
        if (!err.retriable) throw err;
        // Metadata refreshed twice in a row says it does not exist: no use waiting either (a
        // topic created a moment ago may be missing from the first answer, not the second).
        if (err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && unknownBefore.has(i)) throw err;
        if (err.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) unknownNow.add(i);
        lastError = err;
        retry.push(i);
        continue;
      }
      pushTo(byLeader, leader, i);
    }
    await Promise.all(
      [...byLeader].map(async ([leader, indexes]) => {
        let answers: Map<string, ListOffsetsPartitionResponse>;
        try {
          const asks = indexes.map((i) => ({ ...lookups[i], timestamp: timestamps[i] }));
          answers = await listOffsetsAt(cluster, leader, asks, options.isolationLevel ?? 0);
        } catch (err) {
          cluster.reportError(err);
          if (!shouldRetry(err).retry) throw err;
          lastError = err;
          retry.push(...indexes);
          return;
        }
        for (const i of indexes) {
          const { topic, partition, query } = lookups[i];
          const p = answers.get(key(topic, partition));
          const code = p ? p.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR;
          if (p && code === ErrorCode.NONE) {
            found.set(key(topic, partition), {
              topic,
              partition,
              offset: p.offset,
              timestamp: typeof query === 'object' && p.offset >= 0n ? Number(p.timestamp) : -1,
            });
            continue;
          }
          const err = kafkaError(code, { topic, partition, broker: `node ${leader}` });
          cluster.reportError(err);
          if (!err.retriable) throw err;
          lastError = err;
          retry.push(i);
        }
      }),
    );
    remaining = retry;
  }
  return lookups.map((l) => found.get(key(l.topic, l.partition)) as OffsetFound);
}
