/**
 * `kafkawire worker` as a supervisor runs it: the built binary spawned as a child process with a
 * handler module written here, against the real broker. SIGTERM mid-stream drains and commits
 * exactly what was handled (a second run handles the rest: none lost, none twice); a failing
 * record stops the worker uncommitted, or goes to the dead-letter topic with an ECS error line; a
 * handler stuck past --drain-timeout exits 1 with its record uncommitted; /healthz follows a
 * broker stopped and started again; /metrics parses as Prometheus text and agrees with the counts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { buildDist, CLI_ENTRY } from '../harness/build.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { ownBroker, ownTopic } from '../helpers/own-broker.js';
import { createTopic } from '../helpers/topics.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dir = mkdtempSync(join(tmpdir(), 'kafkawire-worker-'));
/** Appends `topic partition offset` per record handled; fails, hangs or waits as the env says. */
const HANDLER = join(dir, 'handler.mjs');
writeFileSync(
  HANDLER,
  `import { appendFileSync } from 'node:fs';
const { HANDLED_FILE, FAIL_VALUE, HANG_VALUE, DELAY_MS } = process.env;
export async function setup(context) { context.log.info({ module: 'test' }, 'setup ran'); }
export async function handle({ topic, partition, message }) {
  const value = message.value?.toString();
  if (value === FAIL_VALUE) throw new TypeError('cannot handle ' + value);
  if (value === HANG_VALUE) await new Promise(() => {});
  if (DELAY_MS) await new Promise((r) => setTimeout(r, Number(DELAY_MS)));
  appendFileSync(HANDLED_FILE, topic + ' ' + partition + ' ' + message.offset + '\\n');
}
`,
);

interface Running {
  child: ChildProcess;
  exit: Promise<{ code: number | null; ms: number }>;
  stdout: () => string;
}

function runWorker(args: string[], env: Record<string, string>, bootstrap = brokers()): Running {
  const child = spawn(process.execPath, [CLI_ENTRY, 'worker', HANDLER, ...args], {
    env: { ...process.env, KAFKA_BROKERS: bootstrap, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const started = Date.now();
  const exit = new Promise<{ code: number | null; ms: number }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (err) process.stderr.write(`[worker stderr] ${err}\n`);
      resolve({ code, ms: Date.now() - started });
    });
  });
  return { child, exit, stdout: () => out };
}

type EcsLine = Record<string, unknown> & {
  message: string;
  'log.level': string;
  kafka?: Record<string, unknown>;
  error?: Record<string, unknown>;
};

function lines(text: string): EcsLine[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as EcsLine);
}

function handled(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function until<T>(check: () => T | Promise<T>, ms: number, what: string): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function produce(
  bootstrap: string,
  topic: string,
  values: string[],
  partitions: number,
): Promise<void> {
  const producer = new Producer({ bootstrapServers: bootstrap, lingerMs: 5 });
  try {
    await producer.send(values.map((value, i) => ({ topic, value, partition: i % partitions })));
  } finally {
    await producer.close();
  }
}

async function committed(bootstrap: string, group: string): Promise<Map<number, bigint>> {
  const admin = new Admin({ bootstrapServers: bootstrap });
  try {
    return new Map((await admin.groupOffsets(group)).map((o) => [o.partition, o.offset]));
  } finally {
    await admin.close();
  }
}

/** Per partition, the offsets handled, in order. */
function byPartition(entries: string[]): Map<number, bigint[]> {
  const m = new Map<number, bigint[]>();
  for (const e of entries) {
    const [, p, o] = e.split(' ');
    const list = m.get(Number(p)) ?? [];
    list.push(BigInt(o));
    m.set(Number(p), list);
  }
  return m;
}

/** Every non-comment line is `name{labels} value`, every family has HELP and TYPE first. */
function parsePrometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$/.exec(line);
    if (t) {
      typed.add(t[1]);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const m =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(
        line,
      );
    if (!m) throw new Error(`not Prometheus text: ${line}`);
    const family = m[1].replace(/_(sum|count)$/, '');
    if (!typed.has(m[1]) && !typed.has(family)) throw new Error(`no TYPE before ${line}`);
    values.set(`${m[1]}${m[2] ?? ''}`, Number(m[3]));
  }
  return values;
}

