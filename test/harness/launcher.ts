/**
 * Launcher: real Apache Kafka clusters (4.x, and 3.x in KRaft mode) for the tests, run as local
 * JVMs — no Docker needed.
 *
 * Owns: the jars (through `scripts/kafka.sh fetch`, one cache per version), free ports, each node's
 * server.properties, the storage format, the JVM processes and their logs
 * (`<dir>/node-<id>/broker.log`). The version comes from `KAFKA_VERSION` (or the `version` option):
 * kafka.sh resolves it (`3.9` → the 3.9 pin; unset → the default pin, 4.3.1), and the version the
 * jars really are is read back from the kafka-clients jar, so configs follow what runs.
 * Every node is a combined KRaft broker+controller on 127.0.0.1; a 3-node cluster is a 3-voter
 * quorum with RF 3 / min ISR 2, so one node can be stopped or killed and the cluster stays writable.
 *
 * Invariants:
 * - `startKafka` resolves only when every node answers ApiVersions and lists every running node in
 *   its Metadata; on failure it kills what it started and rejects with the failing node's log tail.
 * - No JVM outlives this process: an exit hook and SIGINT/SIGTERM handlers SIGKILL them, and each JVM
 *   has a watchdog (`sh` reading a pipe from us) that kills it when we die by SIGKILL too.
 * - The ApiVersions/Metadata probes are written by hand, so the harness never depends on the
 *   client it tests.
 *
 * 3.x and 4.x differ only in what is written, not in how a node is run: both take static
 * `controller.quorum.voters` and `kafka.tools.StorageTool format -t ID -c FILE`; 4.x-only settings
 * (share and streams groups, KIP-932 / KIP-1071) are left out for 3.x, whose broker would log them as
 * unknown; 3.x logs through reload4j, so a log4j 1.x config is written beside the log4j2 one.
 *
 * Also a CLI for `scripts/kafka.sh start`:
 * `tsx test/harness/launcher.ts start --nodes 3 --port 9092 --dir DIR`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Options of {@link startKafka}. */
export interface StartKafkaOptions {
  /** Combined broker+controller nodes: 1, or 3 for failover tests. Default 1. */
  nodes?: 1 | 3;
  /** Where configs, data and logs go; default a fresh folder under os.tmpdir(). Node folders are recreated. */
  dir?: string;
  /** JVM max heap per node (-Xmx) in MiB; default 512 for one node, 384 for three. */
  heapMb?: number;
  /** How long nodes may take to become ready; default 90 s. */
  timeoutMs?: number;
  /**
   * Extra or overriding server.properties, for a test that needs a non-default broker; a function
   * gets each node's ports (with `extraPorts` of its own) to name more listeners.
   */
  properties?: Record<string, string> | ((node: NodePorts) => Record<string, string>);
  /** Free ports to reserve per node for such listeners (NodePorts.extra). Default 0. */
  extraPorts?: number;
  /** Extra arguments for `kafka-storage format`, e.g. `--add-scram ...`. */
  formatArgs?: string[];
  /**
   * The Apache Kafka version: exact (`3.9.2`, `4.3.1`) or a line with a pin in
   * scripts/kafka-jars/pom.xml (`3.9`). Default `KAFKA_VERSION`, else the default pin (4.3.1).
   */
  version?: string;
  /**
   * Client (PLAINTEXT) port of node 1; nodes 2 and 3 take port+1 and port+2. Default: free ports.
   * Fails before formatting anything when a port is taken. Controller ports are always free ones.
   */
  port?: number;
  /**
   * Feature levels to format the cluster with (`kafka-storage format --feature name=level`), e.g.
   * `{ 'transaction.version': 1 }` for a cluster without KIP-890's transaction version 2.
   */
  features?: Record<string, number>;
}

/** The ports of one node, for {@link StartKafkaOptions.properties} as a function. */
export interface NodePorts {
  id: number;
  host: string;
  port: number;
  controllerPort: number;
  extra: number[];
}

