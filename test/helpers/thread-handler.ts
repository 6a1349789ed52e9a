/**
 * The handler module of worker-threads.test.ts, loaded by `run({ threads })` in each worker
 * thread (Node's type stripping: built-ins only, erasable syntax only). Per record: spins the CPU
 * for TH_SPIN_MS, then appends `threadId partition offset key start end` to TH_LOG. A value
 * `fail` throws; a value `crash` ends its thread (`process.exit` in a thread) the first time it is
 * seen (a marker file beside TH_LOG), and is handled normally when it comes again.
 */
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

interface Payload {
  partition: number;
  message: { offset: bigint; key: Buffer | null; value: Buffer | null };
}

const log = process.env.TH_LOG as string;
const spinMs = Number(process.env.TH_SPIN_MS ?? 0);

export async function eachMessage({ partition, message }: Payload): Promise<void> {
  const value = message.value?.toString() ?? '';
  if (!Buffer.isBuffer(message.value)) throw new Error('the value did not arrive as a Buffer');
  if (value === 'fail') throw new Error('bad record');
  if (value === 'crash' && !existsSync(`${log}.crashed`)) {
    writeFileSync(`${log}.crashed`, String(threadId));
    process.exit(3);
  }
  const start = performance.timeOrigin + performance.now();
  while (performance.timeOrigin + performance.now() - start < spinMs) {
    // CPU-bound work: what worker threads are for
  }
  const end = performance.timeOrigin + performance.now();
  appendFileSync(
    log,
    `${threadId} ${partition} ${message.offset} ${message.key?.toString()} ${start} ${end}\n`,
  );
}
