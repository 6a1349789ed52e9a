/**
 * Vitest globalSetup: the one Kafka broker every test file shares, provided to tests as
 * `inject('kafkaBrokers')` (see kafka.ts) with `inject('kafkaMode')` saying where it came from.
 *
 * Picks, in order:
 * 1. `KAFKA_BROKERS` — an existing cluster ("host:port,..."); checked, never started or stopped here;
 * 2. Docker through testcontainers, when an engine answers — the official apache/kafka image;
 * 3. the local JVM launcher (launcher.ts), one node.
 * `KAFKAWIRE_BROKER=launcher|docker` forces 2 or 3. If no broker comes up the setup throws and the
 * whole run fails: integration tests are never skipped for want of a broker.
 *
 * `KAFKA_VERSION` picks the broker version for 2 and 3 (see scripts/kafka.sh: `3.9`, `4.3.1`, ...;
 * default the 4.3.1 pin), and with 1 says what the external cluster runs. Tests read it as
 * `inject('kafkaVersion')` (kafka.ts: kafkaVersion(), kafkaMajor()) to expect what that version
 * offers. Whatever the mode, the broker's ApiVersions must agree with it on the major version
 * (4.x announces Fetch from v4, 3.x from v0), so a "3.9 run" cannot pass against a 4.x broker.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import {
  freePorts,
  kafkaMajor,
  metadataBrokers,
  parseBootstrap,
  probeApiVersions,
  probeBrokerMajor,
  resolveKafkaVersion,
  startKafka,
  testBrokerSettings,
} from './launcher.js';

/** Where the shared broker came from. */
export type KafkaMode = 'external' | 'docker' | 'launcher';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers of the shared broker, "host:port,...". */
    kafkaBrokers: string;
    kafkaMode: KafkaMode;
    /**
     * The broker's Apache Kafka version: exact ("3.9.2") when this run started it; for an external
     * cluster, KAFKA_VERSION as given ("3.9") or, without it, the major line the broker shows ("4.x").
     */
    kafkaVersion: string;
  }
}

interface Broker {
  mode: KafkaMode;
  bootstrap: string;
  version: string;
  stop(): Promise<void>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The project targets Node 22.15+ and 24 (zstd in node:zlib); npm scripts run the Node 24
  // from node_modules/.bin.
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 15) || (major === 23 && minor < 8)) {
    throw new Error(
      `Tests need Node 22.15+ or 23.8+, this is ${process.version}: run them with \`npm test\` (which uses node_modules/.bin/node, Node 24)`,
    );
  }
  const started = Date.now();
  const broker = await startBroker();
  const version = await waitUntilServing(broker.bootstrap, 60_000)
    .then((major) => checkVersion(broker, major))
    .catch(async (err: unknown) => {
      await broker.stop();
      throw err;
    });
  console.log(
    `[kafka] ${broker.mode} broker ${version} at ${broker.bootstrap} (ready in ${Date.now() - started} ms)`,
  );
  project.provide('kafkaBrokers', broker.bootstrap);
  project.provide('kafkaMode', broker.mode);
  project.provide('kafkaVersion', version);
  return () => broker.stop();
}

/** The version tests are told, after checking the broker's major version agrees with it. */
function checkVersion(broker: Broker, major: 3 | 4): string {
  const claimed = broker.version || `${major}.x`;
  if (kafkaMajor(claimed) !== major) {
    throw new Error(
      `${broker.mode} broker at ${broker.bootstrap} is Kafka ${major}.x by its ApiVersions (Fetch from ` +
        `v${major === 4 ? 4 : 0}), not ${claimed}${broker.mode === 'external' ? ': fix KAFKA_VERSION or KAFKA_BROKERS' : ''}`,
    );
  }
  return claimed;
}

async function startBroker(): Promise<Broker> {
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    const version = process.env.KAFKA_VERSION ?? '';
    return { mode: 'external', bootstrap: external, version, stop: async () => {} };
  }
  const forced = process.env.KAFKAWIRE_BROKER;
  if (forced !== undefined && forced !== 'docker' && forced !== 'launcher') {
    throw new Error(`KAFKAWIRE_BROKER must be "docker" or "launcher", not "${forced}"`);
  }
  if (forced === 'docker' || (forced === undefined && (await dockerAnswers()))) return startDocker();
  const cluster = await startKafka({ nodes: 1 });
  return {
    mode: 'launcher',
    bootstrap: cluster.bootstrap,
    version: cluster.version,
    stop: () => cluster.stop(),
  };
}

