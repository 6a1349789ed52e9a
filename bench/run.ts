/**
 * kafkawire and its peers on the same broker in one run: `npm run bench` (or `bench:quick`).
 *
 *   tsx bench/run.ts [--quick] [--rounds N] [--records N] [--clients a,b] [--only id,id] [--out DIR]
 *
 * Owns: the broker (KAFKA_BROKERS, or one started with the tests' launcher), a fresh topic per
 * run, one child process per run (bench/clients/<name>.ts, or the Java perf tools), clients
 * alternating run by run within each round, and bench/results/latest.{json,md,svg}.
 *
 * Invariants: only runs in which every record was acknowledged / received count; a client that
 * is not installed, or has no runner for a case, is reported as such and never stops the others;
 * every child process is killed when it outlives its timeout or this process.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Broker, cpuSecondsOf, startBroker, startReplicated } from './lib/broker.js';
import { allCases, DEFAULT_PROFILE, PARTITIONS, type Profile, QUICK_PROFILE } from './lib/cases.js';
import { caseTopics } from './lib/child.js';
import { javaConsume, javaProduce, javaToolsVersion, setDefaultProduceQuota } from './lib/java.js';
import { type ClientInfo, type Meta, type Run, writeReport } from './lib/report.js';
import { Topics } from './lib/topics.js';
import type { BenchCase, ConsumeCase, ProduceCase, RunArgs, RunResult } from './lib/types.js';
import { RESULT_PREFIX } from './lib/types.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCH = fileURLToPath(new URL('.', import.meta.url));

/** The commit of the checkout KAFKAWIRE_BASELINE names (clients/kafkawire-baseline.ts). */
function baselineCommit(): string {
  const dir = process.env.KAFKAWIRE_BASELINE;
  if (!dir) return 'baseline (KAFKAWIRE_BASELINE unset)';
  try {
    return `at ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim()}`;
  } catch {
    return `at ${dir}`;
  }
}

interface ClientDef {
  name: string;
  label: string;
  short: string;
  /** A Node client's file under bench/clients/; none for Java. */
  file?: string;
  /** Only when named in --clients (not part of a default run). */
  optIn?: boolean;
}

const CLIENTS: ClientDef[] = [
  { name: 'kafkawire', label: 'kafkawire', short: 'kafkawire', file: 'clients/kafkawire.ts' },
  {
    name: 'kafkawire-baseline',
    label: `kafkawire ${baselineCommit()}`,
    short: 'kw baseline',
    file: 'clients/kafkawire-baseline.ts',
    optIn: true,
  },
  {
    name: 'kafkawire-observed',
    label: 'kafkawire (every diagnostics channel subscribed)',
    short: 'kw observed',
    file: 'clients/kafkawire-observed.ts',
  },
  { name: 'kafkajs', label: 'KafkaJS', short: 'KafkaJS', file: 'clients/kafkajs.ts' },
  {
    name: 'kafkawire-kafkajs',
    label: 'kafkawire/kafkajs',
    short: 'kw/kafkajs',
    file: 'clients/kafkawire-kafkajs.ts',
  },
  {
    name: 'platformatic',
    label: '@platformatic/kafka',
    short: 'platformatic',
    file: 'clients/platformatic.ts',
  },
  {
    name: 'confluent',
    label: '@confluentinc/kafka-javascript',
    short: 'confluent',
    file: 'clients/confluent.ts',
  },
  { name: 'java', label: 'Java (kafka-tools)', short: 'Java' },
];

interface Options {
  profile: Profile;
  clients: string[];
  only: string[];
  out: string;
  /** Exit 1 unless every kafkawire run counted every record (peers' failures are warnings). */
  strict: boolean;
}

