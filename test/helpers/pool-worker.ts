/**
 * A worker-pool consumer in its own process, for the test that kills it for real
 * (worker-pool.test.ts): subscribes to PW_TOPIC in PW_GROUP, runs eachMessage with
 * `concurrency: 50, ordering: 'key'`, each handler taking 10 ms (one in 50: 1.5 s), auto-commit
 * every 100 ms. A handled record is appended as `PARTITION OFFSET` to the file PW_FILE with a
 * synchronous write before its handler resolves, so every record the group could commit was
 * written first (a pipe could refuse a synchronous write with EAGAIN). Runs until killed.
 *
 * Run with `node --import tsx test/helpers/pool-worker.ts`.
 */
import { appendFileSync } from 'node:fs';
import { Consumer } from '../../src/index.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`pool-worker: ${name} is not set`);
  return v;
};

const consumer = new Consumer({
  bootstrapServers: env('PW_BROKERS'),
  groupId: env('PW_GROUP'),
  autoOffsetReset: 'earliest',
  autoCommitIntervalMs: 100,
  sessionTimeoutMs: 6000,
  heartbeatIntervalMs: 500,
});
consumer.subscribe([env('PW_TOPIC')]);
await consumer.run({
  concurrency: 50,
  ordering: 'key',
  eachMessage: async ({ partition, message }) => {
    // One record in 50 takes 1.5 s: finished records pile up past it, which must not be committed.
    await new Promise((r) => setTimeout(r, message.offset % 50n === 7n ? 1500 : 10));
    appendFileSync(env('PW_FILE'), `${partition} ${message.offset}\n`);
  },
});
