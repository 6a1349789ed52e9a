/**
 * The worker-thread pool on its own (thread-pool.ts; run({ threads }) on the real broker is in
 * test/integration/worker-threads.test.ts): a thread that dies under a record fails that record
 * and is replaced; a replacement that cannot load the module is not retried again and again.
 * Regression: every replacement that died while loading was replaced in turn, a loop of threads
 * starting and failing for as long as the process ran.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ThreadPool } from '../../src/consumer/thread-pool.js';
import { ConfigError } from '../../src/protocol/errors.js';

const payload = {
  topic: 't',
  partition: 0,
  highWatermark: 1n,
  message: { offset: 0n, timestamp: 0, key: null, value: Buffer.from('x'), headers: [] },
};

describe('ThreadPool', () => {
  it('replaces a thread that died, but not one that could not load the module', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkawire-pool-'));
    const marker = join(dir, 'marker');
    const module = join(dir, 'handler.mjs');
    // Loads once; the handler ends its thread and makes every later load fail.
    writeFileSync(
      module,
      `import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
appendFileSync(${JSON.stringify(`${marker}.loads`)}, 'x');
if (existsSync(${JSON.stringify(marker)})) throw new Error('cannot load twice');
export async function eachMessage() { writeFileSync(${JSON.stringify(marker)}, '1'); process.exit(2); }
`,
    );
    const pool = await ThreadPool.start({ module, count: 1 }, 1);
    try {
      await expect(pool.handle(payload)).rejects.toThrow(/died/);
      await new Promise((r) => setTimeout(r, 1500));
      const loads = () =>
        existsSync(`${marker}.loads`) ? readFileSync(`${marker}.loads`, 'utf8').length : 0;
      expect(loads()).toBe(2); // the first thread, and one replacement that failed to load
      await new Promise((r) => setTimeout(r, 500));
      expect(loads()).toBe(2); // and no more
      await expect(pool.handle(payload)).rejects.toThrow(/no worker thread/);
    } finally {
      await pool.close();
    }
  });

  it('refuses a module without an eachMessage function', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kafkawire-pool-'));
    const module = join(dir, 'nothing.mjs');
    writeFileSync(module, 'export const x = 1;\n');
    const err = await ThreadPool.start({ module, count: 2 }, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/eachMessage/);
  });
});
