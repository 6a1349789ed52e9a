/**
 * A consumer-group member in its own process, for tests that kill members for real
 * (consumer-protocol.test.ts): subscribes to GW_TOPIC in GW_GROUP with GW_PROTOCOL
 * ('classic' or 'consumer'), commits after each poll, and prints one line per record
 * (`got VALUE`) and `owns N` whenever its partition count changes; a classic member's session
 * timeout is 10 s. Runs until killed.
 *
 * Run with `node --import tsx test/helpers/group-worker.ts`.
 */
import { Consumer } from '../../src/index.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`group-worker: ${name} is not set`);
  return v;
};

const protocol = env('GW_PROTOCOL') as 'classic' | 'consumer';
const consumer = new Consumer({
  bootstrapServers: env('GW_BROKERS'),
  groupId: env('GW_GROUP'),
  groupProtocol: protocol,
  autoOffsetReset: 'earliest',
  enableAutoCommit: false,
  // A classic member's session is its own (a killed one is noticed after 10 s); under the
  // consumer protocol the broker's group.consumer.session.timeout.ms applies.
  ...(protocol === 'classic' ? { sessionTimeoutMs: 10_000, heartbeatIntervalMs: 500 } : {}),
});
consumer.subscribe([env('GW_TOPIC')]);
let owned = -1;
for (;;) {
  const batches = await consumer.poll({ timeoutMs: 200 });
  const out: string[] = [];
  for (const b of batches) for (const r of b.records) out.push(`got ${r.value?.toString() ?? ''}`);
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  await consumer.commit().catch(() => {});
  const n = consumer.assignment().length;
  if (n !== owned) {
    owned = n;
    process.stdout.write(`owns ${n}\n`);
  }
}
