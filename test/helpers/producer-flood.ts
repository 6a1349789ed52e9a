/**
 * Run in a child process (`node --expose-gc --import tsx producer-flood.ts '<json>'`) by
 * producer-memory.test.ts: a producer whose application never awaits a send. It sends `records`
 * records in turns of `perTurn` (synchronously within a turn, the next turn on setImmediate, so
 * the producer's I/O runs between them) and counts how every send settled. Memory is measured
 * as the process's RSS every 20 ms, minus the RSS before the producer existed; the event loop's
 * longest stall is measured from the last send until everything settled. Prints one JSON line.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Producer } from '../../src/producer/producer.js';
import { BufferFullError } from '../../src/protocol/errors.js';

interface FloodArgs {
  brokers: string;
  topic: string;
  clientId: string;
  records: number;
  perTurn: number;
  valueBytes: number;
  bufferMemory: number;
}

const args = JSON.parse(process.argv[2]) as FloodArgs;
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
gc();
const baselineRss = process.memoryUsage().rss;
let peakRss = 0;
let peakHeap = 0;
let peakBuffers = 0;
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
  peakBuffers = Math.max(peakBuffers, m.arrayBuffers);
}, 20);

const producer = new Producer({
  bootstrapServers: args.brokers,
  clientId: args.clientId,
  bufferMemory: args.bufferMemory,
  lingerMs: 5,
  maxBlockMs: 60_000,
  deliveryTimeoutMs: 120_000,
});
await producer.connect();
await producer.send({ topic: args.topic, value: 'warm-up' });

let ok = 0;
let bufferFull = 0;
let other = 0;
let sawNeedsDrain = false;
const onOk = (): void => {
  ok++;
};
const onErr = (err: unknown): void => {
  if (err instanceof BufferFullError) bufferFull++;
  else other++;
};
const value = Buffer.alloc(args.valueBytes, 1);
const delay = monitorEventLoopDelay({ resolution: 10 });
await new Promise<void>((done) => {
  let sent = 0;
  const turn = (): void => {
    const end = Math.min(args.records, sent + args.perTurn);
    for (; sent < end; sent++) producer.send({ topic: args.topic, value }).then(onOk, onErr);
    sawNeedsDrain ||= producer.needsDrain;
    if (sent < args.records) setImmediate(turn);
    else done();
  };
  turn();
});
delay.enable();
const settledStart = Date.now();
while (ok + bufferFull + other < args.records && Date.now() - settledStart < 120_000) {
  await new Promise((r) => setTimeout(r, 20));
}
delay.disable();
await producer.close();
clearInterval(sampler);
console.log(
  JSON.stringify({
    baselineRss,
    peakRss,
    peakHeap,
    peakBuffers,
    ok,
    bufferFull,
    other,
    sawNeedsDrain,
    maxStallMs: delay.max / 1e6,
  }),
);
