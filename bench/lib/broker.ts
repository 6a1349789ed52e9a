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
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  // The launcher reads JAVA_HOME once, when it is first imported: set it before that import.
  const realJavaHome = process.env.JAVA_HOME;
  process.env.JAVA_HOME = javaWrapper();
  let launcher: typeof import('../../test/harness/launcher.js');
  try {
    launcher = await import('../../test/harness/launcher.js');
  } finally {
    if (realJavaHome === undefined) delete process.env.JAVA_HOME;
    else process.env.JAVA_HOME = realJavaHome;
  }
  log('starting a Kafka broker (test/harness/launcher.ts, with the bench JVM flags)');
  const { makeCertificates } = await import('../../test/harness/certificates.js');
  const certs = await mkdtemp(join(tmpdir(), 'kafkawire-bench-tls-'));
  await makeCertificates(certs);
  let sslPort = 0;
  const cluster = await launcher.startKafka({
    nodes: 1,
    extraPorts: 1,
    properties: (node) => {
      sslPort = node.extra[0]!;
      const listeners = `PLAINTEXT://${node.host}:${node.port},SSL://${node.host}:${sslPort}`;
      return {
        ...BENCH_BROKER,
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
    description: `Apache Kafka ${version}, 1 local KRaft node (1 GiB heap, C2 JIT, G1 GC), PLAINTEXT and SSL listeners`,
    libs,
    pids: jvmPids(cluster.dir),
    tls: { bootstrap: `${cluster.nodes[0]!.host}:${sslPort}`, caPath: join(certs, 'ca.pem') },
    stop: async () => {
      await cluster.stop();
      rmSync(certs, { recursive: true, force: true });
    },
  };
}
