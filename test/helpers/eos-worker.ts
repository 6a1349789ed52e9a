/**
 * A consume → transform → produce process for the kill tests (exactly-once-kill.test.ts): runs
 * runExactlyOnce from EOS_INPUT to EOS_OUTPUT in group EOS_GROUP with transactionalId EOS_TXN_ID,
 * writing each input record's value to the output under the same key.
 *
 * Talks to its parent on stdio, one line at a time. Out: `ready` (subscribed), `commit N` (a
 * transaction of N input records committed), `abort MESSAGE`, `holding` (see below), `error
 * MESSAGE` (the loop failed; the process exits 1). In: `hold` — the next transaction, once its
 * outputs are sent, stops before its sendOffsetsToTransaction (`hold-offsets`: after it, so the
 * group holds pending offsets of it) and prints `holding` 200 ms later, so that a SIGKILL then
 * lands inside an open transaction whose records are in the log; `release` — cancel the hold (a
 * transaction holding goes on); `stop` — finish the current transaction, close and exit 0.
 *
 * Run with `node --import tsx test/helpers/eos-worker.ts`.
 */
import { createInterface } from 'node:readline';
import { Consumer, type ConsumerBatch, Producer, runExactlyOnce } from '../../src/index.js';

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`eos-worker: ${name} is not set`);
  return v;
};

const bootstrap = env('EOS_BROKERS');
const output = env('EOS_OUTPUT');
const say = (line: string) => process.stdout.write(`${line}\n`);

const consumer = new Consumer({
  bootstrapServers: bootstrap,
  groupId: env('EOS_GROUP'),
  enableAutoCommit: false,
  isolationLevel: 'read_committed',
  autoOffsetReset: 'earliest',
  sessionTimeoutMs: 4000,
  heartbeatIntervalMs: 500,
  maxPollRecords: Number(process.env.EOS_MAX_POLL_RECORDS ?? 500),
  requestTimeoutMs: 10_000,
});
const producer = new Producer({
  bootstrapServers: bootstrap,
  transactionalId: env('EOS_TXN_ID'),
  transactionTimeoutMs: 20_000,
  lingerMs: 5,
  requestTimeoutMs: 10_000,
  deliveryTimeoutMs: 60_000,
  retryBackoffMaxMs: 500,
});

const stop = new AbortController();
let hold: 'before-offsets' | 'after-offsets' | null = null;

/** Ends a hold under way (`release`): the transaction then goes on as if nothing happened. */
let release: () => void = () => {};

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'hold') hold = 'before-offsets';
  else if (line === 'hold-offsets') hold = 'after-offsets';
  else if (line === 'release') {
    hold = null;
    release();
  } else if (line === 'stop') stop.abort();
});

/** Stays in the open transaction until released (or killed), once what it sent is in the log. */
async function holdForever(): Promise<void> {
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  await producer.flush();
  await new Promise((r) => setTimeout(r, 200));
  if (hold === null) return; // released meanwhile
  say('holding');
  await released;
}

// The kill point: around the pipeline's sendOffsetsToTransaction (test-only wrapping).
const sendOffsets = producer.sendOffsetsToTransaction.bind(producer);
producer.sendOffsetsToTransaction = async (offsets, group) => {
  if (hold === 'before-offsets') await holdForever();
  await sendOffsets(offsets, group);
  if (hold === 'after-offsets') await holdForever();
};

const trace = process.env.EOS_TRACE === '1';

async function transform(b: ConsumerBatch) {
  if (trace && b.records.length > 0)
    say(
      `batch ${b.partition} ${b.records[0].offset} ${b.records[b.records.length - 1].offset} t ${Date.now()}`,
    );
  return b.records.map((r) => ({ topic: output, key: r.key, value: r.value }));
}

try {
  await runExactlyOnce({
    consumer,
    producer,
    topics: [env('EOS_INPUT')],
    transform,
    signal: stop.signal,
    pollTimeoutMs: 200,
    listener: {
      onPartitionsAssigned: (tps) => {
        say('ready');
        if (trace)
          say(
            `assigned ${tps.map((t) => `${t.partition}@${consumer.position(t)}`).join(',')} gen ${consumer.groupMetadata().generationId} t ${Date.now()}`,
          );
      },
      onPartitionsRevoked: (tps) => {
        if (trace) say(`revoked ${tps.map((t) => t.partition).join(',')}`);
      },
    },
    onCommit: (c) => {
      say(`commit ${c.inputRecords}`);
      if (trace)
        say(
          `offsets ${c.offsets.map((o) => `${o.partition}:${o.offset}`).join(' ')} gen ${consumer.groupMetadata().generationId}`,
        );
    },
    onAbort: (err) => {
      say(`abort ${err.message.replace(/\n/g, ' ')}`);
    },
  });
  await consumer.close();
  await producer.close();
  process.exit(0);
} catch (err) {
  say(`error ${(err as Error).name}: ${String((err as Error).message).replace(/\n/g, ' ')}`);
  process.exit(1);
}