/** One node of a launched cluster. */
export interface KafkaNode {
  /** node.id (= broker id), 1-based. */
  readonly id: number;
  readonly host: string;
  /** The PLAINTEXT client listener. */
  readonly port: number;
  /** The KRaft CONTROLLER listener. */
  readonly controllerPort: number;
  /** The JVM's stdout+stderr. */
  readonly log: string;
  /** Whether its JVM is alive (false after stopNode/killNode/stop, or a crash). */
  readonly running: boolean;
}

/** A running cluster started by {@link startKafka}. */
export interface KafkaCluster extends AsyncDisposable {
  /** "127.0.0.1:port,..." — every node, for `bootstrap.servers`. */
  readonly bootstrap: string;
  readonly clusterId: string;
  /** The Apache Kafka version running, as its jars say (e.g. "3.9.2"). */
  readonly version: string;
  readonly dir: string;
  readonly nodes: readonly KafkaNode[];
  /** Controlled shutdown (SIGTERM), SIGKILL after 20 s; resolves when the JVM has exited. */
  stopNode(id: number): Promise<void>;
  /**
   * Restarts a stopped or killed node on its old ports and data; resolves when every running node
   * lists it. After killNode this takes at least broker.session.timeout.ms (6 s) from the kill: the
   * controller refuses the new incarnation (DUPLICATE_BROKER_REGISTRATION) until the old one's session expires.
   */
  startNode(id: number): Promise<void>;
  /** SIGKILL, for crash tests: no controlled shutdown, no flush. Resolves when the JVM is gone. */
  killNode(id: number): Promise<void>;
  /** Kills every node (the data is throwaway) and removes a generated dir. Idempotent. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const KAFKA_SH = fileURLToPath(new URL('../../scripts/kafka.sh', import.meta.url));
const JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
/**
 * Startup-friendly JVM flags for small test brokers: C1 only (TieredStopAtLevel=1) cut a broker's
 * start from ~4.5 s to ~3 s on a 2-core machine, and SerialGC has no GC threads to schedule.
 * Peak throughput does not matter here.
 */
const JVM_FLAGS = [
  '-XX:+UseSerialGC',
  '-XX:TieredStopAtLevel=1',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];
const STOP_GRACE_MS = 20_000;
/** For 3.x brokers, which log through reload4j (log4j 1.x); same pattern as LOG4J2. */
const LOG4J1 = `log4j.rootLogger=INFO, out
log4j.appender.out=org.apache.log4j.ConsoleAppender
log4j.appender.out.layout=org.apache.log4j.PatternLayout
log4j.appender.out.layout.ConversionPattern=[%d] %p %m (%c)%n
`;
const LOG4J2 = `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
`;

/** The major version of "3.9.2" / "4.3.1" / "3.9" (NaN for anything else). */
export function kafkaMajor(version: string): number {
  return Number.parseInt(version, 10);
}

/**
 * Broker settings that keep tests fast and make an N-node cluster behave like production at RF N:
 * shared with the Docker path of global-setup.ts so every mode runs the same broker. `version` (the
 * broker's, default a 4.x one) leaves out settings that version does not have.
 */
export function testBrokerSettings(nodes: 1 | 3, version = '4'): Record<string, string> {
  const v4 = kafkaMajor(version) >= 4;
  const rf = String(nodes);
  const minIsr = nodes === 3 ? '2' : '1';
  const settings: Record<string, string> = {
    // Tests create every topic they use; a typo must fail, not auto-create.
    'auto.create.topics.enable': 'false',
    'num.partitions': '1',
    'default.replication.factor': rf,
    'min.insync.replicas': minIsr,
    // Internal topics: few partitions (each is created and loaded on first use), RF of the cluster.
    'offsets.topic.replication.factor': rf,
    'offsets.topic.num.partitions': '4',
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': minIsr,
    'transaction.state.log.num.partitions': '4',
    // Groups start rebalancing at once (default: wait 3 s for more members); classic-protocol
    // clients may ask for sessions as short as 500 ms.
    'group.initial.rebalance.delay.ms': '0',
    'group.min.session.timeout.ms': '500',
    // Small segments so retention / DeleteRecords / compaction tests roll segments quickly.
    'log.segment.bytes': String(8 * 1024 * 1024),
    // Failover: a killed node is fenced after 6 s (default 9 s) and leaves the ISR after 10 s (30 s).
    'broker.heartbeat.interval.ms': '1000',
    'broker.session.timeout.ms': '6000',
    'replica.lag.time.max.ms': '10000',
    // Fewer threads: less memory and scheduling noise with several JVMs on a small machine.
    'num.network.threads': '2',
    'num.io.threads': '4',
    'background.threads': '4',
  };
  if (v4) {
    // Share groups (KIP-932) and streams groups (KIP-1071) are 4.x features.
    settings['share.coordinator.state.topic.replication.factor'] = rf;
    settings['share.coordinator.state.topic.min.isr'] = minIsr;
    settings['share.coordinator.state.topic.num.partitions'] = '4';
    settings['group.streams.initial.rebalance.delay.ms'] = '0';
    // A share consumer killed with records acquired: they come back after the acquisition lock
    // (30 s by default, 15 s at the least) — 3 s here, so that the kill tests do not wait.
    settings['group.share.min.record.lock.duration.ms'] = '1000';
    settings['group.share.record.lock.duration.ms'] = '3000';
  }
  // KIP-848 / KIP-932 / KIP-1071 groups: the broker owns heartbeat and session timeouts; defaults
  // (5 s / 45 s) would make every "member left" test wait most of a minute. 3.9 has the consumer
  // group settings (KIP-848 is a preview there, off unless group.coordinator.rebalance.protocols
  // names it: left at its default, as on a production 3.9 cluster).
  for (const kind of v4 ? ['consumer', 'share', 'streams'] : ['consumer']) {
    settings[`group.${kind}.heartbeat.interval.ms`] = '500';
    settings[`group.${kind}.min.heartbeat.interval.ms`] = '500';
    settings[`group.${kind}.session.timeout.ms`] = '10000';
    settings[`group.${kind}.min.session.timeout.ms`] = '1000';
  }
  return settings;
}

/** Parses "host:port,host:port" (a bootstrap string). */
export function parseBootstrap(bootstrap: string): { host: string; port: number }[] {
  return bootstrap
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const colon = s.lastIndexOf(':');
      const port = Number(s.slice(colon + 1));
      if (colon < 1 || !Number.isInteger(port)) throw new Error(`not host:port: "${s}" in "${bootstrap}"`);
      return { host: s.slice(0, colon).replace(/^\[|\]$/g, ''), port };
    });
}

