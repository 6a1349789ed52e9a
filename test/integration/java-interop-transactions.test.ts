/**
 * read_committed against the reference implementation: a topic holding committed, aborted and
 * still-open transactions (kafkawire's transactional producer) between plain records, read by the
 * Java console consumer (kafka-tools 4.3.1) with --isolation-level read_committed and by a
 * kafkawire read_committed consumer: the same records at the same offsets, in the same order,
 * nothing of an aborted transaction, and nothing at or after the open one (the last stable
 * offset). Once the open transaction is aborted, both read on past it.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompressionType, Consumer, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';
import { kafkaLibs } from '../harness/launcher.js';
import { createTopic, waitFor } from '../helpers/topics.js';
import { latestOffsets } from '../helpers/transactions.js';

const run = promisify(execFile);
const PARTITIONS = 2;
const formatterFlag = kafkaMajor() >= 4 ? '--formatter-property' : '--property';

/** "partition offset value" lines of the Java console consumer in read_committed, sorted by partition then offset. */
async function javaReadCommitted(topic: string, atMost: number, timeoutMs: number): Promise<string[]> {
  const libs = await kafkaLibs();
  const { stdout } = await run(
    'java',
    [
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      path.join(libs, '*'),
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      '--bootstrap-server',
      brokers(),
      '--topic',
      topic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--max-messages',
      String(atMost),
      '--timeout-ms',
      String(timeoutMs),
      // 3.x's console consumer has no --formatter-property (KIP-1147, 4.x); its --property does that.
      formatterFlag,
      'print.partition=true',
      formatterFlag,
      'print.offset=true',
    ],
    { maxBuffer: 16 * 1024 * 1024, timeout: timeoutMs + 60_000 },
  );
  // e.g. "Partition:1\tOffset:17\tt3-4"
  return stdout
    .split('\n')
    .map((l) => /^Partition:(\d+)\tOffset:(\d+)\t(.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ p: Number(m[1]), o: BigInt(m[2]), v: m[3] }))
    .sort((a, b) => a.p - b.p || (a.o < b.o ? -1 : a.o > b.o ? 1 : 0))
    .map((r) => `${r.p} ${r.o} ${r.v}`);
}

/** The same lines from a kafkawire read_committed consumer, reading until `count` records or a quiet second. */
async function kafkawireReadCommitted(topic: string, count: number): Promise<string[]> {
  const consumer = new Consumer({
    bootstrapServers: brokers(),
    isolationLevel: 'read_committed',
    autoOffsetReset: 'earliest',
  });
  const out: string[] = [];
  try {
    consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
    const until = Date.now() + 30_000;
    let quietSince = Date.now();
    while (Date.now() < until && (out.length < count || Date.now() - quietSince < 1000)) {
      const batches = await consumer.poll({ timeoutMs: 300 });
      if (batches.length > 0) quietSince = Date.now();
      for (const b of batches)
        for (const r of b.records) out.push(`${b.partition} ${r.offset} ${String(r.value)}`);
    }
  } finally {
    await consumer.close();
  }
  return out.sort((a, b) => {
    const [pa, oa] = a.split(' ');
    const [pb, ob] = b.split(' ');
    return Number(pa) - Number(pb) || (BigInt(oa) < BigInt(ob) ? -1 : BigInt(oa) > BigInt(ob) ? 1 : 0);
  });
}

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

describe('read_committed: kafkawire and the Java console consumer agree', () => {
  for (const compressionType of ['none', 'gzip'] as CompressionType[]) {
    it(`over committed, aborted and open transactions (${compressionType})`, async () => {
      const topic = uniqueTopic(`tx-java-${compressionType}`);
      await createTopic(cluster, topic, PARTITIONS);
      const tx = new Producer({
        bootstrapServers: brokers(),
        transactionalId: uniqueTopic('tx-java-id'),
        compressionType,
        lingerMs: 2,
      });
      const plain = new Producer({ bootstrapServers: brokers(), compressionType, lingerMs: 2 });
      try {
        await tx.initTransactions();
        const expected: string[] = [];
        for (let t = 0; t < 9; t++) {
          tx.beginTransaction();
          const values = Array.from({ length: 10 + t }, (_, i) => ({
            topic,
            partition: (t + i) % PARTITIONS,
            value: `t${t}-${i}${t % 3 === 2 ? '-aborted' : ''}`,
          }));
          const mds = await Promise.all(values.map((v) => tx.send(v)));
          if (t % 3 === 2) await tx.abortTransaction();
          else {
            await tx.commitTransaction();
            mds.forEach((md, i) => {
              expected.push(`${md.partition} ${md.offset} ${values[i].value}`);
            });
          }
          const md = await plain.send({ topic, partition: t % PARTITIONS, value: `plain-${t}` });
          expected.push(`${md.partition} ${md.offset} plain-${t}`);
        }
        // An open transaction on both partitions, and plain records after it: read_committed stops
        // at the open transaction's first offset of each partition (the last stable offset).
        tx.beginTransaction();
        await tx.send([
          { topic, partition: 0, value: 'open-1' },
          { topic, partition: 1, value: 'open-2' },
        ]);
        const after0 = await plain.send({ topic, partition: 0, value: 'after-open-0' });
        await plain.send({ topic, partition: 1, value: 'after-open-1' });
        expected.sort((a, b) => {
          const [pa, oa] = a.split(' ');
          const [pb, ob] = b.split(' ');
          return Number(pa) - Number(pb) || (BigInt(oa) < BigInt(ob) ? -1 : 1);
        });
        // The earlier commits' markers are written a moment after commitTransaction returned.
        await waitFor(async () => {
          const lso = await latestOffsets(cluster, topic, PARTITIONS, 1);
          return lso[0] === after0.offset - 1n;
        }, 'the last stable offset of partition 0 to stop at the open transaction');

        const ours = await kafkawireReadCommitted(topic, expected.length);
        // One more than there is: Java stops at its timeout, having printed everything visible.
        const java = await javaReadCommitted(topic, expected.length + 1, 8_000);
        expect(ours).toEqual(expected);
        expect(java).toEqual(expected);
        expect(ours.some((l) => /aborted|open/.test(l))).toBe(false);

        // Abort the open transaction: both readers go past it, to the plain records after it.
        await tx.abortTransaction();
        await waitFor(async () => {
          const [hw, lso] = await Promise.all([
            latestOffsets(cluster, topic, PARTITIONS, 0),
            latestOffsets(cluster, topic, PARTITIONS, 1),
          ]);
          return hw.every((h, i) => h === lso[i]);
        }, 'the open transaction to be aborted');
        const oursAfter = await kafkawireReadCommitted(topic, expected.length + 2);
        const javaAfter = await javaReadCommitted(topic, expected.length + 2, 20_000);
        expect(oursAfter).toEqual(javaAfter);
        expect(
          oursAfter.filter((l) => l.endsWith('after-open-0') || l.endsWith('after-open-1')),
        ).toHaveLength(2);
        expect(oursAfter.some((l) => /aborted| open-[12]$/.test(l))).toBe(false);
      } finally {
        await tx.close();
        await plain.close();
      }
    }, 120_000);
  }
});
