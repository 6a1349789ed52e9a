/**
 * Run in a child process (`node --expose-gc --import tsx memory-probe.ts '<json>'`) by
 * consumer-memory.test.ts: a consumer over every partition of a topic whose application first
 * stalls (no poll for `stallMs`), then drains slowly. Memory is measured, not taken from the
 * consumer's counters: `process.memoryUsage().arrayBuffers` after a full GC, every 50 ms, minus
 * the same figure before the consumer existed. Prints one JSON line: the peak while stalled,
 * the peak while draining, and the records read.
 */
import { Consumer } from '../../src/consumer/consumer.js';

interface ProbeArgs {
  brokers: string;
  topic: string;
  partitions: number;
  records: number;
  fetchMaxBytes: number;
  maxPartitionFetchBytes: number;
  stallMs: number;
}

const args = JSON.parse(process.argv[2]) as ProbeArgs;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');

function live(): number {
  gc?.();
  gc?.(); // twice: the first GC may still be freeing ArrayBuffers in the background
  return process.memoryUsage().arrayBuffers;
}

const baseline = live();
const consumer = new Consumer({
  bootstrapServers: args.brokers,
  autoOffsetReset: 'earliest',
  fetchMaxBytes: args.fetchMaxBytes,
  maxPartitionFetchBytes: args.maxPartitionFetchBytes,
  maxPollRecords: 100,
});
consumer.assign(
  Array.from({ length: args.partitions }, (_, partition) => ({ topic: args.topic, partition })),
);
let read = 0;
const count = (batches: { records: unknown[] }[]) => {
  for (const b of batches) read += b.records.length;
};
while (read === 0) count(await consumer.poll({ timeoutMs: 1000 }));

// The stall lasts stallMs, and on a loaded machine (a slow broker, CI) on until what is held
// has not grown for a second, 20 s at most: the peak measured is the one the consumer settles at.
let stalledPeak = 0;
const stallUntil = Date.now() + args.stallMs;
const stallLimit = Date.now() + 20_000;
let lastRise = Date.now();
while ((Date.now() < stallUntil || Date.now() - lastRise < 1000) && Date.now() < stallLimit) {
  const held = live() - baseline;
  if (held > stalledPeak) {
    stalledPeak = held;
    lastRise = Date.now();
  }
  await new Promise((r) => setTimeout(r, 50));
}
let drainingPeak = 0;
let lastSample = 0;
const until = Date.now() + 60_000;
while (read < args.records && Date.now() < until) {
  count(await consumer.poll({ timeoutMs: 1000 }));
  if (Date.now() - lastSample >= 50) {
    drainingPeak = Math.max(drainingPeak, live() - baseline);
    lastSample = Date.now();
  }
  await new Promise((r) => setTimeout(r, 2)); // a slow application
}
await consumer.close();
process.stdout.write(`${JSON.stringify({ stalledPeak, drainingPeak, read })}\n`);
