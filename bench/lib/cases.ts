/**
 * The cases of a run and their sizes. Produce: 100 B and 1 KiB values × acks=1 / acks=all ×
 * none / lz4 / zstd, linger 5 ms, batch 16 KiB, idempotence on with acks=all (Java's default)
 * and off with acks=1. Consume: a prefilled 6-partition topic, read from the start in a group.
 * Partition scaling: produce and consume over one topic of 10, 100, 1,000 and 10,000 partitions.
 * Transactional produce: transactions of 1,000 records of 100 B, acks=all. Throttled produce:
 * 100 B and 100 KiB records to a broker held to a few MiB/s by a produce quota.
 * End-to-end: 10k records/s with linger 0, producer and consumer in one process. Latency: one
 * awaited send at a time at 150/s with linger 0.
 */
import type { Acks, BenchCase, Codec } from './types.js';

export interface Profile {
  name: 'default' | 'quick';
  rounds: number;
  /** Records per produce run, 100 B values. */
  produceSmall: number;
  /** Records per produce run, 1 KiB values. */
  produceLarge: number;
  consume: number;
  /** Records per produce and per consume run of the partition-scaling cases. */
  scaleProduce: number;
  scaleConsume: number;
  /** Records each producer of the many-clients case sends. */
  manyPerProducer: number;
  /** Throttled produce: records of 100 B and of 100 KiB, and the broker's quota in bytes/s. */
  throttledSmall: number;
  throttledLarge: number;
  throttleBytesPerSec: number;
  e2e: number;
  latency: number;
}

/**
 * Sized to finish in about 20 minutes on a 2-core machine with all five clients, 3 rounds
 * (measured: see README). The issue asked for 1M records per case; at 1M the same matrix would take
 * an estimated 50 minutes, so the default sends 300k records of 100 B and 60k of 1 KiB (61 MB) per
 * produce run, and consumes 500k. `--records 1000000` restores the full size.
 */
export const DEFAULT_PROFILE: Profile = {
  name: 'default',
  rounds: 3,
  produceSmall: 300_000,
  produceLarge: 60_000,
  consume: 1_000_000,
  scaleProduce: 100_000,
  scaleConsume: 300_000,
  manyPerProducer: 20_000,
  throttledSmall: 600_000,
  throttledLarge: 600,
  throttleBytesPerSec: 4 * 1024 * 1024,
  e2e: 50_000,
  latency: 1_000,
};

export const QUICK_PROFILE: Profile = {
  name: 'quick',
  rounds: 1,
  produceSmall: 20_000,
  produceLarge: 20_000,
  consume: 20_000,
  scaleProduce: 20_000,
  scaleConsume: 20_000,
  manyPerProducer: 2_000,
  throttledSmall: 400_000,
  throttledLarge: 400,
  throttleBytesPerSec: 16 * 1024 * 1024,
  e2e: 20_000,
  latency: 300,
};

/** Partitions of the produce and consume topics. */
export const PARTITIONS = 6;

/** Partition counts of the scaling cases: produce and consume of 100 B records over one topic. */
export const SCALING_PARTITIONS = [10, 100, 1000, 10_000];

/** What every produce case shares: linger 5 ms and Java's default batch.size. */
const BATCHING = { lingerMs: 5, batchSize: 16 * 1024 } as const;
/** acks=1, no compression, no idempotence: the plain produce of the scaling, throttled and TLS cases. */
const PLAIN = { acks: 1, compression: 'none', idempotence: false, ...BATCHING } as const;

function size(bytes: number): string {
  return bytes >= 1024 ? `${bytes / 1024}KiB` : `${bytes}B`;
}

