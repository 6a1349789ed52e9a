import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import {
  Fetch,
  IsolationLevel,
  ListOffsets,
  ListOffsetsTimestamp,
  type PartitionProduceResponse,
  Produce,
} from '../../src/protocol/apis/index.js';
import { Compression, compressionName } from '../../src/protocol/codecs/index.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { KafkaError } from '../../src/protocol/errors.js';
import {
  type DecodedRecord,
  decodeRecordBatches,
  RecordBatchBuilder,
  type RecordHeaderInput,
} from '../../src/protocol/records/record-batch.js';
import { Writer } from '../../src/protocol/writer.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';
import { readAll, readAllPartitions } from '../helpers/read-back.js';
import { createTopic, waitFor } from '../helpers/topics.js';

interface Sent {
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeaderInput[];
  codec: number;
}

const CODECS = [Compression.none, Compression.gzip, Compression.snappy, Compression.lz4, Compression.zstd];
const T0 = 1_700_000_000_000;

/** Four records per codec: key and value, null key, null value (a tombstone), headers and a large value. */
function recordsFor(codec: number, batch: number): Sent[] {
  const name = compressionName(codec);
  const ts = T0 + batch * 1000;
  return [
    { timestamp: ts, key: Buffer.from(`k-${name}`), value: Buffer.from(`v-${name}`), headers: [], codec },
    { timestamp: ts + 1, key: null, value: Buffer.from(`no key ${name} é`), headers: [], codec },
    { timestamp: ts + 2, key: Buffer.from(`tombstone-${name}`), value: null, headers: [], codec },
    {
      timestamp: ts - 5, // out of order: maxTimestamp is not the last record's
      key: Buffer.from([0, 1, 2, 255]),
      value: Buffer.alloc(3000, name),
      headers: [
        { key: 'trace', value: Buffer.from(`id-${batch}`) },
        { key: 'nüll', value: null },
        { key: 'empty', value: Buffer.alloc(0) },
      ],
      codec,
    },
  ];
}

/** `records` are `sent` from offset `from` on, each intact. */
function expectSame(records: readonly DecodedRecord[], sent: readonly Sent[], what: string, from = 0): void {
  expect(records.length, what).toBe(sent.length - from);
  records.forEach((r, j) => {
    const i = from + j;
    const s = sent[i];
    expect(r.offset, `${what}: offset of record ${i}`).toBe(BigInt(i));
    expect(r.timestamp, `${what}: timestamp of record ${i}`).toBe(s.timestamp);
    expect(r.key, `${what}: key of record ${i}`).toEqual(s.key);
    expect(r.value, `${what}: value of record ${i}`).toEqual(s.value);
    expect(
      r.headers.map((h) => ({ key: h.key, value: h.value })),
      `${what}: headers of record ${i}`,
    ).toEqual(s.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value) })));
  });
}