/**
 * Sends one request (header v1: apiKey, apiVersion, correlationId, clientId) on a fresh connection
 * and returns the response body after its correlation id (response header v0).
 */
async function roundTrip(
  host: string,
  port: number,
  apiKey: number,
  apiVersion: number,
  body: Buffer,
  timeoutMs: number,
): Promise<Buffer> {
  const clientId = Buffer.from('kafkawire-launcher');
  const correlationId = randomBytes(4).readInt32BE(0) & 0x7fffffff;
  const header = Buffer.alloc(14);
  header.writeInt32BE(10 + clientId.length + body.length, 0);
  header.writeInt16BE(apiKey, 4);
  header.writeInt16BE(apiVersion, 6);
  header.writeInt32BE(correlationId, 8);
  header.writeInt16BE(clientId.length, 12);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffered = Buffer.alloc(0);
    const fail = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () =>
      fail(new Error(`${host}:${port}: no response within ${timeoutMs} ms`)),
    );
    socket.once('error', fail);
    socket.once('close', () => fail(new Error(`${host}:${port}: connection closed before a response`)));
    socket.once('connect', () => socket.write(Buffer.concat([header, clientId, body])));
    socket.on('data', (chunk: Buffer) => {
      // Responses here are a few hundred bytes: joining chunks is fine off the hot path.
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 4 || buffered.length < 4 + buffered.readInt32BE(0)) return;
      socket.removeAllListeners('close');
      socket.destroy();
      const got = buffered.readInt32BE(4);
      if (got !== correlationId)
        reject(new Error(`${host}:${port}: correlation id ${got}, sent ${correlationId}`));
      else resolve(buffered.subarray(8, 4 + buffered.readInt32BE(0)));
    });
  });
}

