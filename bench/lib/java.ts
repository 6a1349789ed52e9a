/**
 * The Java ceiling: Apache Kafka's own perf tools from the broker's jars (kafka-tools), run as
 * `java -cp "<libs>/*" org.apache.kafka.tools.ProducerPerformance | ConsumerPerformance` under
 * /usr/bin/time for their CPU seconds and peak RSS, with their summary lines parsed.
 *
 * Their CPU seconds cover the whole JVM (start-up, JIT, shutdown: a second or two), while the
 * Node clients' cover the measured section only; the table says so.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { REAL_JAVA } from './broker.js';
import { makeValues } from './child.js';
import type { ConsumeCase, LatencyCase, ProduceCase, RunResult } from './types.js';

const TIME = '/usr/bin/time';
const CACHE = fileURLToPath(new URL('../.cache/', import.meta.url));
const HEAP = '-Xmx512m';
/** The transactional case's Java peer, run as a single-file source program (no build step). */
const TRANSACTIONAL_PRODUCER = fileURLToPath(new URL('../java/TransactionalProducer.java', import.meta.url));

interface Output {
  code: number | null;
  stdout: string;
  stderr: string;
  cpuMs?: { user: number; system: number };
  maxRssKb?: number;
}

function run(args: string[], timeoutMs: number): Promise<Output> {
  const timed = existsSync(TIME);
  const [cmd, argv] = timed ? [TIME, ['-f', '@@time %U %S %M', REAL_JAVA, ...args]] : [REAL_JAVA, args];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      const t = /@@time ([\d.]+) ([\d.]+) (\d+)/.exec(stderr);
      resolve({
        code,
        stdout,
        stderr,
        cpuMs: t ? { user: Number(t[1]) * 1000, system: Number(t[2]) * 1000 } : undefined,
        maxRssKb: t ? Number(t[3]) : undefined,
      });
    });
  });
}