let cluster: Cluster;
beforeAll(async () => {
  await buildDist();
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
}, 180_000);
afterAll(() => cluster.close());

describe('kafkawire worker', () => {
  it('drains on SIGTERM, commits exactly what was handled, and the next run handles the rest', async () => {
    const topic = uniqueTopic('worker-drain');
    const group = uniqueTopic('worker-drain-g');
    await createTopic(cluster, topic, 3);
    const total = 1500;
    await produce(
      brokers(),
      topic,
      Array.from({ length: total }, (_, i) => `v${i}`),
      3,
    );
    const file = join(dir, `${group}.handled`);
    const args = ['-g', group, '-t', topic, '--drain-timeout', '10000', '--http-port', '0'];
    const first = runWorker(args, { HANDLED_FILE: file, DELAY_MS: '3' });
    await until(() => handled(file).length >= 300, 60_000, '300 records handled');
    const termAt = Date.now();
    first.child.kill('SIGTERM');
    const { code } = await first.exit;
    expect(code).toBe(0);
    expect(Date.now() - termAt).toBeLessThan(10_000);
    const firstRun = handled(file);
    expect(firstRun.length).toBeLessThan(total);
    const log = lines(first.stdout());
    expect(log.map((l) => l.message)).toEqual(
      expect.arrayContaining([
        'setup ran',
        'Worker started',
        'Stopping: finishing the running handler',
        'Worker stopped',
      ]),
    );

    // Committed = one past the last record handled, per partition; the handled ones contiguous.
    const offsets = await committed(brokers(), group);
    for (const [partition, list] of byPartition(firstRun)) {
      expect(list).toEqual(list.map((_, i) => BigInt(i)));
      expect(offsets.get(partition)).toBe(BigInt(list.length));
    }

    const second = runWorker(args, { HANDLED_FILE: file });
    await until(() => handled(file).length >= total, 60_000, 'every record handled');
    second.child.kill('SIGTERM');
    expect((await second.exit).code).toBe(0);
    const all = handled(file);
    expect(all).toHaveLength(total); // none twice
    expect(new Set(all).size).toBe(total);
    const end = await committed(brokers(), group);
    expect([...end.values()].reduce((a, b) => a + b, 0n)).toBe(BigInt(total));
  }, 180_000);

  it('stops on a failing record without --dlq, leaving that record uncommitted', async () => {
    const topic = uniqueTopic('worker-fail');
    const group = uniqueTopic('worker-fail-g');
    await createTopic(cluster, topic, 1);
    await produce(brokers(), topic, ['a', 'b', 'poison', 'c'], 1);
    const file = join(dir, `${group}.handled`);
    const w = runWorker(['-g', group, '-t', topic], { HANDLED_FILE: file, FAIL_VALUE: 'poison' });
    const { code } = await w.exit;
    expect(code).toBe(1);
    expect(handled(file)).toEqual([`${topic} 0 0`, `${topic} 0 1`]);
    expect((await committed(brokers(), group)).get(0)).toBe(2n);
    const failure = lines(w.stdout()).find((l) => l['log.level'] === 'error');
    expect(failure?.message).toMatch(/^Handler failed; stopping with the record uncommitted/);
    expect(failure?.kafka).toMatchObject({ topic, partition: 0, offset: '2' });
    expect(failure?.error).toMatchObject({ type: 'TypeError', message: 'cannot handle poison' });
    expect(failure?.error?.stack_trace).toEqual(expect.stringContaining('handler.mjs'));
  }, 120_000);

  it('sends a failing record to the dead-letter topic after its retries, logs one ECS error line, and goes on', async () => {
    const topic = uniqueTopic('worker-dlq');
    const dlq = `${topic}.dlq`;
    const group = uniqueTopic('worker-dlq-g');
    await createTopic(cluster, topic, 1);
    await createTopic(cluster, dlq, 1);
    await produce(brokers(), topic, ['a', 'poison', 'b', 'c'], 1);
    const file = join(dir, `${group}.handled`);
    const logFile = join(dir, `${group}.log`);
    const w = runWorker(['-g', group, '-t', topic, '--dlq', dlq, '--retries', '2', '--log-file', logFile], {
      HANDLED_FILE: file,
      FAIL_VALUE: 'poison',
    });
    await until(() => handled(file).length >= 3, 60_000, 'the other records handled');
    await until(async () => (await committed(brokers(), group)).get(0) === 4n, 30_000, 'offset 4 committed');
    w.child.kill('SIGTERM');
    expect((await w.exit).code).toBe(0);
    expect(w.stdout()).toBe(''); // everything went to --log-file
    expect(handled(file)).toEqual([`${topic} 0 0`, `${topic} 0 2`, `${topic} 0 3`]);

    const log = lines(readFileSync(logFile, 'utf8'));
    for (const l of log) {
      // deploy/fluent-bit/parsers.conf reads it with Time_Format %Y-%m-%dT%H:%M:%S.%LZ.
      expect(l['@timestamp']).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/));
      expect(l['log.level']).toEqual(expect.stringMatching(/^(debug|info|warn|error)$/));
      expect(l['ecs.version']).toEqual(expect.any(String));
    }
    expect(log.filter((l) => l.message === 'Handler failed; retrying')).toHaveLength(2);
    const errors = log.filter((l) => l['log.level'] === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'Handler failed; record sent to the dead-letter topic',
      kafka: { topic, partition: 0, offset: '1', dlq },
      error: { type: 'TypeError', message: 'cannot handle poison' },
    });

    const reader = new Consumer({ bootstrapServers: brokers(), autoOffsetReset: 'earliest' });
    try {
      reader.assign([{ topic: dlq, partition: 0 }]);
      const got = await until(
        async () => (await reader.poll({ timeoutMs: 500 }))[0]?.records,
        20_000,
        'the DLQ record',
      );
      expect(got).toHaveLength(1);
      expect(got[0].value?.toString()).toBe('poison');
      const headers = Object.fromEntries(got[0].headers.map((h) => [h.key, h.value?.toString()]));
      expect(headers).toMatchObject({
        'kafkawire.dlq.topic': topic,
        'kafkawire.dlq.partition': '0',
        'kafkawire.dlq.offset': '1',
        'kafkawire.dlq.error.type': 'TypeError',
        'kafkawire.dlq.error.message': 'cannot handle poison',
      });
    } finally {
      await reader.close();
    }
  }, 120_000);

  it('exits 1 when a handler outlives --drain-timeout, its record uncommitted', async () => {
    const topic = uniqueTopic('worker-hang');
    const group = uniqueTopic('worker-hang-g');
    await createTopic(cluster, topic, 1);
    await produce(brokers(), topic, ['a', 'b', 'stuck', 'c'], 1);
    const file = join(dir, `${group}.handled`);
    const w = runWorker(['-g', group, '-t', topic, '--drain-timeout', '1500'], {
      HANDLED_FILE: file,
      HANG_VALUE: 'stuck',
    });
    await until(() => handled(file).length >= 2, 60_000, 'two records handled');
    await new Promise((r) => setTimeout(r, 300));
    const termAt = Date.now();
    w.child.kill('SIGTERM');
    expect((await w.exit).code).toBe(1);
    const took = Date.now() - termAt;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(10_000);
    expect((await committed(brokers(), group)).get(0)).toBe(2n);
    expect(lines(w.stdout()).some((l) => l.message.startsWith('Drain timeout passed'))).toBe(true);
  }, 120_000);

  it('runs the example handler module: orders billed, a bad one dead-lettered', async () => {
    const topic = uniqueTopic('worker-example');
    const dlq = `${topic}.dlq`;
    const group = uniqueTopic('worker-example-g');
    await createTopic(cluster, topic, 1);
    await createTopic(cluster, dlq, 1);
    await produce(brokers(), topic, ['{"id":"o1"}', 'not json', '{"id":"o2"}'], 1);
    const child = spawn(
      process.execPath,
      [
        CLI_ENTRY,
        'worker',
        join(root, 'examples/worker-handler.mjs'),
        '-g',
        group,
        '-t',
        topic,
        '--dlq',
        dlq,
      ],
      { env: { ...process.env, KAFKA_BROKERS: brokers() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    const closed = new Promise((resolve) => child.on('close', resolve));
    await until(async () => (await committed(brokers(), group)).get(0) === 3n, 60_000, 'offset 3 committed');
    child.kill('SIGTERM');
    expect(await closed).toBe(0);
    expect(err).toContain('billed 2 orders');
    const errors = lines(out).filter((l) => l['log.level'] === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kafka: { offset: '1', dlq }, error: { type: 'SyntaxError' } });
  }, 120_000);

  it('handles records side by side with --concurrency, each key in order, and commits what it handled', async () => {
    const topic = uniqueTopic('worker-pool');
    const group = uniqueTopic('worker-pool-g');
    await createTopic(cluster, topic, 2);
    const total = 400;
    const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 5 });
    await producer.send(
      Array.from({ length: total }, (_, i) => ({
        topic,
        key: `k${i % 40}`,
        value: `v${i}`,
        partition: i % 2,
      })),
    );
    await producer.close();
    const file = join(dir, `${group}.handled`);
    // 400 records of 50 ms: 20 s one at a time, about 1 s with 40 keys side by side.
    const run = runWorker(['-g', group, '-t', topic, '--concurrency', '40', '--http-port', '0'], {
      HANDLED_FILE: file,
      DELAY_MS: '50',
    });
    const started = Date.now();
    await until(() => handled(file).length >= total, 30_000, 'every record handled');
    const tookMs = Date.now() - started;
    run.child.kill('SIGTERM');
    expect((await run.exit).code).toBe(0);
    const entries = handled(file);
    expect(new Set(entries).size).toBe(total); // none twice
    // Records of one key sit on one partition, offsets i, i + 80, ...: handled in that order.
    const byKey = new Map<string, bigint[]>();
    for (const e of entries) {
      const [, p, o] = e.split(' ');
      const k = `${p}/${(Number(o) * 2 + Number(p)) % 40}`;
      byKey.set(k, [...(byKey.get(k) ?? []), BigInt(o)]);
    }
    for (const offsets of byKey.values())
      expect(offsets).toEqual([...offsets].sort((a, b) => (a < b ? -1 : 1)));
    expect(tookMs).toBeLessThan(15_000); // well under the 20 s of one at a time
    const offsets = await committed(brokers(), group);
    expect([...offsets.values()].reduce((n, o) => n + Number(o), 0)).toBe(total);
  }, 90_000);

  it('takes the brokers from -b after the command, as every command does', async () => {
    // Regression: the worker read only $KAFKA_BROKERS and the global --brokers, so the -b its
    // help shows failed with "no brokers given". Reaching the module check proves -b was taken.
    const empty = join(dir, 'empty-b.mjs');
    writeFileSync(empty, 'export const nothing = 1;\n');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.KAFKA_BROKERS;
    const child = spawn(
      process.execPath,
      [CLI_ENTRY, 'worker', empty, '-g', 'g', '-t', 't', '-b', brokers()],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(2);
    expect(err).toMatch(/exports no handle function/);
  }, 30_000);

  it('refuses a module without a handler as a usage error', async () => {
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, 'export const nothing = 1;\n');
    const child = spawn(process.execPath, [CLI_ENTRY, 'worker', empty, '-g', 'g', '-t', 't'], {
      env: { ...process.env, KAFKA_BROKERS: brokers() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/exports no handle function/);
  }, 30_000);
});

