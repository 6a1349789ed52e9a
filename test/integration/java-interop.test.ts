/**
 * Interop with the reference implementation: what kafkawire produces, the Java console consumer
 * (kafka-tools 4.3.1 from the Maven-fetched jars) reads intact, with every codec.
 */
import { execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompressionType, Consumer, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { kafkaLibs } from '../harness/launcher.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const run = promisify(execFile);

/** `java` arguments running the console consumer of the Maven-fetched kafka-tools on `topic`. */
async function consoleConsumerArgs(topic: string, ...args: string[]): Promise<string[]> {
  const libs = await kafkaLibs();
  return [
    '-Xmx256m',
    '-XX:TieredStopAtLevel=1',
    '-cp',
    path.join(libs, '*'),
    'org.apache.kafka.tools.consumer.ConsoleConsumer',
    '--bootstrap-server',
    brokers(),
    '--topic',
    topic,
    ...args,
  ];
}

/** Runs the Java console consumer over a topic from the beginning, and returns its lines. */
async function javaConsume(topic: string, count: number): Promise<string[]> {
  const { stdout } = await run(
    'java',
    await consoleConsumerArgs(
      topic,
      '--from-beginning',
      '--max-messages',
      String(count),
      '--timeout-ms',
      '30000',
      '--formatter-property',
      'print.key=true',
      '--formatter-property',
      'print.headers=true',
      '--formatter-property',
      'print.partition=true',
      '--formatter-property',
      'key.separator=|',
      '--formatter-property',
      'headers.separator=;',
    ),
    { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  return stdout.split('\n').filter((l) => l.length > 0);
}

describe('the Java console consumer reads what kafkawire produces', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = new Cluster({ bootstrapServers: brokers() });
    await cluster.connect();
  });
  afterAll(() => cluster.close());

  const codecs: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
  it.each(codecs)(
    'with %s compression: keys, null keys, null values and headers',
    async (compressionType) => {
      const topic = uniqueTopic(`java-${compressionType}`);
      await createTopic(cluster, topic, 1);
      const producer = new Producer({ bootstrapServers: brokers(), compressionType, lingerMs: 10 });
      const count = 200;
      const records = Array.from({ length: count }, (_, i) => ({
        topic,
        key: i % 5 === 0 ? null : `key-${i}`,
        value: i % 13 === 0 ? null : `value-${i}-${'x'.repeat(i % 50)}`,
        headers: i % 2 === 0 ? { h1: `v${i}`, h2: 'two' } : undefined,
      }));
      try {
        await producer.send(records);
      } finally {
        await producer.close();
      }
      const lines = await javaConsume(topic, count);
      expect(lines).toHaveLength(count);
      lines.forEach((line, i) => {
        const r = records[i];
        // Java's DefaultMessageFormatter: Partition:N|headers|key|value, nulls printed as "null",
        // no headers as "NO_HEADERS".
        const headers = r.headers ? `h1:v${i};h2:two` : 'NO_HEADERS';
        expect(line).toBe(`Partition:0|${headers}|${r.key ?? 'null'}|${r.value ?? 'null'}`);
      });
    },
    120_000,
  );
});

describe('a kafkawire consumer and a Java consumer in one group', () => {
  it('split the partitions and together read every record once', async () => {
    const cluster = new Cluster({ bootstrapServers: brokers() });
    await cluster.connect();
    const topic = uniqueTopic('java-group');
    const groupId = uniqueTopic('mixed');
    await createTopic(cluster, topic, 6);
    await cluster.close();

    const ours = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      autoOffsetReset: 'earliest',
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 500,
      enableAutoCommit: false,
    });
    ours.subscribe([topic]);
    const oursGot: string[] = [];
    let running = true;
    const loop = (async () => {
      while (running) {
        const batches = await ours.poll({ timeoutMs: 200 });
        for (const b of batches) for (const r of b.records) oursGot.push(r.value?.toString() ?? '');
        if (batches.length > 0) await ours.commit().catch(() => {});
      }
    })();

    const java = spawn(
      'java',
      await consoleConsumerArgs(
        topic,
        '--group',
        groupId,
        '--from-beginning',
        '--timeout-ms',
        '10000',
        '--consumer-property',
        'session.timeout.ms=10000',
        '--consumer-property',
        'heartbeat.interval.ms=500',
        '--consumer-property',
        'partition.assignment.strategy=org.apache.kafka.clients.consumer.RangeAssignor',
      ),
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let javaOut = '';
    java.stdout.on('data', (d: Buffer) => {
      javaOut += d.toString();
    });
    const javaExit = new Promise<number | null>((resolve) => java.once('exit', resolve));
    try {
      // Both members in: the range assignor gives each three of the six partitions.
      await waitFor(() => ours.assignment().length === 3, 'the Java consumer to join and take half', 60_000);
      const total = 600;
      const producer = new Producer({ bootstrapServers: brokers() });
      await producer.send(
        Array.from({ length: total }, (_, i) => ({ topic, partition: i % 6, value: `r${i}` })),
      );
      await producer.close();
      await javaExit; // exits 10 s after its last record
      running = false;
      await loop;
      const javaGot = javaOut.split('\n').filter((l) => l.startsWith('r'));
      expect(oursGot.length).toBe(300);
      expect(javaGot.length).toBe(300);
      const all = [...oursGot, ...javaGot].sort();
      expect(new Set(all).size).toBe(total);
      expect(all).toEqual(Array.from({ length: total }, (_, i) => `r${i}`).sort());
    } finally {
      running = false;
      java.kill('SIGKILL');
      await loop.catch(() => {});
      await ours.close();
    }
  }, 120_000);
});