/**
 * Rejects unless the broker at host:port answers ApiVersions v0 with error code 0; resolves with
 * the API key → [min, max] versions it announced.
 */
export async function probeApiVersions(
  host: string,
  port: number,
  timeoutMs = 5_000,
): Promise<Map<number, [number, number]>> {
  const response = await roundTrip(host, port, 18, 0, Buffer.alloc(0), timeoutMs);
  const errorCode = response.readInt16BE(0);
  if (errorCode !== 0) throw new Error(`${host}:${port}: ApiVersions error code ${errorCode}`);
  const apis = new Map<number, [number, number]>();
  for (let i = 0, n = response.readInt32BE(2); i < n; i++) {
    const at = 6 + 6 * i;
    apis.set(response.readInt16BE(at), [response.readInt16BE(at + 2), response.readInt16BE(at + 4)]);
  }
  return apis;
}

/**
 * The major version of the broker at host:port, told from its ApiVersions: 4.x brokers announce
 * Fetch from v4 on (KIP-896 removed v0–v3), 3.x brokers from v0.
 */
export async function probeBrokerMajor(host: string, port: number, timeoutMs = 5_000): Promise<3 | 4> {
  const fetch = (await probeApiVersions(host, port, timeoutMs)).get(1);
  if (!fetch) throw new Error(`${host}:${port} announces no Fetch API: not a Kafka broker?`);
  return fetch[0] >= 4 ? 4 : 3;
}

/**
 * The exact version `version` (default `KAFKA_VERSION`, else the default pin) resolves to, as
 * scripts/kafka.sh does it — without fetching any jar.
 */
export function resolveKafkaVersion(version?: string): string {
  const env = version === undefined ? process.env : { ...process.env, KAFKA_VERSION: version };
  return execFileSync('bash', [KAFKA_SH, 'version'], { env, encoding: 'utf8' }).trim();
}

/** The brokers a node lists in Metadata v1 (all topics requested as null, then ignored). */
export async function metadataBrokers(
  host: string,
  port: number,
  timeoutMs = 5_000,
): Promise<{ nodeId: number; host: string; port: number }[]> {
  const topicsNull = Buffer.alloc(4);
  topicsNull.writeInt32BE(-1, 0);
  const r = await roundTrip(host, port, 3, 1, topicsNull, timeoutMs);
  const brokers: { nodeId: number; host: string; port: number }[] = [];
  let at = 4;
  for (let i = r.readInt32BE(0); i > 0; i--) {
    const nodeId = r.readInt32BE(at);
    const hostLength = r.readInt16BE(at + 4);
    const brokerHost = r.toString('utf8', at + 6, at + 6 + hostLength);
    at += 6 + hostLength;
    const brokerPort = r.readInt32BE(at);
    const rackLength = r.readInt16BE(at + 4);
    at += 6 + Math.max(rackLength, 0);
    brokers.push({ nodeId, host: brokerHost, port: brokerPort });
  }
  return brokers;
}

/** Free TCP ports on 127.0.0.1: all held open at once so no two are equal, then released for the JVMs. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === 'string') throw new Error('no port from listen(0)');
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** Jar folders by requested version ('' = KAFKA_VERSION or the default pin). */
const jars = new Map<string, Promise<string>>();

/**
 * Resolves the broker jars once per process and version (kafka.sh skips Maven when its cache is
 * complete). `version` as in {@link StartKafkaOptions.version}; default `KAFKA_VERSION`, else the pin.
 */