export function allCases(p: Profile): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const valueSize of [100, 1024]) {
    for (const acks of [1, 'all'] as Acks[]) {
      for (const compression of ['none', 'lz4', 'zstd'] as Codec[]) {
        cases.push({
          kind: 'produce',
          id: `produce-${size(valueSize)}-acks${acks}-${compression}`,
          title: `produce ${size(valueSize)} acks=${acks} ${compression}`,
          records: valueSize === 100 ? p.produceSmall : p.produceLarge,
          valueSize,
          partitions: PARTITIONS,
          acks,
          compression,
          ...BATCHING,
          idempotence: acks === 'all',
        });
      }
    }
  }
  for (const compression of ['none', 'lz4'] as const) {
    cases.push({
      kind: 'consume',
      id: compression === 'none' ? 'consume-100B' : `consume-100B-${compression}`,
      title: `consume 100B ${compression}, ${PARTITIONS} partitions`,
      records: p.consume,
      valueSize: 100,
      partitions: PARTITIONS,
      compression,
    });
  }
  // Replicated: three brokers, every record on three of them before acks=all answers (two must
  // be in sync), idempotent as Java's default.
  for (const valueSize of [100, 1024]) {
    cases.push({
      kind: 'produce',
      id: `produce-${size(valueSize)}-acksall-none-rf3`,
      title: `produce ${size(valueSize)} acks=all none, 3 brokers, RF 3`,
      records: valueSize === 100 ? p.produceSmall : p.produceLarge,
      valueSize,
      partitions: PARTITIONS,
      acks: 'all',
      compression: 'none',
      ...BATCHING,
      idempotence: true,
      replicated: true,
    });
  }
  // Many clients in one process: 10 producers and 10 consumers (a group each) of one library.
  cases.push({
    kind: 'many',
    id: 'many-10p-10c-100B',
    title: '10 producers + 10 consumers in one process, 100B',
    records: p.manyPerProducer * 10 * (1 + 10),
    valueSize: 100,
    partitions: PARTITIONS,
    producers: 10,
    consumers: 10,
  });
  // Values as strings: what decoding each value costs each client, used as its docs show.
  cases.push({
    kind: 'consume',
    id: 'consume-100B-strings',
    title: 'consume 100B none, values as strings, 6 partitions',
    records: p.consume,
    valueSize: 100,
    partitions: PARTITIONS,
    compression: 'none',
    strings: true,
  });
  // Partition scaling: what a record costs as one topic's partitions grow from 10 to 10,000 (a
  // client whose per-request or per-poll work scans every partition pays it here). Produce:
  // null keys, so each client's partitioner spreads them; consume: a group reading the topic,
  // prefilled by the Java tool, from the start (the join and the first fetch of every partition
  // are in the time to first record).
  // Many topics: the same over 1,000 topics of one partition (a client whose per-request or
  // per-poll work walks every topic pays it here).
  const shapes: { partitions: number; topics?: number }[] = [
    ...SCALING_PARTITIONS.map((partitions) => ({ partitions })),
    { partitions: 1, topics: 1000 },
  ];
  for (const { partitions, topics } of shapes) {
    const suffix = topics ? `t${topics}` : `p${partitions}`;
    const what = topics
      ? `${topics.toLocaleString('en-US')} topics`
      : `${partitions.toLocaleString('en-US')} partitions`;
    const many = topics ? { topics } : {};
    cases.push({
      kind: 'produce',
      id: `scale-produce-100B-${suffix}`,
      title: `produce 100B acks=1 none, ${what}`,
      records: p.scaleProduce,
      valueSize: 100,
      partitions,
      ...many,
      ...PLAIN,
      scaling: true,
    });
    cases.push({
      kind: 'consume',
      id: `scale-consume-100B-${suffix}`,
      title: `consume 100B none, ${what}`,
      records: p.scaleConsume,
      valueSize: 100,
      partitions,
      ...many,
      compression: 'none',
      scaling: true,
    });
  }
  // A producer far faster than the broker: a produce quota holds the broker to a few MiB/s
  // while each client is handed more than twice its 32 MiB buffer's worth of records, so its
  // peak RSS shows what bounds its memory (kafkawire's target: bufferMemory + 64 MiB).
  for (const valueSize of [100, 100 * 1024]) {
    cases.push({
      kind: 'produce',
      id: `produce-${size(valueSize)}-throttled`,
      title: `produce ${size(valueSize)} acks=1 none, broker throttled to ${p.throttleBytesPerSec / 2 ** 20} MiB/s`,
      records: valueSize === 100 ? p.throttledSmall : p.throttledLarge,
      valueSize,
      partitions: PARTITIONS,
      ...PLAIN,
      throttleBytesPerSec: p.throttleBytesPerSec,
    });
  }
  // Exactly-once producing: transactions of 1,000 records, acks=all (idempotence is implied).
  cases.push({
    kind: 'produce',
    id: 'produce-100B-acksall-none-txn1000',
    title: 'transactional produce 100B, 1,000 records per transaction',
    records: p.produceSmall,
    valueSize: 100,
    partitions: PARTITIONS,
    acks: 'all',
    compression: 'none',
    ...BATCHING,
    idempotence: true,
    transactionRecords: 1000,
  });
  // The cost of encryption: the same produce and consume as above, over the SSL listener.
  cases.push({
    kind: 'produce',
    id: 'produce-100B-acks1-none-tls',
    title: 'produce 100B acks=1 none, TLS',
    records: p.produceSmall,
    valueSize: 100,
    partitions: PARTITIONS,
    ...PLAIN,
    tls: true,
  });
  cases.push({
    kind: 'consume',
    id: 'consume-100B-tls',
    title: `consume 100B none, ${PARTITIONS} partitions, TLS`,
    records: p.consume,
    valueSize: 100,
    partitions: PARTITIONS,
    compression: 'none',
    tls: true,
  });
  cases.push({
    kind: 'e2e',
    id: 'e2e-10k',
    title: 'end-to-end, 10k rec/s, linger 0',
    records: p.e2e,
    valueSize: 100,
    partitions: 1,
    rate: 10_000,
    acks: 1,
    lingerMs: 0,
  });
  // The same over 1,000 partitions: each fetch has records for a few of them, so without
  // incremental fetch sessions (KIP-227) every request names all 1,000 and the broker walks them.
  cases.push({
    kind: 'e2e',
    id: 'e2e-10k-1000p',
    title: 'end-to-end, 10k rec/s over 1,000 partitions, linger 0',
    records: p.e2e,
    valueSize: 100,
    partitions: 1000,
    rate: 10_000,
    acks: 1,
    lingerMs: 0,
  });
  cases.push({
    kind: 'latency',
    id: 'send-150',
    title: 'awaited send, 150/s, acks=all',
    records: p.latency,
    valueSize: 100,
    partitions: 1,
    rate: 150,
    acks: 'all',
    lingerMs: 0,
    idempotence: true,
  });
  return cases;
}
