/**
 * Fetch request sizes with 1,000 partitions: what incremental fetch sessions (KIP-227) save on
 * the wire. Starts one broker with the tests' launcher, creates a 1,000-partition topic, and for
 * 10 s produces about 10k records/s spread over it while one consumer, assigned every partition,
 * reads them; every Fetch request's size is taken from the `kafkawire:request` channel.
 *
 *   npx tsx bench/fetch-sessions.ts                      # this checkout
 *   npx tsx bench/fetch-sessions.ts /tmp/kw/src/index.ts # another checkout's library (before/after)
 *
 * Prints one JSON line: Fetch requests sent, records read and sent, the largest request (the
 * full one that opens a session), the median and mean, and the total. Results: results/partitions-1000/.
 */
import { tracingChannel } from 'node:diagnostics_channel';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startKafka } from '../test/harness/launcher.js';

const lib = process.argv[2] ? pathToFileURL(resolve(process.argv[2])).href : '../src/index.js';
const { Admin, Consumer, Producer } = (await import(lib)) as typeof import('../src/index.js');
const PARTITIONS = 1000;
const SECONDS = 10;

const kafka = await startKafka({ nodes: 1 });
try {
  const admin = new Admin({ bootstrapServers: kafka.bootstrap });
  const topic = 'fetch-sessions';
  await admin.createTopics([{ name: topic, numPartitions: PARTITIONS }]);
  await new Promise((r) => setTimeout(r, 3000)); // the partitions' leaders
  const sizes: number[] = [];
  const onStart = (m: unknown) => {
    const r = m as { api: string; requestBytes: number };
    if (r.api === 'Fetch') sizes.push(r.requestBytes);
  };
  const noop = () => {};
  const requests = tracingChannel('kafkawire:request');
  const handlers = { start: onStart, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
  requests.subscribe(handlers);
  const consumer = new Consumer({
    bootstrapServers: kafka.bootstrap,
    autoOffsetReset: 'earliest',
    fetchMaxWaitMs: 100,
  });
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition })));
  const producer = new Producer({
    bootstrapServers: kafka.bootstrap,
    lingerMs: 0,
    acks: 1,
    enableIdempotence: false,
  });
  let sent = 0;
  let read = 0;
  const sends: Promise<unknown>[] = [];
  const timer = setInterval(() => {
    for (let i = 0; i < 100; i++)
      sends.push(producer.send({ topic, key: String(sent++), value: 'x'.repeat(100) }));
  }, 10);
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) for (const b of await consumer.poll({ timeoutMs: 200 })) read += b.records.length;
  clearInterval(timer);
  await Promise.allSettled(sends);
  requests.unsubscribe(handlers);
  sizes.sort((a, b) => a - b);
  const total = sizes.reduce((a, b) => a + b, 0);
  console.log(
    JSON.stringify({
      lib: process.argv[2] ?? 'this checkout',
      partitions: PARTITIONS,
      seconds: SECONDS,
      fetches: sizes.length,
      recordsSent: sent,
      recordsRead: read,
      largestBytes: sizes.at(-1),
      medianBytes: sizes[Math.floor(sizes.length / 2)],
      meanBytes: Math.round(total / sizes.length),
      totalKiB: Math.round(total / 1024),
    }),
  );
  await producer.close();
  await consumer.close();
  await admin.close();
} finally {
  await kafka.stop();
}