function tail(s: string, lines = 8): string {
  return s.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * The values the Node clients send, one per line, for `--payload-file`. With `--record-size`
 * ProducerPerformance draws every byte of every record from a random generator in its send
 * loop: measured at 1 KiB, that alone cost it 100 s of CPU per million records and capped it
 * below the Node clients. From a file it picks one of these per record, as they do.
 */
function payloadFile(size: number): string {
  const file = join(CACHE, `payload-${size}.txt`);
  if (!existsSync(file)) {
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(
      file,
      makeValues(size, Math.min(1024, Math.ceil((16 * 1024 * 1024) / size)))
        .map((v) => v.toString('latin1'))
        .join('\n'),
    );
  }
  return file;
}

function cp(libs: string): string[] {
  return [HEAP, '-cp', join(libs, '*')];
}

/**
 * `N records sent, X records/sec (Y MB/sec), A ms avg latency, M ms max latency, P ms 50th, …
 * P99 ms 99th, P999 ms 99.9th.` With --warmup-records a second line follows, `N steady state
 * records sent, …`, without the warm-up: the last line is the one to read.
 */
const PRODUCER_SUMMARY =
  /(\d+) (?:steady state )?records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99.9th/g;

function producerProps(c: {
  acks: 1 | 'all';
  lingerMs: number;
  idempotence: boolean;
  batchSize?: number;
  compression?: string;
}): string[] {
  const props = [
    `acks=${c.acks}`,
    `linger.ms=${c.lingerMs}`,
    `enable.idempotence=${c.idempotence}`,
    'client.id=bench-java',
  ];
  if (c.batchSize !== undefined) props.push(`batch.size=${c.batchSize}`);
  if (c.compression !== undefined) props.push(`compression.type=${c.compression}`);
  return props;
}

/** The client properties of a TLS case: SSL, trusting the bench CA (a PEM truststore). */
function tlsProps(tls: { caPath: string } | undefined): string[] {
  return tls
    ? ['security.protocol=SSL', 'ssl.truststore.type=PEM', `ssl.truststore.location=${tls.caPath}`]
    : [];
}

/**
 * Sets (or, with null, removes) the broker's default client quota `producer_byte_rate` with
 * Kafka's own ConfigCommand: the throttled cases' broker, slower than any producer.
 */
export async function setDefaultProduceQuota(
  libs: string,
  bootstrap: string,
  bytesPerSec: number | null,
): Promise<void> {
  const change =
    bytesPerSec === null
      ? ['--delete-config', 'producer_byte_rate']
      : ['--add-config', `producer_byte_rate=${bytesPerSec}`];
  const out = await run(
    [
      ...cp(libs),
      'kafka.admin.ConfigCommand',
      '--bootstrap-server',
      bootstrap,
      '--alter',
      '--entity-type',
      'clients',
      '--entity-default',
      ...change,
    ],
    60_000,
  );
  if (out.code !== 0) throw new Error(`ConfigCommand exited ${out.code}: ${tail(out.stderr || out.stdout)}`);
}

/** ProducerPerformance: `records` of `valueSize` bytes, unthrottled or at `throughput` records/s. */
export async function javaProduce(
  libs: string,
  bootstrap: string,
  topic: string,
  c: ProduceCase | LatencyCase,
  timeoutMs: number,
  tls?: { caPath: string },
): Promise<RunResult> {
  const throughput = c.kind === 'latency' ? c.rate : -1;
  const props = [
    ...(c.kind === 'produce'
      ? producerProps({ ...c })
      : producerProps({ acks: c.acks, lingerMs: c.lingerMs, idempotence: c.idempotence })),
    ...tlsProps(tls),
  ];
  // Transactions: ProducerPerformance commits by time only (--transaction-duration-ms), which at
  // 5 ms made transactions of about 3,300 records here (counted from the markers in the log), a
  // third of the commits the Node clients make for the same records. TransactionalProducer.java
  // commits every c.transactionRecords records, as they do.
  const transactional = c.kind === 'produce' && c.transactionRecords !== undefined;
  const out = await run(
    transactional
      ? [
          ...cp(libs),
          TRANSACTIONAL_PRODUCER,
          bootstrap,
          topic,
          String(c.records),
          String(c.transactionRecords),
          payloadFile(c.valueSize),
          `bench-java-${topic}`,
          ...props,
        ]
      : [
          ...cp(libs),
          'org.apache.kafka.tools.ProducerPerformance',
          '--bootstrap-server',
          bootstrap,
          '--topic',
          topic,
          '--num-records',
          // Latency: one record first, outside the percentiles, as the Node clients do. Throughput
          // reads the total line: the one metadata round trip in it is noise next to seconds of sends.
          String(c.kind === 'latency' ? c.records + 1 : c.records),
          ...(c.kind === 'latency' ? ['--warmup-records', '1'] : []),
          '--payload-file',
          payloadFile(c.valueSize),
          '--throughput',
          String(throughput),
          '--command-property',
          ...props,
        ],
    timeoutMs,
  );
  const lines = [...out.stdout.matchAll(PRODUCER_SUMMARY)];
  const m = lines[lines.length - 1];
  if (out.code !== 0 || !m) {
    return {
      status: 'failed',
      reason: `ProducerPerformance exited ${out.code}: ${tail(out.stderr || out.stdout)}`,
    };
  }
  const sent = Number(m[1]);
  const perSec = Number(m[2]);
  const elapsedMs = (sent / perSec) * 1000;
  const latency =
    c.kind === 'latency'
      ? { count: sent, p50: Number(m[6]), p99: Number(m[8]), p999: Number(m[9]), max: Number(m[5]) }
      : undefined;
  return {
    status: sent === c.records ? 'ok' : 'invalid',
    reason: sent === c.records ? undefined : `${sent} of ${c.records} records acknowledged`,
    maxRssKb: out.maxRssKb,
    measured: {
      count: sent,
      elapsedMs,
      cpuUserMs: out.cpuMs?.user ?? Number.NaN,
      cpuSystemMs: out.cpuMs?.system ?? Number.NaN,
      latency,
      notes: [
        'CPU is the whole JVM (start-up and JIT included)',
        ...(transactional
          ? [
              `transactions of ${c.transactionRecords} records: bench/java/TransactionalProducer.java (KafkaProducer, the javadoc's transactional loop)`,
            ]
          : []),
        ...(c.kind === 'latency'
          ? ['send-150: send() not awaited (callback time at 150/s), whole ms, JVM not warmed up']
          : []),
      ],
    },
  };
}

/**
 * ConsumerPerformance prints a CSV header and one line:
 * start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec,
 * rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
 */
export async function javaConsume(
  libs: string,
  bootstrap: string,
  topic: string,
  groupId: string,
  c: ConsumeCase,
  timeoutMs: number,
  tls?: { caPath: string },
): Promise<RunResult> {
  const out = await run(
    [
      ...cp(libs),
      'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server',
      bootstrap,
      '--topic',
      topic,
      '--group',
      groupId,
      '--num-records',
      String(c.records),
      '--timeout',
      '60000',
      // jopt-simple: one property per --command-property (values after the first would be ignored).
      ...['auto.offset.reset=earliest', 'client.id=bench-java', ...tlsProps(tls)].flatMap((p) => [
        '--command-property',
        p,
      ]),
    ],
    timeoutMs,
  );
  const line = out.stdout
    .split('\n')
    .map((l) => l.split(',').map((f) => f.trim()))
    .find((f) => f.length >= 10 && /^\d{4}-/.test(f[0]!));
  if (out.code !== 0 || !line) {
    return {
      status: 'failed',
      reason: `ConsumerPerformance exited ${out.code}: ${tail(out.stderr || out.stdout)}`,
    };
  }
  const received = Number(line[4]);
  const perSec = Number(line[5]);
  return {
    status: received === c.records ? 'ok' : 'invalid',
    reason: received === c.records ? undefined : `${received} of ${c.records} records received`,
    maxRssKb: out.maxRssKb,
    measured: {
      count: received,
      elapsedMs: (received / perSec) * 1000,
      cpuUserMs: out.cpuMs?.user ?? Number.NaN,
      cpuSystemMs: out.cpuMs?.system ?? Number.NaN,
      notes: [
        'CPU is the whole JVM (start-up and JIT included)',
        'group join inside the time, as for the Node clients',
      ],
    },
  };
}

/** The Java tools' version, from the kafka-tools jar's name; throws when the jars are not there. */
export function javaToolsVersion(libs: string | undefined): string {
  if (!libs) throw new Error('no Kafka jars (scripts/kafka.sh fetch needs Maven and Java 17+)');
  const jar = readdirSync(libs).find((f) => /^kafka-tools-[\d.]+\.jar$/.test(f));
  if (!jar) throw new Error(`no kafka-tools jar in ${libs}`);
  return jar.slice('kafka-tools-'.length, -'.jar'.length);
}