/**
 * Whether a Docker engine answers. Looking for a socket (or a DOCKER_HOST) first costs nothing, and
 * only then is testcontainers loaded (~0.6 s) to ask the engine with its own discovery rules.
 */
async function dockerAnswers(): Promise<boolean> {
  const candidates = [
    '/var/run/docker.sock',
    join(homedir(), '.docker', 'run', 'docker.sock'),
    join(homedir(), '.docker', 'desktop', 'docker.sock'),
    `/run/user/${userInfo().uid}/docker.sock`,
    join(homedir(), '.testcontainers.properties'),
    ...(process.env.XDG_RUNTIME_DIR ? [join(process.env.XDG_RUNTIME_DIR, 'docker.sock')] : []),
  ];
  if (!process.env.DOCKER_HOST && !candidates.some((path) => existsSync(path))) return false;
  const { getContainerRuntimeClient } = await import('testcontainers');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), 5_000);
  });
  try {
    return await Promise.race([getContainerRuntimeClient().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Converts a server.properties name to the apache/kafka image's env var (KIP-975): . → _, _ → __, - → ___. */
function kafkaEnvName(property: string): string {
  return `KAFKA_${property.replace(/_/g, '__').replace(/-/g, '___').replace(/\./g, '_').toUpperCase()}`;
}

/**
 * One combined KRaft node in the official image. The client listener uses the same port inside and
 * outside the container, picked free on this machine beforehand, so the advertised address is
 * known before the container starts (a random mapped port would be known only after).
 */
async function startDocker(): Promise<Broker> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  // The launcher's version (KAFKA_VERSION or the pin) in the official image, unless KAFKA_IMAGE says.
  const image = process.env.KAFKA_IMAGE ?? `apache/kafka:${resolveKafkaVersion()}`;
  const version = /:(\d+\.\d+\.\d+)$/.exec(image)?.[1] ?? '';
  const host = (await getContainerRuntimeClient()).info.containerRuntime.host;
  const [port] = await freePorts(1);
  const properties: Record<string, string> = {
    'node.id': '1',
    'process.roles': 'broker,controller',
    'controller.quorum.voters': '1@localhost:9093',
    // As in docker-compose.yml: INTERNAL for broker-to-broker traffic, HOST for the tests.
    listeners: `CONTROLLER://:9093,INTERNAL://:9094,HOST://:${port}`,
    'advertised.listeners': `INTERNAL://localhost:9094,HOST://${host}:${port}`,
    'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,INTERNAL:PLAINTEXT,HOST:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'INTERNAL',
    'log.dirs': '/tmp/kraft-combined-logs',
    ...testBrokerSettings(1, version || '4'),
  };
  const environment: Record<string, string> = { CLUSTER_ID: randomBytes(16).toString('base64url') };
  for (const [name, value] of Object.entries(properties)) environment[kafkaEnvName(name)] = value;
  const container = await new GenericContainer(image)
    .withEnvironment(environment)
    .withExposedPorts({ container: port, host: port })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(120_000)
    .start();
  const stop = async () => {
    await container.stop();
  };
  return { mode: 'docker', bootstrap: `${host}:${port}`, version, stop };
}

/**
 * Until a bootstrap server answers ApiVersions and lists at least one broker — or a clear error.
 * Resolves with the broker's major version (probeBrokerMajor).
 */
async function waitUntilServing(bootstrap: string, timeoutMs: number): Promise<3 | 4> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    for (const { host, port } of parseBootstrap(bootstrap)) {
      try {
        await probeApiVersions(host, port, 2_000);
        if ((await metadataBrokers(host, port, 2_000)).length > 0) return await probeBrokerMajor(host, port);
        last = `${host}:${port} lists no brokers`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
    }
    if (Date.now() > deadline)
      throw new Error(`Kafka at ${bootstrap} is not serving after ${timeoutMs} ms: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
