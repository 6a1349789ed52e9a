/**
 * The programs in examples/, run as a user runs them (`node examples/x.ts`, importing the
 * package by its name, i.e. the built dist/) against the test broker, and judged by their exit
 * code, their output and what they left in Kafka.
 */
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/index.js';
import { buildDist } from '../harness/build.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs an example; `signalWhen` sends SIGTERM once it returns true for the output so far. */
function example(
  file: string,
  args: string[] = [],
  options: {
    env?: Record<string, string>;
    signalWhen?: (stdout: string) => boolean;
    timeoutMs?: number;
  } = {},
): Promise<Run> {
  const child = spawn(process.execPath, [join(root, 'examples', file), ...args], {
    cwd: root,
    env: { ...process.env, KAFKA_BROKERS: brokers(), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalled = false;
  const check = () => {
    if (!signalled && options.signalWhen?.(stdout)) {
      signalled = true;
      child.kill('SIGTERM');
    }
  };
  const poll = setInterval(check, 100);
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${file} still running after ${options.timeoutMs ?? 60_000} ms\n${stdout}\n${stderr}`),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}

let admin: Admin;
beforeAll(async () => {
  await buildDist();
  admin = new Admin({ bootstrapServers: brokers() });
});
afterAll(() => admin.close());

async function endOffsetsTotal(topic: string): Promise<bigint> {
  return (await admin.topicOffsets(topic, 'latest')).reduce((n, p) => n + p.offset, 0n);
}

describe('examples/', () => {
  it('producer-service.ts stops on SIGTERM with every record acknowledged, and they are all in the topic', async () => {
    const topic = uniqueTopic('example-orders');
    const started = Date.now();
    const r = await example('producer-service.ts', [topic], {
      // Let it produce for a while (a few bursts acknowledged) before the signal.
      signalWhen: (out) => out.includes('producing to') && Date.now() - started > 1500,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SIGTERM: stopping with \d+ orders in flight/);
    const m = /stopped: (\d+) sent, (\d+) acknowledged, 0 failed/.exec(r.stdout);
    expect(m, r.stdout).not.toBeNull();
    const [sent, acked] = [Number(m![1]), Number(m![2])];
    expect(sent).toBeGreaterThan(0);
    expect(acked).toBe(sent);
    expect(await endOffsetsTotal(topic)).toBe(BigInt(acked));

    // The at-least-once consumer reads them all, commits, and leaves no lag.
    const groupId = `${topic}-billing`;
    const c = await example('at-least-once-consumer.ts', [topic, groupId], {
      env: { EXAMPLE_RECORDS: String(acked) },
    });
    expect(c.code, c.stderr).toBe(0);
    expect(c.stdout).toContain(`stopped: ${acked} records handled and committed, 50 customers`);
    expect((await admin.groupLag(groupId)).total).toBe(0n);
  });

  it('at-least-once-consumer.ts commits what it handled and exits 0 on SIGTERM', async () => {
    const topic = uniqueTopic('example-sigterm');
    const p = await example('producer-service.ts', [topic], { env: { EXAMPLE_RECORDS: '3000' } });
    expect(p.code, p.stderr).toBe(0);
    const groupId = `${topic}-g`;
    const c = await example('at-least-once-consumer.ts', [topic, groupId], {
      signalWhen: (out) => out.includes('handled and committed'),
    });
    expect(c.code, c.stderr).toBe(0);
    const handled = Number(/stopped: (\d+) records handled and committed/.exec(c.stdout)?.[1]);
    expect(handled).toBeGreaterThan(0);
    // Exactly what it handled is committed: the lag is the rest.
    expect((await admin.groupLag(groupId, [topic])).total).toBe(3000n - BigInt(handled));
  });

  it('admin-tasks.ts runs through its tasks', async () => {
    const r = await example('admin-tasks.ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('configs: cleanup.policy=compact retention.ms=86400000');
    expect(r.stdout).toContain('partitions: 4');
    expect(r.stdout).toMatch(/consumed 5, lag 15 of 20/);
    expect(r.stdout).toContain('after reset to latest: lag 0');
    expect(r.stdout).toMatch(/deleted admin-example-\d+/);
  });

  it('kafkajs-moved.ts, a KafkaJS program with a new import, sends and receives', async () => {
    const r = await example('kafkajs-moved.ts', [], { env: { EXAMPLE_RECORDS: '7' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('received 7 of 7');
    expect(r.stdout).toMatch(/^\d\/\d+ key-3 = hello 3 \[c-3\]$/m);
  });

  it('raw-request.ts sends Metadata at every shared version and checks each answer', async () => {
    const r = await example('raw-request.ts');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}v12: 1 broker\(s\)/m);
    expect(r.stdout.trim().endsWith('ok')).toBe(true);
  });
});
