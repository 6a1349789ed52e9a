/**
 * A producer in its own process, for the test that kills it for real (producer-kill.test.ts):
 * sends PC_COUNT keyed records `k{i % 100}:{seq}` to PC_TOPIC, idempotent, in windows of 2,000
 * sends not awaited one by one, and writes `acked VALUE PARTITION OFFSET` to stdout as each is
 * acknowledged (lines still buffered at a kill are lost: the test checks the ones it read).
 * Runs until done or killed.
 *
 * Run with `node --import tsx test/helpers/producer-child.ts`.
 */
import { Producer } from '../../src/index.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`producer-child: ${name} is not set`);
  return v;
};

const topic = env('PC_TOPIC');
const count = Number(env('PC_COUNT'));
const producer = new Producer({ bootstrapServers: env('PC_BROKERS'), lingerMs: 5 });
const seq = new Array<number>(100).fill(0);
const window: Promise<void>[] = [];
for (let i = 0; i < count; i++) {
  const k = i % 100;
  const value = `k${k}:${seq[k]++}`;
  window.push(
    producer.send({ topic, key: `k${k}`, value }).then((md) => {
      process.stdout.write(`acked ${value} ${md.partition} ${md.offset}\n`);
    }),
  );
  if (window.length >= 2000) await Promise.all(window.splice(0));
}
await Promise.all(window);
await producer.close();
