/**
 * Where the end-to-end p99 goes (the e2e-10k case: 10k records/s, lingerMs 0, acks=1, one
 * partition, producer and consumer in one process). Starts one broker with the tests' launcher
 * (or uses KAFKA_BROKERS), warms it with one untimed pass, then for each of ROUNDS passes (3) of
 * N records (50,000) times every record three ways: send() → its ack (the producer, the wire
 * and the broker's append), ack → receipt by the consumer (the fetch path), and in all. Beside
 * them: each Produce and Fetch request's write → response time from the `kafkawire:request`
 * channel, and the event loop's delay (perf_hooks). Results: results/e2e-split/.
 *
 *   npx tsx bench/e2e-split.ts
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Admin, Consumer, Producer } from '../src/index.js';
import { startKafka } from '../test/harness/launcher.js';

const N = Number(process.env.N ?? 50_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const RATE = 10_000;
const external = process.env.KAFKA_BROKERS;
const kafka = external ? undefined : await startKafka({ nodes: 1 });
const bootstrap = external ?? kafka!.bootstrap;

const pct = (a: readonly number[], p: number): number => {
  const s = [...a].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
};
const f = (x: number) => x.toFixed(2);

const produceMs: number[] = [];
const fetchMs: number[] = [];
let measuring = false;
const noop = () => {};
tracingChannel('kafkawire:request').subscribe({
  start: noop,
  end: noop,
  asyncStart: noop,
  error: noop,
  asyncEnd(m: unknown) {
    const r = m as { apiKey: number; durationMs: number };
    if (!measuring) return;
    if (r.apiKey === 0) produceMs.push(r.durationMs);
    if (r.apiKey === 1) fetchMs.push(r.durationMs);
  },
});

async function pass(round: number, print: boolean): Promise<void> {
  const topic = `e2e-split-${Date.now()}-${round}`;
  const admin = new Admin({ bootstrapServers: bootstrap });
  await admin.createTopics([{ name: topic, numPartitions: 1 }]);
  await admin.close();
  const producer = new Producer({
    bootstrapServers: bootstrap,
    acks: 1,
    enableIdempotence: false,
    lingerMs: 0,
  });
  const consumer = new Consumer({
    bootstrapServers: bootstrap,
    groupId: `g-${topic}`,
    autoOffsetReset: 'earliest',
  });
  await Promise.all([producer.connect(), consumer.connect()]);
  consumer.subscribe([topic]);
  const sent = new Float64Array(N);
  const acked = new Float64Array(N);
  const recv = new Float64Array(N);
  let got = 0;
  let warm = 0;
  let stop = false;
  const loop = (async () => {
    while (!stop)
      for (const b of await consumer.poll({ timeoutMs: 100 }))
        for (const r of b.records) {
          const t = performance.now();
          const i = (r.value as Buffer).readUInt32BE(0);
          if (i === 0xffffffff) warm++;
          else if (i < N && recv[i] === 0) {
            recv[i] = t;
            got++;
          }
        }
  })();
  // Untimed records until the consumer has its partition and reads them.
  const deadline0 = Date.now() + 60_000;
  while (warm < 50 && Date.now() < deadline0) {
    const v = Buffer.alloc(100);
    v.writeUInt32BE(0xffffffff, 0);
    await producer.send({ topic, value: v });
    await new Promise((r) => setTimeout(r, 10));
  }
  produceMs.length = 0;
  fetchMs.length = 0;
  measuring = true;
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const t0 = performance.now();
  for (let i = 0; i < N; ) {
    const due = Math.min(N, Math.floor(((performance.now() - t0) / 1000) * RATE));
    for (; i < due; i++) {
      const v = Buffer.alloc(100);
      v.writeUInt32BE(i, 0);
      const k = i;
      sent[k] = performance.now();
      producer.send({ topic, value: v }).then(() => {
        acked[k] = performance.now();
      }, noop);
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  const deadline = Date.now() + 20_000;
  while (got < N && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  h.disable();
  measuring = false;
  stop = true;
  await loop;
  await Promise.all([producer.close(), consumer.close()]);
  if (!print) return;
  const total: number[] = [];
  const ack: number[] = [];
  const after: number[] = [];
  for (let k = 0; k < N; k++) {
    if (!recv[k] || !acked[k]) continue;
    total.push(recv[k] - sent[k]);
    ack.push(acked[k] - sent[k]);
    after.push(recv[k] - acked[k]);
  }
  console.log(`round ${round}: ${total.length} of ${N} records received`);
  for (const [name, a] of [
    ['in all', total],
    ['send → ack', ack],
    ['ack → receipt', after],
    ['Produce request', produceMs],
    ['Fetch request', fetchMs],
  ] as const)
    console.log(
      `  ${name.padEnd(16)} p50 ${f(pct(a, 0.5))}  p99 ${f(pct(a, 0.99))}  p99.9 ${f(pct(a, 0.999))} ms`,
    );
  const slowest = total
    .map((t, k) => [t, k] as const)
    .sort((a, b) => b[0] - a[0])
    .slice(0, Math.ceil(total.length / 100));
  console.log(
    `  slowest 1 %: median share before the ack ${f(
      pct(
        slowest.map(([t, k]) => ack[k]! / t),
        0.5,
      ),
    )}; ${f(total.length / produceMs.length)} records per Produce request`,
  );
  console.log(
    `  event loop delay p50 ${f(h.percentile(50) / 1e6)}  p99 ${f(h.percentile(99) / 1e6)}  max ${f(h.max / 1e6)} ms`,
  );
}

try {
  await pass(0, false); // the broker's JIT and the client's
  for (let r = 1; r <= ROUNDS; r++) await pass(r, true);
} finally {
  await kafka?.stop();
}
