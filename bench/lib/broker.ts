/**
 * The broker of a bench run: `KAFKA_BROKERS` when set, otherwise one Apache Kafka node started
 * with the tests' launcher (test/harness/launcher.ts) in a folder of its own.
 *
 * The launcher runs test brokers with startup-friendly JVM flags (C1 only, serial GC, 512 MiB
 * heap): right for tests, wrong for a benchmark, where the broker's peak throughput is half of
 * what is measured. The launcher takes its `java` from JAVA_HOME, so the bench points JAVA_HOME at
 * a one-line wrapper that drops those flags and gives the broker Kafka's default 1 GiB heap.
 *
 * The local broker also has an SSL listener (server certificate from a CA made with openssl into
 * a temp folder, no client certificate) for the TLS cases; a remote cluster has none here.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../.cache/', import.meta.url));

/** The `java` the user has: $JAVA_HOME/bin/java or the one on PATH. */
export const REAL_JAVA = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';

/**
 * Broker settings for the bench: Kafka's defaults where the test settings shrink them for small
 * test machines (threads, segment size). Everything else stays as the tests have it.
 */
const BENCH_BROKER = {
  'num.network.threads': '3',
  'num.io.threads': '8',
  'log.segment.bytes': String(1024 * 1024 * 1024),
  // A deleted topic's files stay open for this long (default 60 s): a 10,000-partition topic
  // created within a minute of deleting another ran the broker out of file handles here.
  'file.delete.delay.ms': '1000',
  // The throttled cases' quota is measured over 2 windows of 1 s (default 11): a run then starts
  // unthrottled however hard the one before it (with the same client id, perhaps) was held.
  'quota.window.num': '2',
  'quota.window.size.seconds': '1',
};

export interface Broker {
  bootstrap: string;
  /** "Apache Kafka 4.3.1, 1 local node (…)" or "KAFKA_BROKERS=…". */
  description: string;
  /** The Kafka jars, for the Java tools: from the launcher's cache, or undefined when not resolvable. */
  libs: string | undefined;
  /** Broker process ids (local broker only), for the broker's CPU per run. */
  pids: number[];
  /** The SSL listener and the CA that signed its certificate (local broker only). */
  tls?: { bootstrap: string; caPath: string };
  stop(): Promise<void>;
}

function javaWrapper(): string {
  const dir = join(CACHE, 'broker-jvm', 'bin');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'java');
  writeFileSync(
    file,
    `#!/bin/sh
# Written by bench/lib/broker.ts: the test launcher's java, minus its startup-only JVM flags.
for a do
  shift
  case "$a" in
    -XX:TieredStopAtLevel=1|-XX:+UseSerialGC) ;;
    -Xmx512m) set -- "$@" -Xmx1g ;;
    *) set -- "$@" "$a" ;;
  esac
done
exec ${JSON.stringify(REAL_JAVA)} "$@"
`,
  );
  chmodSync(file, 0o755);
  return join(CACHE, 'broker-jvm');
}

/** Pids of the JVMs whose command line mentions `dir` (the launcher's cluster folder). */
function jvmPids(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes('kafka.Kafka') && cmd.includes(dir)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** user+system CPU seconds of processes, from /proc/<pid>/stat (clock ticks of 1/100 s on Linux). */
export function cpuSecondsOf(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Exited.
    }
  }
  return ticks / 100;
}

/**
 * Where the broker keeps its logs: on tmpfs (/dev/shm) when the machine has one. On this
 * machine's virtual disk the first write to each partition's index files (a page fault on a
 * freshly mapped sparse file) cost the broker about 20 ms per partition: a client producing to
 * 1,000 partitions of a new topic spent seconds waiting on it, and whichever client ran first
 * on a topic paid it for the others. On tmpfs that is gone, and the bench measures clients,
 * not the disk. KAFKAWIRE_BENCH_DISK=1 keeps the logs on disk (os.tmpdir()).
 */
async function dataDir(): Promise<{ dir: string; tmpfs: boolean }> {
  if (process.env.KAFKAWIRE_BENCH_DISK !== '1' && existsSync('/dev/shm')) {
    try {
      return { dir: await mkdtemp('/dev/shm/kafkawire-bench-data-'), tmpfs: true };
    } catch {
      // not writable: the launcher's folder on disk
    }
  }
  return { dir: '', tmpfs: false };
}

let launcherModule: typeof import('../../test/harness/launcher.js') | undefined;

