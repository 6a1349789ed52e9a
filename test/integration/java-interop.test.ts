/**
 * Interop with the reference implementation: what kafkawire produces, the Java console consumer
 * (kafka-tools 4.3.1 from the Maven-fetched jars) reads intact, with every codec.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CompressionType, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { kafkaLibs } from '../harness/launcher.js';
import { createTopic } from '../helpers/topics.js';

const run = promisify(execFile);

/** Runs the Java console consumer over a topic from the beginning, and returns its lines. */
async function javaConsume(topic: string, count: number): Promise<string[]> {
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
    ],
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
