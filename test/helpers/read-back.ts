/**
 * Reads a partition back from the broker for integration tests, independently of the consumer:
 * ListOffsets earliest/latest at the partition's leader, then Fetch from earliest until the high
 * watermark (or, read_committed, the last stable offset) is reached, decoding every batch with
 * decodeRecordBatches. Records come back in offset order; control batches, records below the
 * offset asked for, and (read_committed) records of aborted transactions are left out.
 *
 * Retriable failures (a leader moving, a dead connection) refresh metadata and carry on from
 * the next offset, until `timeoutMs`; anything else is thrown at once.
 */
import { AbortFilter } from '../../src/consumer/abort-filter.js';
import type { Cluster } from '../../src/network/cluster.js';
import { shouldRetry } from '../../src/network/retry.js';
import { Fetch, ListOffsets, ListOffsetsTimestamp } from '../../src/protocol/apis/index.js';
import { KafkaError } from '../../src/protocol/errors.js';
import {
  type DecodedRecord,
  decodeRecordBatches,
  type RecordBatch,
} from '../../src/protocol/records/record-batch.js';

export interface ReadAllOptions {
  /** 0 read uncommitted (default), 1 read committed. */
  isolationLevel?: 0 | 1;
  /** Give up after this long, retries included. Default 30000. */
  timeoutMs?: number;
  /** Fetch version to use; default the highest the leader and kafkawire share. */
  fetchVersion?: number;
}

export interface ReadAllResult {
  /** Every data record from the earliest to the latest offset, in offset order. */
  records: DecodedRecord[];
  /** Every batch fetched, control batches included, in offset order. */
  batches: RecordBatch[];
}

const FETCH_MAX_BYTES = 64 * 1024 * 1024;
const PARTITION_MAX_BYTES = 16 * 1024 * 1024;

export async function readAll(
  cluster: Cluster,
  topic: string,
  partition: number,
  opts: ReadAllOptions = {},
): Promise<ReadAllResult> {
  const isolationLevel = opts.isolationLevel ?? 0;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const records: DecodedRecord[] = [];
  const batches: RecordBatch[] = [];
  const aborted = new AbortFilter();
  let range: { earliest: bigint; latest: bigint } | null = null;
  let next = -1n;
  let lastError: unknown;

  for (let attempt = 0; ; attempt++) {
    if (Date.now() > deadline) {
      throw new Error(
        `readAll ${topic}-${partition}: timed out after ${timeoutMs} ms at offset ${next} of ${range?.latest}`,
        { cause: lastError },
      );
    }
    try {
      await cluster.refresh([topic]);
      const leader = cluster.leaderFor(topic, partition);
      if (leader === undefined) throw new KafkaError(5, { topic, partition }); // LEADER_NOT_AVAILABLE
      if (!range) {
        range = {
          earliest: await listOffset(
            cluster,
            leader,
            topic,
            partition,
            ListOffsetsTimestamp.earliest,
            isolationLevel,
          ),
          latest: await listOffset(
            cluster,
            leader,
            topic,
            partition,
            ListOffsetsTimestamp.latest,
            isolationLevel,
          ),
        };
        next = range.earliest;
      }
      const topicId = cluster.metadata.topics.get(topic)?.topicId;
      while (next < range.latest) {
        if (Date.now() > deadline) break;
        const res = await cluster.sendTo(
          leader,
          Fetch,
          {
            maxWaitMs: 100,
            minBytes: 1,
            maxBytes: FETCH_MAX_BYTES,
            isolationLevel,
            topics: [
              {
                topic,
                topicId,
                partitions: [{ partition, fetchOffset: next, partitionMaxBytes: PARTITION_MAX_BYTES }],
              },
            ],
          },
          opts.fetchVersion === undefined ? undefined : { version: opts.fetchVersion },
        );
        const p = res.responses[0]?.partitions[0];
        if (res.errorCode !== 0) throw new KafkaError(res.errorCode, { topic, partition });
        if (!p) throw new Error(`readAll ${topic}-${partition}: Fetch response without the partition`);
        if (p.errorCode !== 0) throw new KafkaError(p.errorCode, { topic, partition });
        if (isolationLevel === 1) aborted.add(p.abortedTransactions);
        if (!p.records || p.records.length === 0) continue;
        for (const batch of decodeRecordBatches(p.records, { fromOffset: next }).batches) {
          if (batch.lastOffset < next) continue;
          batches.push(batch);
          const skip = isolationLevel === 1 && aborted.skips(batch);
          if (!batch.isControl && !skip) {
            for (const r of batch.records) if (r.offset >= next && r.offset < range.latest) records.push(r);
          }
          next = batch.lastOffset + 1n;
        }
      }
      if (next >= range.latest) return { records, batches };
    } catch (err) {
      const decision = shouldRetry(err);
      if (!decision.retry) throw err;
      lastError = err;
      cluster.reportError(err);
      await new Promise((r) => setTimeout(r, Math.min(1000, 100 * 2 ** Math.min(attempt, 4))));
    }
  }
}

/** Every partition of `topic`, read with `readAll`: partition → its records in offset order. */
export async function readAllPartitions(
  cluster: Cluster,
  topic: string,
  opts: ReadAllOptions = {},
): Promise<Map<number, DecodedRecord[]>> {
  const md = await cluster.refresh([topic]);
  const info = md.topics.get(topic);
  if (!info) throw new KafkaError(3, { topic }); // UNKNOWN_TOPIC_OR_PARTITION
  if (info.errorCode !== 0) throw new KafkaError(info.errorCode, { topic });
  const out = new Map<number, DecodedRecord[]>();
  for (let p = 0; p < info.partitions.length; p++) {
    out.set(p, (await readAll(cluster, topic, p, opts)).records);
  }
  return out;
}

async function listOffset(
  cluster: Cluster,
  leader: number,
  topic: string,
  partition: number,
  timestamp: bigint,
  isolationLevel: number,
): Promise<bigint> {
  const res = await cluster.sendTo(leader, ListOffsets, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp }] }],
  });
  const p = res.topics[0]?.partitions[0];
  if (!p) throw new Error(`readAll ${topic}-${partition}: ListOffsets response without the partition`);
  if (p.errorCode !== 0) throw new KafkaError(p.errorCode, { topic, partition });
  return p.offset;
}