/** The tests' launcher, imported once with JAVA_HOME at the bench's java wrapper. */
async function loadLauncher(): Promise<typeof import('../../test/harness/launcher.js')> {
  if (launcherModule) return launcherModule;
  // The launcher reads JAVA_HOME once, when it is first imported: set it before that import.
  const realJavaHome = process.env.JAVA_HOME;
  process.env.JAVA_HOME = javaWrapper();
  try {
    launcherModule = await import('../../test/harness/launcher.js');
  } finally {
    if (realJavaHome === undefined) delete process.env.JAVA_HOME;
    else process.env.JAVA_HOME = realJavaHome;
  }
  return launcherModule;
}

/**
 * The replicated cases' cluster: three KRaft nodes (combined broker and controller, the launcher's
 * 384 MiB heap each, C2 and G1 as for the single broker), default replication factor 3 and
 * min.insync.replicas 2 (the launcher's three-node settings), logs on tmpfs when there is one.
 * Started only when a replicated case is selected, and stopped after those cases.
 */
export async function startReplicated(log: (line: string) => void): Promise<Broker> {
  const launcher = await loadLauncher();
  log('starting a 3-node Kafka cluster for the replicated cases');
  const data = await dataDir();
  const cluster = await launcher.startKafka({
    nodes: 3,
    properties: (node) => ({
      ...BENCH_BROKER,
      ...(data.tmpfs ? { 'log.dirs': join(data.dir, `node-${node.id}`) } : {}),
    }),
  });
  const libs = await launcher.kafkaLibs();
  const version = /kafka-([\d.]+)/.exec(libs)?.[1] ?? 'unknown';
  return {
    bootstrap: cluster.bootstrap,
    description: `Apache Kafka ${version}, 3 local KRaft nodes (384 MiB heap each, RF 3, min.insync.replicas 2, log dirs on ${data.tmpfs ? 'tmpfs' : 'disk'})`,
    libs,
    pids: jvmPids(cluster.dir),
    stop: async () => {
      await cluster.stop();
      if (data.tmpfs) rmSync(data.dir, { recursive: true, force: true });
    },
  };
}

export async function startBroker(log: (line: string) => void): Promise<Broker> {
  const remote = process.env.KAFKA_BROKERS;
  if (remote) {
    const { kafkaLibs } = await import('../../test/harness/launcher.js');
    const libs = await kafkaLibs().catch(() => undefined);
    return {
      bootstrap: remote,
      description: `KAFKA_BROKERS=${remote}`,
      libs,
      pids: [],
      stop: async () => {},
    };
  }
  const launcher = await loadLauncher();
  log('starting a Kafka broker (test/harness/launcher.ts, with the bench JVM flags)');
  const { makeCertificates } = await import('../../test/harness/certificates.js');
  const certs = await mkdtemp(join(tmpdir(), 'kafkawire-bench-tls-'));
  await makeCertificates(certs);
  const data = await dataDir();
  let sslPort = 0;
  const cluster = await launcher.startKafka({
    nodes: 1,
    extraPorts: 1,
    properties: (node) => {
      sslPort = node.extra[0]!;
      const listeners = `PLAINTEXT://${node.host}:${node.port},SSL://${node.host}:${sslPort}`;
      return {
        ...BENCH_BROKER,
        ...(data.tmpfs ? { 'log.dirs': data.dir } : {}),
        listeners: `${listeners},CONTROLLER://${node.host}:${node.controllerPort}`,
        'advertised.listeners': listeners,
        'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL',
        'ssl.keystore.type': 'PEM',
        'ssl.keystore.location': join(certs, 'broker-keystore.pem'),
      };
    },
  });
  const libs = await launcher.kafkaLibs();
  const version = /kafka-([\d.]+)/.exec(libs)?.[1] ?? 'unknown';
  return {
    bootstrap: cluster.bootstrap,
    description: `Apache Kafka ${version}, 1 local KRaft node (1 GiB heap, C2 JIT, G1 GC, log dirs on ${data.tmpfs ? 'tmpfs' : 'disk'}), PLAINTEXT and SSL listeners`,
    libs,
    pids: jvmPids(cluster.dir),
    tls: { bootstrap: `${cluster.nodes[0]!.host}:${sslPort}`, caPath: join(certs, 'ca.pem') },
    stop: async () => {
      await cluster.stop();
      rmSync(certs, { recursive: true, force: true });
      if (data.tmpfs) rmSync(data.dir, { recursive: true, force: true });
    },
  };
}
