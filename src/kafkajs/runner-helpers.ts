/**
 * The small pieces a Runner needs that hold no state: KafkaJS's argument checks and result
 * shapes for offsets, and its retry timing.
 */
import { KafkaJSNonRetriableError } from './errors.js';
import type { Offsets, RetryOptions, TopicPartitionOffsetAndMetadata } from './types.js';

/** An offset of one partition, resolved or to commit. */
export interface PartitionAt {
  topic: string;
  partition: number;
  offset: bigint;
}

export function checkTopics(list: readonly { topic: string; partitions?: number[] }[]) {
  if (!Array.isArray(list)) throw new KafkaJSNonRetriableError('Expected an array of { topic, partitions? }');
  for (const t of list) {
    if (typeof t?.topic !== 'string') throw new KafkaJSNonRetriableError(`Invalid topic ${String(t?.topic)}`);
    if (t.partitions !== undefined && !Array.isArray(t.partitions)) {
      throw new KafkaJSNonRetriableError(`Invalid partitions for topic "${t.topic}"`);
    }
  }
  return list;
}

export function byTopic(
  list: readonly PartitionAt[],
): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const out = new Map<string, { partition: number; offset: string }[]>();
  for (const r of list) {
    const entry = { partition: r.partition, offset: r.offset.toString() };
    const l = out.get(r.topic);
    if (l) l.push(entry);
    else out.set(r.topic, [entry]);
  }
  return [...out].map(([topic, partitions]) => ({ topic, partitions }));
}

export function flatten(offsets: Offsets): TopicPartitionOffsetAndMetadata[] {
  const out: TopicPartitionOffsetAndMetadata[] = [];
  for (const t of offsets.topics ?? []) {
    for (const p of t.partitions) out.push({ topic: t.topic, partition: p.partition, offset: p.offset });
  }
  return out;
}

/** KafkaJS's wait before retry n (0-based): initialRetryTime × multiplier^n, ±factor, capped. */
export function retryWait(retry: RetryOptions, n: number): number {
  const initial = retry.initialRetryTime ?? 300;
  const factor = retry.factor ?? 0.2;
  const base = Math.min(initial * (retry.multiplier ?? 2) ** n, retry.maxRetryTime ?? 30_000);
  const delta = factor * base;
  return Math.ceil(base - delta + Math.random() * 2 * delta);
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