export function kafkaLibs(version?: string): Promise<string> {
  const key = version ?? '';
  const known = jars.get(key);
  if (known) return known;
  const env = version === undefined ? process.env : { ...process.env, KAFKA_VERSION: version };
  const fetched = new Promise<string>((resolve, reject) => {
    const child = spawn('bash', [KAFKA_SH, 'fetch'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const libs = out.trim().split('\n').pop() ?? '';
      if (code === 0 && libs !== '') resolve(libs);
      else
        reject(
          new Error(
            `scripts/kafka.sh fetch exited with ${code}: cannot resolve the Kafka ${version ?? process.env.KAFKA_VERSION ?? ''} jars`,
          ),
        );
    });
  });
  jars.set(key, fetched);
  fetched.catch(() => jars.delete(key));
  return fetched;
}

/** The Kafka version of a jar folder, from its kafka-clients-<version>.jar. */
export function libsVersion(libs: string): string {
  for (const name of readdirSync(libs)) {
    const m = /^kafka-clients-(\d+\.\d+\.\d+)\.jar$/.exec(name);
    if (m) return m[1]!;
  }
  throw new Error(`no kafka-clients-<version>.jar in ${libs}`);
}

/**
 * Node i (1-based) listens on ports[2i-2] (client) and ports[2i-1] (controller): puts `first`,
 * first+1, ... in the client slots, and swaps any other port picked that equals one of them (the
 * kernel may hand out a port just checked free) for a fresh free one.
 */
async function useFixedClientPorts(ports: number[], first: number, count: number): Promise<void> {
  const fixed = Array.from({ length: count }, (_, i) => first + i);
  for (let i = 0; i < count; i++) ports[2 * i] = fixed[i]!;
  for (let i = 0; i < ports.length; i++) {
    if (i % 2 === 0 && i < 2 * count) continue;
    while (fixed.includes(ports[i]!)) ports[i] = (await freePorts(1))[0]!;
  }
}

/** Rejects naming the port when something on 127.0.0.1 already listens on it. */
async function ensurePortFree(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new Error(`port ${port} on ${HOST} is not free (${err.code ?? err.message})`)),
    );
    server.listen(port, HOST, () => server.close(() => resolve()));
  });
}

const live = new Set<ChildProcess>();
let hooksInstalled = false;

/** Kills every JVM we started, synchronously: safe inside process.on('exit'). */
function killEverything(): void {
  for (const child of live) child.kill('SIGKILL');
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killEverything);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, function onSignal() {
      killEverything();
      // Listening replaced Node's default of dying on the signal; if nobody else handles it
      // (vitest, the CLI below), restore the default and re-raise so the process still ends.
      if (process.listenerCount(signal) === 1) {
        process.removeListener(signal, onSignal);
        process.kill(process.pid, signal);
      }
    });
  }
}

/**
 * A watchdog for one JVM: `sh` blocks reading a pipe whose only writer is this process, so the read
 * returns (EOF) when we die however we die, even by SIGKILL, and the JVM is killed with us.
 * Detached, so a Ctrl-C to our process group does not take the watchdog down before it acts.
 */
function watch(pid: number): ChildProcess {
  const watchdog = spawn('sh', ['-c', `read -r _; kill -9 ${pid} 2>/dev/null`], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true,
  });
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  live.add(watchdog);
  watchdog.once('exit', () => live.delete(watchdog));
  return watchdog;
}

function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs a short JVM tool to completion, its output appended to `log`. */
async function runJava(label: string, args: string[], log: string): Promise<void> {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(JAVA, args, { stdio: ['ignore', fd, fd] });
    live.add(child);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', (err) =>
        reject(
          new Error(
            `${label}: cannot run ${JAVA} (${err.message}); Kafka needs Java 17+ on PATH or JAVA_HOME`,
          ),
        ),
      );
      child.once('exit', (c) => resolve(c));
    }).finally(() => live.delete(child));
    if (code !== 0) throw new Error(`${label} exited with ${code}; last lines of ${log}:\n${tail(log)}`);
  } finally {
    closeSync(fd);
  }
}