describe('kafkawire worker health and metrics through a broker outage', () => {
  const broker = ownBroker();

  it('turns /healthz unhealthy while the broker is down and healthy after it restarts; /metrics agrees', async () => {
    const kafka = broker();
    const topic = await ownTopic(kafka.bootstrap, 'worker-health', 2);
    const group = uniqueTopic('worker-health-g');
    await produce(
      kafka.bootstrap,
      topic,
      Array.from({ length: 200 }, (_, i) => `v${i}`),
      2,
    );
    const file = join(dir, `${group}.handled`);
    const w = runWorker(
      [
        '-g',
        group,
        '-t',
        topic,
        '--http-port',
        '0',
        '--http-host',
        '127.0.0.1',
        '-X',
        'reconnect.backoff.max.ms=500',
      ],
      { HANDLED_FILE: file },
      kafka.bootstrap,
    );
    try {
      const listening = await until(
        () => lines(w.stdout()).find((l) => l.message === 'HTTP server listening'),
        30_000,
        'the HTTP server',
      );
      const port = (listening.kafkawire as { port: number }).port;
      const get = async (path: string) => {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        return { status: res.status, body: await res.text() };
      };
      await until(async () => (await get('/healthz')).status === 200, 30_000, '/healthz 200');
      expect((await get('/readyz')).status).toBe(200);
      await until(() => handled(file).length >= 200, 30_000, 'every record handled');

      const metrics = parsePrometheus((await get('/metrics')).body);
      expect(metrics.get(`kafkawire_worker_records_handled_total{topic="${topic}"}`)).toBe(200);
      expect(metrics.get(`kafkawire_consumer_records_lag{topic="${topic}",partition="0"}`)).toBe(0);
      expect(metrics.get(`kafkawire_consumer_records_lag{topic="${topic}",partition="1"}`)).toBe(0);
      expect(metrics.get('kafkawire_worker_assigned_partitions')).toBe(2);
      expect(metrics.get('kafkawire_worker_group_member')).toBe(1);
      expect(metrics.get('kafkawire_requests_total{api="Fetch"}')).toBeGreaterThan(0);
      expect(metrics.get('kafkawire_connection_count')).toBeGreaterThan(0);
      // The consumer's own Java-named metrics come along.
      expect(
        metrics.get(
          'kafka_consumer_fetch_manager_metrics_records_consumed_total{client_id="kafkawire-worker"}',
        ),
      ).toBe(200);

      await kafka.stopNode(1);
      const down = await until(
        async () => {
          const h = await get('/healthz');
          return h.status === 503 ? h : null;
        },
        60_000,
        '/healthz 503',
      );
      expect(JSON.parse(down.body)).toMatchObject({ status: 'unhealthy', brokersReachable: false });
      expect(parsePrometheus((await get('/metrics')).body).get('kafkawire_worker_brokers_reachable')).toBe(0);

      await kafka.startNode(1);
      await until(async () => (await get('/healthz')).status === 200, 90_000, '/healthz 200 again');
      await produce(kafka.bootstrap, topic, ['after'], 2);
      await until(() => handled(file).length >= 201, 60_000, 'the record produced after the restart');
    } catch (err) {
      // What the worker saw, for the report.
      throw new Error(
        `${(err as Error).message}\nworker log:\n${w.stdout().split('\n').slice(-40).join('\n')}`,
      );
    } finally {
      w.child.kill('SIGTERM');
      expect((await w.exit).code).toBe(0);
    }
  }, 300_000);
});