const USAGE = `usage: tsx bench/run.ts [--quick] [--rounds N] [--records N] [--clients ${CLIENTS.map((c) => c.name).join(',')}]
                        [--only CASE-ID-PART,...] [--out DIR] [--strict]
  --quick     ${QUICK_PROFILE.produceSmall} records per case, 1 round (default: ${DEFAULT_PROFILE.produceSmall} records, ${DEFAULT_PROFILE.rounds} rounds)
  --records   records per produce/consume run (both value sizes), overriding the profile
  --only      run the cases whose id contains one of these (e.g. produce-100B,consume)
  --strict    exit 1 unless every kafkawire run counted every record (a peer's invalid or
              failed run is a warning): for CI
  KAFKA_BROKERS=host:port,...  use that cluster instead of starting a broker`;

function parseArgs(argv: string[]): Options {
  let profile = { ...DEFAULT_PROFILE };
  let rounds: number | undefined;
  let records: number | undefined;
  let clients = CLIENTS.filter((c) => !c.optIn).map((c) => c.name);
  let only: string[] = [];
  let out = fileURLToPath(new URL('results', import.meta.url));
  let strict = false;
  const value = (i: number) => {
    const v = argv[i + 1];
    if (v === undefined) throw new Error(`${argv[i]} needs a value\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') profile = { ...QUICK_PROFILE };
    else if (a === '--rounds') rounds = Number(value(i++));
    else if (a === '--records') records = Number(value(i++));
    else if (a === '--clients') clients = value(i++).split(',');
    else if (a === '--only') only = value(i++).split(',');
    else if (a === '--out') out = value(i++);
    else if (a === '--strict') strict = true;
    else if (a === '--help' || a === '-h') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}\n${USAGE}`);
  }
  if (rounds !== undefined) profile.rounds = rounds;
  if (records !== undefined) {
    profile.produceSmall = records;
    profile.produceLarge = records;
    profile.consume = records;
  }
  for (const c of clients)
    if (!CLIENTS.some((d) => d.name === c)) throw new Error(`unknown client ${c}\n${USAGE}`);
  if (!Number.isInteger(profile.rounds) || profile.rounds < 1) throw new Error('--rounds must be ≥ 1');
  if (records !== undefined && (!Number.isInteger(records) || records < 1))
    throw new Error('--records must be a positive integer');
  return { profile, clients, only, out, strict };
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
}

const children = new Set<ChildProcess>();
/** Stops the broker we started; set once it runs. */
let stopBroker: (() => Promise<void>) | undefined;
/** Stops the replicated cases' cluster while it runs. */
let stopReplicated: (() => Promise<void>) | undefined;
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});
// Ctrl-C: kill the client process, stop the broker (the launcher removes its data), then exit.
// Registered before the launcher's own handlers, which then leave the exit to this one.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const c of children) c.kill('SIGKILL');
    log(`${signal}: stopping`);
    void Promise.allSettled([stopBroker?.(), stopReplicated?.()]).finally(() => process.exit(130));
  });
}

/** Runs one client process and reads its result line. */
function spawnClient(def: ClientDef, args: RunArgs, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', `${BENCH}${def.file}`, JSON.stringify(args)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-8000);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (line) return resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as RunResult);
      const why = timedOut ? `no result within ${timeoutMs / 1000} s` : `exited with ${signal ?? code}`;
      const tail = stderr.trim().split('\n').slice(-6).join('\n');
      // A client whose package is missing fails to load before it can answer: that is "unavailable".
      const missing = /ERR_MODULE_NOT_FOUND|Cannot find (module|package)/.test(stderr);
      resolve({ status: missing ? 'unavailable' : 'failed', reason: `${why}: ${tail}` });
    });
  });
}

/** A generous limit for one run: a minute plus the data at 1 MB/s, the slowest a client here goes. */
function timeoutFor(c: BenchCase): number {
  if (c.kind === 'latency') return 60_000 + (c.records / c.rate) * 2_000;
  if (c.kind === 'e2e') return 120_000 + (c.records / c.rate) * 2_000;
  // Transactions: a commit per 1,000 records; the slowest client here commits about 3 per second.
  if (c.kind === 'produce' && c.transactionRecords) return 60_000 + c.records;
  return 60_000 + (c.records * c.valueSize) / 1_000;
}