interface NodeState extends KafkaNode {
  running: boolean;
  readonly dir: string;
  readonly config: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  exitReason?: string;
}

class LocalKafkaCluster implements KafkaCluster {
  readonly bootstrap: string;
  readonly nodes: NodeState[];
  readonly clusterId: string;
  readonly version: string;
  readonly dir: string;
  readonly #libs: string;
  readonly #heapMb: number;
  readonly #timeoutMs: number;
  readonly #ownsDir: boolean;

  constructor(o: {
    dir: string;
    ownsDir: boolean;
    libs: string;
    heapMb: number;
    timeoutMs: number;
    clusterId: string;
    version: string;
    nodes: NodeState[];
  }) {
    this.dir = o.dir;
    this.version = o.version;
    this.#ownsDir = o.ownsDir;
    this.#libs = o.libs;
    this.#heapMb = o.heapMb;
    this.#timeoutMs = o.timeoutMs;
    this.clusterId = o.clusterId;
    this.nodes = o.nodes;
    this.bootstrap = o.nodes.map((n) => `${n.host}:${n.port}`).join(',');
  }

  #node(id: number): NodeState {
    const node = this.nodes.find((n) => n.id === id);
    if (!node) throw new Error(`no node ${id}; nodes are ${this.nodes.map((n) => n.id).join(', ')}`);
    return node;
  }

  /** Starts the node's JVM, its output appended to broker.log (a restart keeps the old lines). */
  launch(node: NodeState): void {
    const fd = openSync(node.log, 'a');
    let child: ChildProcess;
    try {
      child = spawn(
        JAVA,
        [
          `-Xmx${this.#heapMb}m`,
          ...JVM_FLAGS,
          ...logFlags(this.dir),
          '-cp',
          join(this.#libs, '*'),
          'kafka.Kafka',
          node.config,
        ],
        { stdio: ['ignore', fd, fd] },
      );
    } finally {
      closeSync(fd);
    }
    live.add(child);
    node.child = child;
    node.running = true;
    node.exitReason = undefined;
    const watchdog = child.pid === undefined ? undefined : watch(child.pid);
    node.exited = new Promise((resolve) => {
      const done = (reason: string) => {
        live.delete(child);
        watchdog?.kill('SIGKILL');
        if (node.child === child) {
          node.running = false;
          node.exitReason = reason;
        }
        resolve();
      };
      child.once('error', (err) => done(`could not start ${JAVA}: ${err.message}`));
      child.once('exit', (code, signal) => done(signal ? `killed by ${signal}` : `exited with code ${code}`));
    });
  }

  /**
   * Waits until each given node answers ApiVersions and its Metadata lists every running node.
   * Fails fast when a node's JVM exits; the error carries that node's log tail.
   */
  async waitReady(ids: number[]): Promise<void> {
    const deadline = Date.now() + this.#timeoutMs;
    const abort = new AbortController();
    await Promise.all(
      ids.map(async (id) => {
        const node = this.#node(id);
        let last = 'no answer yet';
        while (!abort.signal.aborted) {
          const fail = (why: string) => {
            abort.abort();
            return new Error(
              `Kafka node ${id} (${node.host}:${node.port}) ${why}; last lines of ${node.log}:\n${tail(node.log)}`,
            );
          };
          if (!node.running) throw fail(`stopped during startup (${node.exitReason ?? 'not started'})`);
          try {
            await probeApiVersions(node.host, node.port, 2_000);
            const listed = (await metadataBrokers(node.host, node.port, 2_000)).map((b) => b.nodeId);
            const missing = this.nodes.filter((n) => n.running && !listed.includes(n.id)).map((n) => n.id);
            if (missing.length === 0) return;
            last = `Metadata lists brokers [${listed.join(', ')}], not yet [${missing.join(', ')}]`;
          } catch (err) {
            last = err instanceof Error ? err.message : String(err);
          }
          if (Date.now() > deadline) throw fail(`not ready after ${this.#timeoutMs} ms (${last})`);
          await sleep(200);
        }
      }),
    );
  }

  async startNode(id: number): Promise<void> {
    const node = this.#node(id);
    if (node.running) throw new Error(`node ${id} is already running`);
    this.launch(node);
    await this.waitReady(this.nodes.filter((n) => n.running).map((n) => n.id));
  }

  async stopNode(id: number): Promise<void> {
    const node = this.#node(id);
    if (!node.running || !node.child) return;
    node.child.kill('SIGTERM');
    const timer = setTimeout(() => node.child?.kill('SIGKILL'), STOP_GRACE_MS);
    await node.exited;
    clearTimeout(timer);
  }

  async killNode(id: number): Promise<void> {
    const node = this.#node(id);
    if (!node.running || !node.child) return;
    node.child.kill('SIGKILL');
    await node.exited;
  }

  /** Kills every node and keeps the dir: after a failed start, its logs are what the error points to. */
  async killAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.killNode(n.id)));
  }

  async stop(): Promise<void> {
    await this.killAll();
    if (this.#ownsDir && !process.env.KAFKAWIRE_KEEP_KAFKA_DIR) {
      await rm(this.dir, { recursive: true, force: true });
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/** Both log configs: log4j2 for 4.x, log4j 1.x (reload4j) for 3.x; each ignores the other's flag. */
function logFlags(dir: string): string[] {
  return [
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`,
    `-Dlog4j.configuration=${pathToFileURL(join(dir, 'log4j.properties')).href}`,
  ];
}

/**
 * Starts a fresh KRaft cluster of local JVMs (Apache Kafka from Maven Central: `version`, else
 * `KAFKA_VERSION`, else 4.3.1) and resolves when every node is ready. Tests share the one from
 * global-setup.ts; failover tests use cluster3.ts.
 */
export async function startKafka(options: StartKafkaOptions = {}): Promise<KafkaCluster> {
  const count = options.nodes ?? 1;
  const fixed = options.port;
  if (fixed !== undefined && !(Number.isInteger(fixed) && fixed > 0 && fixed + count - 1 <= 65535)) {
    throw new Error(`port must be an integer from 1 to ${65536 - count}, not ${fixed}`);
  }
  if (fixed !== undefined) for (let i = 0; i < count; i++) await ensurePortFree(fixed + i);
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'kafkawire-kafka-')));
  installExitHooks();
  const extraPorts = options.extraPorts ?? 0;
  const [libs, ports] = await Promise.all([kafkaLibs(options.version), freePorts((2 + extraPorts) * count)]);
  const version = libsVersion(libs);
  if (fixed !== undefined) await useFixedClientPorts(ports, fixed, count);
  // A cluster id is a Kafka Uuid: 16 random bytes, base64url without padding (22 chars). Like
  // Kafka's Uuid.randomUuid, never one starting with '-': kafka-storage would read it as a flag.
  let clusterId = randomBytes(16).toString('base64url');
  while (clusterId.startsWith('-')) clusterId = randomBytes(16).toString('base64url');
  const ids = Array.from({ length: count }, (_, i) => i + 1);
  const voters = ids.map((id) => `${id}@${HOST}:${ports[2 * id - 1]}`).join(',');
  await writeFile(join(dir, 'log4j2.properties'), LOG4J2);
  await writeFile(join(dir, 'log4j.properties'), LOG4J1);

  const nodes: NodeState[] = await Promise.all(
    ids.map(async (id) => {
      const nodeDir = join(dir, `node-${id}`);
      await rm(nodeDir, { recursive: true, force: true });
      await mkdir(nodeDir, { recursive: true });
      const port = ports[2 * id - 2]!;
      const controllerPort = ports[2 * id - 1]!;
      const properties: Record<string, string> = {
        'process.roles': 'broker,controller',
        'node.id': String(id),
        // Static voters: every node is formatted alike, no --standalone / --initial-controllers.
        'controller.quorum.voters': voters,
        listeners: `PLAINTEXT://${HOST}:${port},CONTROLLER://${HOST}:${controllerPort}`,
        'advertised.listeners': `PLAINTEXT://${HOST}:${port}`,
        'controller.listener.names': 'CONTROLLER',
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name': 'PLAINTEXT',
        'log.dirs': join(nodeDir, 'data'),
        ...testBrokerSettings(count, version),
        ...(typeof options.properties === 'function'
          ? options.properties({
              id,
              host: HOST,
              port,
              controllerPort,
              extra: ports.slice(2 * count + (id - 1) * extraPorts, 2 * count + id * extraPorts),
            })
          : options.properties),
      };
      const config = join(nodeDir, 'server.properties');
      await writeFile(
        config,
        `${Object.entries(properties)
          .map(([k, v]) => `${k}=${v}`)
          .join('\n')}\n`,
      );
      return {
        id,
        host: HOST,
        port,
        controllerPort,
        dir: nodeDir,
        config,
        log: join(nodeDir, 'broker.log'),
        running: false,
      };
    }),
  );

  const cluster = new LocalKafkaCluster({
    dir,
    ownsDir,
    libs,
    heapMb: options.heapMb ?? (count === 3 ? 384 : 512),
    timeoutMs: options.timeoutMs ?? 90_000,
    clusterId,
    version,
    nodes,
  });
  try {
    const classpath = join(libs, '*');
    await Promise.all(
      nodes.map((n) =>
        runJava(
          `kafka-storage format (node ${n.id})`,
          [
            '-Xmx256m',
            ...JVM_FLAGS,
            ...logFlags(dir),
            '-cp',
            classpath,
            'kafka.tools.StorageTool',
            'format',
            '-t',
            clusterId,
            '-c',
            n.config,
            ...(options.formatArgs ?? []),
            ...Object.entries(options.features ?? {}).flatMap(([name, level]) => [
              '--feature',
              `${name}=${level}`,
            ]),
          ],
          n.log,
        ),
      ),
    );
    for (const n of nodes) cluster.launch(n);
    await cluster.waitReady(ids);
  } catch (err) {
    await cluster.killAll();
    throw err;
  }
  return cluster;
}

