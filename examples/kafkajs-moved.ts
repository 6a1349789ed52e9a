/**
 * A KafkaJS program moved to kafkawire: the import line is the only change. It is KafkaJS's
 * getting-started shape: an admin creates the topic, a producer sends, a group consumer prints
 * what it gets with `eachMessage`, and Ctrl-C disconnects.
 *
 *   KAFKA_BROKERS=localhost:9092 node examples/kafkajs-moved.ts
 *
 * EXAMPLE_RECORDS=N (default 10) is how many messages it sends and waits for.
 */
// import { Kafka, logLevel, CompressionTypes } from 'kafkajs'
import { CompressionTypes, Kafka, logLevel } from 'kafkawire/kafkajs';

const kafka = new Kafka({
  clientId: 'my-app',
  brokers: (process.env.KAFKA_BROKERS ?? 'localhost:9092').split(','),
  logLevel: logLevel.WARN,
});
const topic = `kafkajs-example-${Date.now()}`;
const count = Number(process.env.EXAMPLE_RECORDS ?? 10);

const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
await admin.disconnect();

const producer = kafka.producer();
await producer.connect();
await producer.send({
  topic,
  compression: CompressionTypes.GZIP,
  messages: Array.from({ length: count }, (_, i) => ({
    key: `key-${i}`,
    value: `hello ${i}`,
    headers: { 'correlation-id': `c-${i}` },
  })),
});
await producer.disconnect();

const consumer = kafka.consumer({ groupId: `${topic}-group` });
await consumer.connect();
await consumer.subscribe({ topics: [topic], fromBeginning: true });
let received = 0;
const done = new Promise<void>((resolve) => {
  consumer.run({
    eachMessage: async ({ partition, message }) => {
      console.log(
        `${partition}/${message.offset} ${message.key?.toString()} = ${message.value?.toString()} [${message.headers['correlation-id']?.toString()}]`,
      );
      if (++received === count) resolve();
    },
  });
});
const stop = async () => {
  await consumer.disconnect();
  console.log(`received ${received} of ${count}`);
};
process.once('SIGINT', () => void stop());
await done;
await stop();