/** Partitions a case's topics have in all. */
function partitionsOf(c: BenchCase): number {
  return c.partitions * (c.topics ?? 1);
}

function topicName(c: BenchCase, client: string, round: number): string {
  return `bench-${c.id}-${client}-r${round}-${randomBytes(3).toString('hex')}`;
}

function toRun(
  c: BenchCase,
  client: string,
  round: number,
  r: RunResult,
  wallMs: number,
  brokerCpu?: number,
): Run {
  const run: Run = { case: c.id, client, round, status: r.status, reason: r.reason, wallMs };
  const m = r.measured;
  if (m) {
    run.records = m.count;
    run.elapsedMs = m.elapsedMs;
    run.recordsPerSec = m.count / (m.elapsedMs / 1000);
    run.mbPerSec = (run.recordsPerSec * c.valueSize) / 1e6;
    run.cpuSecPerMillion = ((m.cpuUserMs + m.cpuSystemMs) / 1000 / m.count) * 1e6;
    if (brokerCpu !== undefined) run.brokerCpuSecPerMillion = (brokerCpu / m.count) * 1e6;
    run.latency = m.latency;
    if (m.firstRecordMs !== undefined) run.firstRecordMs = m.firstRecordMs;
    if (m.cpuToFirstMs !== undefined) {
      run.cpuToFirstMs = m.cpuToFirstMs;
      run.steadyCpuSecPerMillion = ((m.cpuUserMs + m.cpuSystemMs - m.cpuToFirstMs) / 1000 / m.count) * 1e6;
    }
    if (m.rssAtStartKb !== undefined) run.rssAtStartMiB = m.rssAtStartKb / 1024;
    if (m.notes && m.notes.length > 0) run.notes = m.notes;
  }
  if (r.maxRssKb !== undefined) run.maxRssMiB = r.maxRssKb / 1024;
  return run;
}

function describe(run: Run): string {
  if (run.status !== 'ok' && run.status !== 'invalid')
    return `${run.status}: ${(run.reason ?? '').split('\n')[0]}`;
  const parts = [`${Math.round(run.recordsPerSec ?? 0).toLocaleString('en-US')} rec/s`];
  if (run.latency)
    parts.push(
      `p50 ${run.latency.p50.toFixed(2)} p99 ${run.latency.p99.toFixed(2)} p99.9 ${run.latency.p999.toFixed(2)} ms`,
    );
  else parts.push(`${(run.mbPerSec ?? 0).toFixed(1)} MB/s`);
  parts.push(`cpu ${(run.cpuSecPerMillion ?? 0).toFixed(2)} s/M`);
  if (run.brokerCpuSecPerMillion !== undefined)
    parts.push(`broker ${run.brokerCpuSecPerMillion.toFixed(2)} s/M`);
  if (run.maxRssMiB !== undefined) parts.push(`rss ${run.maxRssMiB.toFixed(0)} MiB`);
  if (run.status === 'invalid') parts.push(`INVALID: ${run.reason}`);
  return parts.join(', ');
}

/** How this run was started, for the report: `npm run bench -- …` or `tsx bench/run.ts …`. */
function commandLine(argv: string[]): string {
  const env = process.env.KAFKA_BROKERS ? 'KAFKA_BROKERS=… ' : '';
  const event = process.env.npm_lifecycle_event;
  if (event !== 'bench' && event !== 'bench:quick') return `${env}tsx bench/run.ts ${argv.join(' ')}`.trim();
  const rest =
    event === 'bench:quick' ? argv.filter((a, i) => !(a === '--quick' && i === argv.indexOf(a))) : argv;
  return `${env}npm run ${event}${rest.length > 0 ? ` -- ${rest.join(' ')}` : ''}`;
}

