/**
 * A share consumer that acquires records and never acknowledges them, for the kill test of
 * share-groups.test.ts: explicit mode, one poll that returns records, then `got V V …` on stdout,
 * then it waits to be killed (SIGKILL: the records stay acquired until their lock runs out).
 *
 * Run with `node --import tsx test/helpers/share-holder.ts`.
 */
import { ShareConsumer } from '../../src/index.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`share-holder: ${name} is not set`);
  return v;
};

const consumer = new ShareConsumer({
  bootstrapServers: env('SH_BROKERS'),
  groupId: env('SH_GROUP'),
  shareAcknowledgementMode: 'explicit',
  maxPollRecords: 30,
  fetchMaxWaitMs: 200,
});
consumer.subscribe([env('SH_TOPIC')]);
for (;;) {
  const records = await consumer.poll({ timeoutMs: 500 });
  if (records.length > 0) {
    process.stdout.write(`got ${records.map((r) => String(r.value)).join(' ')}\n`);
    break;
  }
}
setInterval(() => {}, 1000); // held until killed
