/**
 * A/B of the consumer alone: one broker (the tests' launcher), one 6-partition topic of 5M
 * records of 100 B, read from the start with manual assignment and poll() by this checkout's
 * library and by another checkout's, in fresh child processes, alternating, 6 rounds each.
 * Prints each run's records/s and CPU seconds per million records, and the medians.
 *
 *   npx tsx bench/consume-ab.ts /tmp/kw-base/src/index.ts
 *
 * (`git worktree add /tmp/kw-base <commit> && ln -s "$PWD/node_modules" /tmp/kw-base/node_modules`.)
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKafka } from '../test/harness/launcher.js';

const other = process.argv[2];
if (!other) throw new Error('usage: npx tsx bench/consume-ab.ts OTHER_CHECKOUT/src/index.ts');
const N = 5_000_000;
const ROUNDS = 6;
const here = resolve(fileURLToPath(new URL('..', import.meta.url)), 'src/index.ts');
const child = fileURLToPath(new URL('./lib/consume-ab-child.ts', import.meta.url));

const kafka = await startKafka({ nodes: 1 });
try {
  const { Admin, Producer } = await import('../src/index.js');
  const admin = new Admin({ bootstrapServers: kafka.bootstrap });
  await admin.createTopics([{ name: 'ab', numPartitions: 6 }]);
  await admin.close();
  await new Promise((r) => setTimeout(r, 2000));
  const producer = new Producer({
    bootstrapServers: kafka.bootstrap,
    lingerMs: 5,
    batchSize: 65536,
    acks: 1,
    enableIdempotence: false,
  });
  const value = Buffer.alloc(100, 'x');
  for (let i = 0; i < N; i += 50_000)
    await producer.send(Array.from({ length: 50_000 }, () => ({ topic: 'ab', value })));
  await producer.close();
  const libs: [string, string][] = [
    ['this checkout', here],
    [other, resolve(other)],
  ];
  const rates = new Map<string, number[]>(libs.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, lib] of libs) {
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', child, kafka.bootstrap, lib, String(N)],
        {
          encoding: 'utf8',
        },
      );
      const m = JSON.parse(out.trim().split('\n').at(-1) as string) as { rate: number; cpu: number };
      rates.get(name)?.push(m.rate);
      console.log(`r${round + 1} ${name}: ${Math.round(m.rate)} records/s, cpu ${m.cpu.toFixed(2)} s/M`);
    }
  }
  const median = (a: number[]) => {
    const s = [...a].sort((x, y) => x - y);
    return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
  };
  const [a, b] = libs.map(([name]) => median(rates.get(name) ?? []));
  console.log(
    `median: this checkout ${Math.round(a)}, ${other} ${Math.round(b)}, ratio ${(a / b).toFixed(2)}`,
  );
} finally {
  await kafka.stop();
}