/** `scripts/kafka.sh start`: runs a cluster in the foreground until Ctrl-C or `scripts/kafka.sh stop`. */
async function main(args: string[]): Promise<void> {
  let nodes: 1 | 3 = 1;
  let dir: string | undefined;
  let port: number | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--nodes' && (args[i + 1] === '1' || args[i + 1] === '3'))
      nodes = Number(args[++i]) as 1 | 3;
    else if (args[i] === '--dir' && args[i + 1]) dir = args[++i];
    else if (args[i] === '--port' && /^\d+$/.test(args[i + 1] ?? '')) port = Number(args[++i]);
    else if (args[i] !== 'start')
      throw new Error(`usage: launcher.ts start [--nodes 1|3] [--port N] [--dir DIR] (got "${args[i]}")`);
  }
  if (dir) await mkdir(dir, { recursive: true });
  const started = Date.now();
  const cluster = await startKafka({ nodes, dir, port });
  const pidFile = join(cluster.dir, 'launcher.pid');
  await writeFile(pidFile, `${process.pid}\n`);
  await writeFile(join(cluster.dir, 'bootstrap'), `${cluster.bootstrap}\n`);
  process.stderr.write(
    `Kafka ${cluster.version} ${nodes === 3 ? '3-node cluster' : 'broker'} ready in ${Date.now() - started} ms; logs in ${cluster.dir}/node-*/broker.log\n` +
      'Ctrl-C (or scripts/kafka.sh stop) stops it. Bootstrap:\n',
  );
  process.stdout.write(`${cluster.bootstrap}\n`);
  const shutdown = async () => {
    await cluster.stop();
    await rm(pidFile, { force: true });
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