describe('Fetch and ListOffsets against the real broker', () => {
  let cluster: Cluster;
  const topic = uniqueTopic('fetch');
  const sent: Sent[] = [];

  beforeAll(async () => {
    cluster = new Cluster({ bootstrapServers: brokers(), clientId: 'kafkawire-test' });
    await cluster.connect();
    await createTopic(cluster, topic, 2);
    const leader = cluster.leaderFor(topic, 0)!;
    // One hand-built batch per codec, produced the way a plain (non-idempotent) producer does.
    for (const [i, codec] of CODECS.entries()) {
      const records = recordsFor(codec, i);
      const builder = new RecordBatchBuilder({ compression: codec });
      for (const r of records) builder.append(r.timestamp, r.key, r.value, r.headers);
      const batch = builder.finish();
      let p: PartitionProduceResponse | undefined;
      // A new partition's leader may not know it leads yet (NOT_LEADER_OR_FOLLOWER): retry those.
      await waitFor(
        async () => {
          const res = await cluster.sendTo(leader, Produce, {
            transactionalId: null,
            acks: -1,
            timeoutMs: 30_000,
            topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }],
          });
          p = res.responses[0].partitionResponses[0];
          if (p.errorCode !== 0 && new KafkaError(p.errorCode).retriable) return false;
          return true;
        },
        `produce ${compressionName(codec)} to be accepted`,
      );
      expect(p?.errorCode, `produce ${compressionName(codec)}`).toBe(0);
      expect(p?.baseOffset).toBe(BigInt(sent.length));
      sent.push(...records);
    }
  });
  afterAll(() => cluster.close());

  it('reads every record back intact, with consecutive offsets, from batches of every codec', async () => {
    const { records, batches } = await readAll(cluster, topic, 0);
    expectSame(records, sent, 'readAll');
    expect(batches.map((b) => b.compression)).toEqual(CODECS);
    expect(batches.map((b) => b.baseOffset)).toEqual(CODECS.map((_, i) => BigInt(i * 4)));
    for (const b of batches) {
      expect(b.producerId).toBe(-1n);
      expect(b.isTransactional).toBe(false);
      expect(b.isControl).toBe(false);
      expect(b.partitionLeaderEpoch).toBeGreaterThanOrEqual(0);
    }
  });

  it('reads read_committed the same as read_uncommitted without transactions', async () => {
    const { records } = await readAll(cluster, topic, 0, { isolationLevel: 1 });
    expectSame(records, sent, 'read_committed');
  });

  it('reads an empty partition as no records, and every partition with readAllPartitions', async () => {
    expect((await readAll(cluster, topic, 1)).records).toEqual([]);
    const all = await readAllPartitions(cluster, topic);
    expect([...all.keys()]).toEqual([0, 1]);
    expectSame(all.get(0)!, sent, 'readAllPartitions');
    expect(all.get(1)).toEqual([]);
  });

  it('lists earliest 0 and latest = record count at every ListOffsets version the broker accepts', async () => {
    const leader = cluster.leaderFor(topic, 0)!;
    const conn = await cluster.connectionTo(leader);
    const range = conn.apiVersions.get(ListOffsets.key)!;
    const low = Math.max(ListOffsets.min, range.min);
    const high = Math.min(ListOffsets.max, range.max);
    // Our newest version on 4.x; 3.9 offers v0–v9 (v10, async remote ListOffsets of KIP-1075, came with 4.0).
    expect(high).toBe(kafkaMajor() >= 4 ? ListOffsets.max : 9);
    // The record with the largest timestamp: the last batch's third (KIP-734 finds it inside a
    // compressed batch too).
    const maxIndex = sent.reduce((best, s, i) => (s.timestamp >= sent[best].timestamp ? i : best), 0);
    // One partition per request: a broker answers INVALID_REQUEST to a partition listed twice.
    const list = async (v: number, timestamp: bigint) => {
      const res = await conn.send(
        ListOffsets,
        {
          replicaId: -1,
          isolationLevel: v >= 2 ? IsolationLevel.readCommitted : undefined,
          topics: [{ name: topic, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }],
        },
        { version: v },
      );
      const p = res.topics[0].partitions[0];
      expect(p.errorCode, `v${v} timestamp ${timestamp}`).toBe(0);
      return p;
    };
    for (let v = low; v <= high; v++) {
      const earliest = await list(v, ListOffsetsTimestamp.earliest);
      expect(earliest.offset, `v${v} earliest`).toBe(0n);
      if (v >= 4) expect(earliest.leaderEpoch, `v${v} leader epoch`).toBeGreaterThanOrEqual(0);
      expect((await list(v, ListOffsetsTimestamp.latest)).offset, `v${v} latest`).toBe(BigInt(sent.length));
      // By time: the first record at or after T0 + 1000 is the first of the second batch.
      const byTime = await list(v, BigInt(T0 + 1000));
      expect(byTime.offset, `v${v} by time`).toBe(4n);
      expect(byTime.timestamp, `v${v} by time`).toBe(BigInt(T0 + 1000));
      if (v >= 7) {
        const max = await list(v, ListOffsetsTimestamp.maxTimestamp);
        expect(max.offset, `v${v} max timestamp`).toBe(BigInt(maxIndex));
        expect(max.timestamp, `v${v} max timestamp`).toBe(BigInt(sent[maxIndex].timestamp));
      }
    }
  });

  it('refuses special timestamps at versions before the one that brought them', () => {
    expect(() =>
      ListOffsets.encodeRequest(new Writer(), 6, {
        replicaId: -1,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, timestamp: -3n }] }],
      }),
    ).toThrow(/cannot look up timestamp -3/);
  });

  it('returns the same records at every Fetch version the broker accepts', async () => {
    const leader = cluster.leaderFor(topic, 0)!;
    const conn = await cluster.connectionTo(leader);
    const range = conn.apiVersions.get(Fetch.key)!;
    const low = Math.max(Fetch.min, range.min);
    const high = Math.min(Fetch.max, range.max);
    expect(low).toBe(4);
    expect(high).toBe(Fetch.max);
    for (let v = low; v <= high; v++) {
      const { records } = await readAll(cluster, topic, 0, { fetchVersion: v });
      expectSame(records, sent, `Fetch v${v}`);
    }
  });

  it('fetches from inside a batch: the whole batch comes back, earlier records are skipped', async () => {
    const leader = cluster.leaderFor(topic, 0)!;
    const topicId = cluster.metadata.topics.get(topic)!.topicId;
    const res = await cluster.sendTo(leader, Fetch, {
      maxWaitMs: 0,
      minBytes: 0,
      topics: [
        { topic, topicId, partitions: [{ partition: 0, fetchOffset: 6n, partitionMaxBytes: 1 << 20 }] },
      ],
    });
    const p = res.responses[0].partitions[0];
    expect(p.errorCode).toBe(0);
    expect(p.highWatermark).toBe(BigInt(sent.length));
    expect(p.lastStableOffset).toBe(BigInt(sent.length));
    expect(p.logStartOffset).toBe(0n);
    expect(p.preferredReadReplica).toBe(-1);
    const { batches } = decodeRecordBatches(p.records!, { fromOffset: 6n });
    expect(batches[0].baseOffset).toBe(4n);
    expect(batches[0].records.map((r) => r.offset)).toEqual([6n, 7n]);
    expectSame(
      batches.flatMap((b) => b.records),
      sent,
      'from offset 6',
      6,
    );
  });

  it('answers OFFSET_OUT_OF_RANGE for an offset past the log end', async () => {
    const leader = cluster.leaderFor(topic, 0)!;
    const topicId = cluster.metadata.topics.get(topic)!.topicId;
    const res = await cluster.sendTo(leader, Fetch, {
      maxWaitMs: 0,
      minBytes: 0,
      topics: [
        {
          topic,
          topicId,
          partitions: [{ partition: 0, fetchOffset: BigInt(sent.length + 10), partitionMaxBytes: 1 << 20 }],
        },
      ],
    });
    const p = res.responses[0].partitions[0];
    expect(p.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });
});
