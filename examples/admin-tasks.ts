/**
 * Everyday admin tasks with kafkawire's Admin: create a topic with configs, describe it, change
 * a config, add partitions, look at a consumer group's lag and move its offsets, delete the topic.
 *
 *   KAFKA_BROKERS=localhost:9092 node examples/admin-tasks.ts
 */
import { Admin, Consumer, Producer } from 'kafkawire';

const bootstrapServers = process.env.KAFKA_BROKERS ?? 'localhost:9092';
const topic = `admin-example-${Date.now()}`;
const groupId = `${topic}-group`;
const admin = new Admin({ bootstrapServers });

// Calls over several items report an error per item instead of throwing for the first.
const [created] = await admin.createTopics([
  { name: topic, numPartitions: 2, replicationFactor: 1, configs: { 'retention.ms': '86400000' } },
]);
if (created?.error) throw created.error;
console.log(`created ${topic}`);

const [described] = await admin.describeTopics([topic]);
for (const p of described?.partitions ?? []) {
  console.log(
    `  partition ${p.partition}: leader ${p.leader}, replicas ${p.replicas.join(',')}, isr ${p.isr.join(',')}`,
  );
}

await admin.alterConfigs({ type: 'topic', name: topic }, [
  { name: 'cleanup.policy', op: 'set', value: 'compact' },
]);
// A config change reaches every broker through the metadata log: a describe right after it may
// still show the old value for a moment.
const deadline = Date.now() + 10_000;
for (;;) {
  const [configs] = await admin.describeConfigs([{ type: 'topic', name: topic }]);
  const policy = configs?.entries.find((e) => e.name === 'cleanup.policy')?.value;
  if (policy === 'compact' || Date.now() > deadline) {
    const shown = configs?.entries.filter((e) => e.name === 'cleanup.policy' || e.name === 'retention.ms');
    console.log(`configs: ${shown?.map((e) => `${e.name}=${e.value}`).join(' ')}`);
    break;
  }
  await new Promise((r) => setTimeout(r, 200));
}

const [grown] = await admin.createPartitions({ [topic]: 4 });
if (grown?.error) throw grown.error;
console.log('partitions: 4');

// A group that consumed part of the topic, so that it has a lag.
const producer = new Producer({ bootstrapServers });
await producer.send(Array.from({ length: 20 }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })));
await producer.close();
const consumer = new Consumer({
  bootstrapServers,
  groupId,
  autoOffsetReset: 'earliest',
  enableAutoCommit: false,
  maxPollRecords: 5,
});
consumer.subscribe([topic]);
let consumed = 0;
while (consumed === 0) {
  for (const batch of await consumer.poll({ timeoutMs: 1000 })) consumed += batch.records.length;
}
await consumer.commit(); // the position after the records handed out: 5 of 20

await consumer.close();

const lag = await admin.groupLag(groupId);
console.log(`group ${groupId}: consumed ${consumed}, lag ${lag.total} of 20`);
// Offsets move only while the group has no members (its consumer closed above).
await admin.resetGroupOffsets(groupId, topic, 'latest');
console.log(`after reset to latest: lag ${(await admin.groupLag(groupId)).total}`);

const [deleted] = await admin.deleteTopics([topic]);
if (deleted?.error) throw deleted.error;
await admin.deleteGroups([groupId]);
console.log(`deleted ${topic} and ${groupId}`);
await admin.close();
