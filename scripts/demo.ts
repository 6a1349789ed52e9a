/**
 * The main job a newcomer runs first (`npm run demo`): the whole path on a real broker.
 * With no KAFKA_BROKERS it starts a local Apache Kafka broker (jars from Maven Central, see
 * scripts/kafka.sh); then it shows the cluster and the API versions kafkawire uses, creates a
 * topic, produces records through the accumulator, consumes them in a group with commits while
 * the lag goes to zero, prints a throughput summary, and stops the broker it started.
 */
import { randomBytes } from 'node:crypto';
import { Admin } from '../src/admin/admin.js';
import { Consumer, Producer } from '../src/index.js';
import { IMPLEMENTED_APIS } from '../src/protocol/apis/index.js';
import { startKafka } from '../test/harness/launcher.js';

const RECORDS = Number(process.env.DEMO_RECORDS ?? 200_000);
const out = (line = '') => process.stdout.write(`${line}\n`);
const rate = (n: number, ms: number) => Math.round((n * 1000) / Math.max(1, ms)).toLocaleString('en-US');

async function main(): Promise<void> {
  let stopBroker: (() => Promise<void>) | undefined;
  let bootstrap = process.env.KAFKA_BROKERS;
  if (!bootstrap) {
    out('KAFKA_BROKERS is not set: starting a local Kafka broker (the first run fetches its jars)...');
    const started = Date.now();
    const kafka = await startKafka({ nodes: 1 });
    stopBroker = () => kafka.stop();
    bootstrap = kafka.bootstrap;
    out(`broker up at ${bootstrap} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const admin = new Admin({ bootstrapServers: bootstrap, clientId: 'kafkawire-demo' });
  try {
    const cluster = await admin.describeCluster();
    out(`\ncluster ${cluster.clusterId}, controller ${cluster.controllerId}`);
    for (const b of cluster.brokers)
      out(`  broker ${b.nodeId} at ${b.host}:${b.port}${b.rack ? ` rack ${b.rack}` : ''}`);
    const versions = await admin.apiVersions();
    const first = versions.get(cluster.brokers[0].nodeId) ?? [];
    out(
      `\nAPI versions (broker ${cluster.brokers[0].nodeId} offers ${first.length} APIs; kafkawire speaks ${IMPLEMENTED_APIS.length}):`,
    );
    const ours = new Map(IMPLEMENTED_APIS.map((a) => [a.key, a]));
    for (const v of first) {
      const api = ours.get(v.apiKey);
      if (!api) continue;
      const use = Math.min(api.max, v.max);
      out(
        `  ${String(v.apiKey).padStart(3)} ${v.name.padEnd(26)} broker v${v.min}-v${v.max}  kafkawire v${api.min}-v${api.max}  → v${use}`,
      );
    }

    const topic = `demo-${randomBytes(4).toString('hex')}`;
    const groupId = `${topic}-group`;
    const [created] = await admin.createTopics([{ name: topic, numPartitions: 6 }]);
    if (created.error) throw created.error;
    out(`\ncreated topic ${topic} with 6 partitions`);

    const producer = new Producer({ bootstrapServers: bootstrap, compressionType: 'lz4', lingerMs: 5 });
    const value = Buffer.alloc(100, 'x');
    const t0 = Date.now();
    const chunk = 1000;
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < RECORDS; i += chunk) {
      const records = [];
      for (let j = i; j < Math.min(RECORDS, i + chunk); j++)
        records.push({ topic, key: `key-${j % 1000}`, value });
      pending.push(producer.send(records));
      if (pending.length >= 50) await pending.shift();
    }
    await Promise.all(pending);
    const produceMs = Date.now() - t0;
    await producer.close();
    out(
      `produced ${RECORDS.toLocaleString('en-US')} records of 100 B (acks=all, idempotent, lz4) in ${produceMs} ms: ${rate(RECORDS, produceMs)} records/s`,
    );

    const lag0 = await admin.groupLag(groupId, [topic]);
    out(`\nconsumer group ${groupId}: lag ${lag0.total} before it starts`);
    const consumer = new Consumer({
      bootstrapServers: bootstrap,
      groupId,
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      maxPollRecords: 5000,
    });
    consumer.subscribe([topic]);
    const t1 = Date.now();
    let consumed = 0;
    let nextReport = RECORDS / 4;
    while (consumed < RECORDS) {
      const batches = await consumer.poll({ timeoutMs: 1000 });
      for (const b of batches) consumed += b.records.length;
      if (batches.length > 0) await consumer.commit();
      if (consumed >= nextReport && consumed < RECORDS) {
        const lag = await admin.groupLag(groupId, [topic]);
        out(`  consumed ${consumed.toLocaleString('en-US')}, committed; lag ${lag.total}`);
        nextReport += RECORDS / 4;
      }
    }
    const consumeMs = Date.now() - t1;
    await consumer.close();
    const lag = await admin.groupLag(groupId, [topic]);
    out(`  consumed ${consumed.toLocaleString('en-US')}, committed; lag ${lag.total}`);
    out(
      `consumed ${consumed.toLocaleString('en-US')} records in ${consumeMs} ms (group join included): ${rate(consumed, consumeMs)} records/s`,
    );
    out('\nsummary');
    out(
      `  produce  ${rate(RECORDS, produceMs).padStart(10)} records/s  ${((RECORDS * 100) / 1e6 / (produceMs / 1000)).toFixed(1)} MB/s`,
    );
    out(
      `  consume  ${rate(consumed, consumeMs).padStart(10)} records/s  ${((consumed * 100) / 1e6 / (consumeMs / 1000)).toFixed(1)} MB/s`,
    );
    out(`  lag      ${lag.total} (every record consumed and committed)`);
    await admin.deleteTopics([topic]);
  } finally {
    await admin.close();
    if (stopBroker) {
      out('\nstopping the local broker');
      await stopBroker();
    }
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