function gitDescription(): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    return `${sha}${dirty ? ' + uncommitted changes in src/' : ''}`;
  } catch {
    return 'unknown commit';
  }
}

function names(def: ClientDef): Pick<ClientInfo, 'name' | 'label' | 'short'> {
  return { name: def.name, label: def.label, short: def.short };
}

async function probe(defs: ClientDef[], broker: Broker): Promise<ClientInfo[]> {
  return Promise.all(
    defs.map(async (def): Promise<ClientInfo> => {
      if (!def.file) {
        try {
          return { ...names(def), version: javaToolsVersion(broker.libs), available: true };
        } catch (err) {
          return { ...names(def), available: false, reason: (err as Error).message };
        }
      }
      const r = await spawnClient(def, { mode: 'probe', bootstrap: broker.bootstrap }, 60_000);
      return r.status === 'ok'
        ? { ...names(def), version: r.version, available: true }
        : { ...names(def), available: false, reason: r.reason?.split('\n')[0] };
    }),
  );
}

/**
 * Writes `records` records of 100 bytes into `topic` (acks=1, linger 5 ms, 16 KiB batches):
 * with Java's ProducerPerformance, or the fastest Node client there is without Java.
 */
async function fill(
  topic: string,
  records: number,
  compression: ProduceCase['compression'],
  broker: Broker,
  infos: ClientInfo[],
  extra: Partial<ProduceCase> = {},
): Promise<string> {
  const c: ProduceCase = {
    kind: 'produce',
    id: 'fill',
    title: 'fill',
    records,
    valueSize: 100,
    partitions: PARTITIONS,
    acks: 1,
    compression,
    lingerMs: 5,
    batchSize: 16 * 1024,
    idempotence: false,
    ...extra,
  };
  // The Java tool writes one topic: a many-topics case's topics are written by a Node client.
  const order = (c.topics ? [] : ['java']).concat(['confluent', 'kafkawire', 'platformatic', 'kafkajs']);
  for (const name of order) {
    if (!infos.find((i) => i.name === name)?.available) continue;
    const def = CLIENTS.find((d) => d.name === name)!;
    // A Node client sends one record before the measured ones (metadata, connections).
    const r = def.file
      ? await spawnClient(
          def,
          { mode: 'run', bootstrap: broker.bootstrap, case: { ...c, records: records - 1 }, topic },
          timeoutFor(c),
        )
      : await javaProduce(broker.libs!, broker.bootstrap, topic, c, timeoutFor(c));
    if (r.status === 'ok') return def.label;
    log(`  writing with ${def.label} failed (${r.reason?.split('\n')[0]}); trying the next client`);
  }
  throw new Error(`could not write ${records} records to ${topic}`);
}

/**
 * A freshly started broker runs its first minute interpreted and C1-compiled: measured cold, the
 * first round ran at a third of the third's speed. So before the cases, load it the way they
 * will: produce with each codec and read it all back (Java tools, or a Node client without Java),
 * and run transactions when a case does.
 */
async function warmBroker(
  profile: Profile,
  broker: Broker,
  topics: Topics,
  infos: ClientInfo[],
  transactional: boolean,
): Promise<void> {
  const records = profile.name === 'quick' ? 50_000 : 400_000;
  const topic = `bench-warmup-${randomBytes(3).toString('hex')}`;
  const t0 = Date.now();
  await topics.create(topic, PARTITIONS);
  try {
    for (const codec of ['none', 'lz4', 'zstd'] as const) await fill(topic, records, codec, broker, infos);
    // The first transactional producer makes the broker create __transaction_state (50
    // partitions) and compile its transaction path: the first measured run paid for both (its
    // broker CPU was 5-7× the later rounds'), and it was always kafkawire's.
    if (transactional)
      await fill(topic, records / 2, 'none', broker, infos, {
        acks: 'all',
        idempotence: true,
        transactionRecords: 1000,
      });
    if (infos.find((i) => i.name === 'java')?.available) {
      const consume: ConsumeCase = {
        kind: 'consume',
        id: 'warmup',
        title: 'warm-up',
        records: 3 * records,
        valueSize: 100,
        partitions: PARTITIONS,
        compression: 'none', // a mix, in fact: the three fills above
      };
      await javaConsume(
        broker.libs!,
        broker.bootstrap,
        topic,
        `bench-warmup-${Date.now()}`,
        consume,
        300_000,
      );
    }
  } finally {
    await topics.delete([topic]).catch(() => {});
  }
  log(
    `broker warmed up with ${(3 * records).toLocaleString('en-US')} records in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
  );
}

/** Files the local broker's JVMs hold open (0 for a remote cluster). */
function openFiles(b: Broker): number {
  let n = 0;
  for (const pid of b.pids) {
    try {
      n += readdirSync(`/proc/${pid}/fd`).length;
    } catch {
      // gone, or not ours to read
    }
  }
  return n;
}

/**
 * After deleting a topic of thousands of partitions, waits (at most 120 s) until the broker has
 * closed its files: it deletes them asynchronously, and a 10,000-partition topic created before
 * that found the broker out of file handles (this machine allows 20,000 per process; the broker
 * holds about two per partition).
 */
async function filesClosed(b: Broker, before: number): Promise<void> {
  const until = Date.now() + 120_000;
  while (b.pids.length > 0 && openFiles(b) > before + 1000 && Date.now() < until)
    await new Promise((r) => setTimeout(r, 1000));
}

async function runOne(
  c: BenchCase,
  def: ClientDef,
  round: number,
  broker: Broker,
  topics: Topics,
  sharedTopic: string | undefined,
): Promise<RunResult> {
  if (c.tls && !broker.tls) {
    return {
      status: 'unavailable',
      reason: 'TLS cases need the SSL listener of the broker the runner starts (not KAFKA_BROKERS)',
    };
  }
  const topic = sharedTopic ?? topicName(c, def.name, round);
  const groupId = `bench-${c.id}-${def.name}-r${round}-${randomBytes(3).toString('hex')}`;
  // TLS cases go to the SSL listener; topics are made and prefilled over the plaintext one.
  const bootstrap = c.tls ? broker.tls!.bootstrap : broker.bootstrap;
  const tls = c.tls ? { caPath: broker.tls!.caPath } : undefined;
  if (!sharedTopic) await topics.create(topic, c.partitions);
  try {
    const timeout = timeoutFor(c);
    if (def.file)
      return await spawnClient(def, { mode: 'run', bootstrap, tls, case: c, topic, groupId }, timeout);
    if (c.topics)
      return { status: 'not-implemented', reason: 'the Java perf tools write and read one topic' };
    if (c.kind === 'consume' && c.strings)
      return { status: 'not-implemented', reason: 'ConsumerPerformance reads values as bytes only' };
    if (c.kind === 'consume')
      return await javaConsume(broker.libs!, bootstrap, topic, groupId, c, timeout, tls);
    if (c.kind === 'produce' || c.kind === 'latency')
      return await javaProduce(broker.libs!, bootstrap, topic, c, timeout, tls);
    if (c.kind === 'many')
      return { status: 'not-implemented', reason: 'the Java perf tools run one client per JVM' };
    return { status: 'not-implemented', reason: "Java's EndToEndLatency tool is ping-pong, not fixed-rate" };
  } finally {
    if (!sharedTopic)
      await topics.delete([topic]).catch((err: unknown) => log(`  delete ${topic}: ${String(err)}`));
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const opts = parseArgs(argv);
  const started = Date.now();
  const defs = CLIENTS.filter((c) => opts.clients.includes(c.name));
  const cases = allCases(opts.profile).filter(
    (c) => opts.only.length === 0 || opts.only.some((o) => c.id.includes(o)),
  );
  if (cases.length === 0) throw new Error(`no case id contains ${opts.only.join(' or ')}`);

  const broker = await startBroker(log);
  stopBroker = () => broker.stop();
  // A local broker has one node; a remote cluster gets its default replication factor.
  const topics = new Topics(broker.bootstrap, process.env.KAFKA_BROKERS ? -1 : 1);
  const runs: Run[] = [];
  const meta: Meta = {
    date: new Date().toISOString(),
    command: commandLine(argv),
    profile: opts.profile.name,
    rounds: opts.profile.rounds,
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model.trim() ?? 'unknown',
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${platform()} ${release()}`,
      node: process.version,
    },
    broker: broker.description,
    kafkawire: `${gitDescription()}`,
    clients: [],
  };
  try {
    const brokers = await topics.connect();
    log(`broker ${broker.bootstrap} (${brokers} node${brokers > 1 ? 's' : ''}); probing clients`);
    meta.clients = await probe(defs, broker);
    for (const c of meta.clients)
      log(`  ${c.label}: ${c.available ? c.version : `unavailable (${c.reason})`}`);
    if (!process.env.KAFKA_BROKERS)
      await warmBroker(
        opts.profile,
        broker,
        topics,
        meta.clients,
        cases.some((c) => c.kind === 'produce' && c.transactionRecords !== undefined),
      );
    const available = defs.filter((d) => meta.clients.find((c) => c.name === d.name)!.available);
    for (const c of meta.clients.filter((i) => !i.available))
      for (const bc of cases)
        runs.push({
          case: bc.id,
          client: c.name,
          round: 1,
          status: 'unavailable',
          reason: c.reason,
          wallMs: 0,
        });

    // The replicated cases' cluster, started before the first of them and stopped after the last.
    let replicated: { broker: Broker; topics: Topics } | undefined;
    const lastReplicated = cases.findLastIndex((c) => c.replicated);
    for (const [index, c] of cases.entries()) {
      if (c.replicated && !replicated && !process.env.KAFKA_BROKERS) {
        const rb = await startReplicated(log);
        stopReplicated = () => rb.stop();
        const rt = new Topics(rb.bootstrap, 3);
        await rt.connect();
        await warmBroker(opts.profile, rb, rt, meta.clients, false);
        replicated = { broker: rb, topics: rt };
        meta.replicatedBroker = rb.description;
      }
      const on = c.replicated && replicated ? replicated : { broker, topics };
      log(
        `[${index + 1}/${cases.length}] ${c.id}: ${c.records.toLocaleString('en-US')} records × ${opts.profile.rounds} round(s)`,
      );
      // One topic for all runs of a consume case (prefilled once) or of a scaling case.
      let sharedTopic: string | undefined;
      let throttled: Broker | undefined;
      const unthrottle = async (): Promise<void> => {
        if (!throttled?.libs) return;
        await setDefaultProduceQuota(throttled.libs, throttled.bootstrap, null);
        throttled = undefined;
      };
      const fdsBefore = openFiles(on.broker);
      try {
        if (c.kind === 'consume' || c.scaling) {
          sharedTopic = topicName(c, 'shared', 0);
          const t0 = Date.now();
          if (c.topics) await on.topics.createMany(caseTopics(sharedTopic, c), c.partitions);
          else await on.topics.create(sharedTopic, c.partitions);
          if (c.kind === 'produce')
            await on.topics.touch(caseTopics(sharedTopic, c), c.partitions, on.broker.bootstrap);
          if (partitionsOf(c) >= 1000)
            log(
              `  created ${sharedTopic}${c.topics ? ` (${c.topics} topics)` : ''} (${partitionsOf(c)} partitions) in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
            );
        }
        if (c.kind === 'produce' && c.throttleBytesPerSec !== undefined) {
          if (!on.broker.libs) throw new Error('the throttled cases set a quota with the broker jars');
          await setDefaultProduceQuota(on.broker.libs, on.broker.bootstrap, c.throttleBytesPerSec);
          throttled = on.broker;
          log(`  broker throttled to ${c.throttleBytesPerSec} bytes/s (default producer quota)`);
        }
        if (c.kind === 'consume') {
          const by = await fill(sharedTopic as string, c.records, c.compression, on.broker, meta.clients, {
            partitions: c.partitions,
            ...(c.topics ? { topics: c.topics } : {}),
          });
          log(`  prefilled ${c.records.toLocaleString('en-US')} records (${c.compression}) with ${by}`);
          // So that the first client to read it does not pay the broker's first reads.
          if (partitionsOf(c) >= 1000)
            await on.topics.warmRead(
              caseTopics(sharedTopic as string, c),
              c.partitions,
              c.records,
              on.broker.bootstrap,
            );
        }
      } catch (err) {
        // The case's topic could not be set up: every client's run of it failed, the others go on.
        // (A 10,000-partition topic once found the broker out of file handles.)
        const reason = `setting up the case's topic failed: ${err instanceof Error ? err.message : String(err)}`;
        log(`  ${reason}`);
        for (const def of available)
          runs.push({ case: c.id, client: def.name, round: 1, status: 'failed', reason, wallMs: 0 });
        if (sharedTopic) await on.topics.delete(caseTopics(sharedTopic, c)).catch(() => {});
        await unthrottle();
        continue;
      }
      const skip = new Set<string>();
      for (let round = 1; round <= opts.profile.rounds; round++) {
        for (const def of available) {
          if (skip.has(def.name)) continue;
          if (def.name === 'java' && c.kind === 'e2e') {
            skip.add(def.name);
            continue;
          }
          // The quota's windows (2 × 1 s, see broker.ts) of the run before have passed.
          if (throttled) await new Promise((r) => setTimeout(r, 2500));
          const t0 = Date.now();
          const cpu0 = cpuSecondsOf(on.broker.pids);
          const result = await runOne(c, def, round, on.broker, on.topics, sharedTopic);
          const brokerCpu = on.broker.pids.length > 0 ? cpuSecondsOf(on.broker.pids) - cpu0 : undefined;
          const run = toRun(c, def.name, round, result, Date.now() - t0, brokerCpu);
          runs.push(run);
          log(`  r${round} ${def.label.padEnd(31)} ${describe(run)}`);
          if (result.status === 'not-implemented' || result.status === 'unavailable') skip.add(def.name);
        }
      }
      if (sharedTopic) await on.topics.delete(caseTopics(sharedTopic, c)).catch(() => {});
      await unthrottle();
      if (sharedTopic && partitionsOf(c) >= 1000) await filesClosed(on.broker, fdsBefore);
      if (replicated && index === lastReplicated) {
        await replicated.topics.close().catch(() => {});
        await replicated.broker.stop();
        stopReplicated = undefined;
        replicated = undefined;
      }
    }
  } finally {
    meta.totalSeconds = (Date.now() - started) / 1000;
    const files = writeReport(opts.out, { meta, cases, runs });
    log(`wrote ${files.join(', ')} after ${(meta.totalSeconds / 60).toFixed(1)} min`);
    await topics.close().catch(() => {});
    await stopReplicated?.().catch(() => {});
    await broker.stop();
  }
  if (opts.strict) {
    // Only kafkawire's runs decide: a peer that cannot run here is reported, not our failure.
    for (const r of runs) {
      if (r.client !== 'kafkawire' && (r.status === 'invalid' || r.status === 'failed'))
        log(`warning: ${r.case} ${r.client} r${r.round} ${r.status}${r.reason ? ` (${r.reason})` : ''}`);
    }
    const bad = runs.filter((r) => r.client === 'kafkawire' && r.status !== 'ok');
    if (bad.length > 0) {
      throw new Error(
        `--strict: ${bad.length} run(s) did not count: ${bad
          .map((r) => `${r.case} ${r.client} r${r.round} ${r.status}${r.reason ? ` (${r.reason})` : ''}`)
          .join('; ')}`,
      );
    }
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
