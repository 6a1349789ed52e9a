import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { brokers, kafkaMajor } from '../harness/kafka.js';
import {
  freePorts,
  type KafkaCluster,
  kafkaLibs,
  parseBootstrap,
  probeApiVersions,
  probeBrokerMajor,
  resolveKafkaVersion,
  startKafka,
} from '../harness/launcher.js';

const KAFKA_SH = fileURLToPath(new URL('../../scripts/kafka.sh', import.meta.url));

/** True when nothing listens on host:port (ECONNREFUSED); false when a connection is accepted. */
function refuses(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve(true);
      else reject(err);
    });
  });
}

describe('a 3-node cluster from the launcher', () => {
  let cluster: KafkaCluster;
  beforeAll(async () => {
    cluster = await startKafka({ nodes: 3 });
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  test('runs the version KAFKA_VERSION asks for, from jars cached for that version', async () => {
    const version = resolveKafkaVersion();
    expect(cluster.version).toBe(version);
    expect(await kafkaLibs()).toMatch(new RegExp(`/kafka-${version.replace(/\./g, '\\.')}/libs$`));
    const node = cluster.nodes[0]!;
    expect(await probeBrokerMajor(node.host, node.port)).toBe(kafkaMajor());
  });

  test('every node answers ApiVersions', async () => {
    expect(cluster.nodes.map((n) => n.id)).toEqual([1, 2, 3]);
    expect(parseBootstrap(cluster.bootstrap)).toHaveLength(3);
    for (const node of cluster.nodes) {
      expect(node.running).toBe(true);
      await probeApiVersions(node.host, node.port);
    }
  });

  test('a stopped node refuses connections and answers again after startNode', async () => {
    const node = cluster.nodes[1]!;
    await cluster.stopNode(2);
    expect(node.running).toBe(false);
    expect(await refuses(node.host, node.port)).toBe(true);
    await probeApiVersions(cluster.nodes[0]!.host, cluster.nodes[0]!.port);

    await cluster.startNode(2);
    expect(node.running).toBe(true);
    await probeApiVersions(node.host, node.port);
  });

  test('stop() closes every port', async () => {
    await cluster.stop();
    for (const node of cluster.nodes) {
      expect(node.running).toBe(false);
      expect(await refuses(node.host, node.port)).toBe(true);
      expect(await refuses(node.host, node.controllerPort)).toBe(true);
    }
  });
});

test('the globally provided broker answers ApiVersions', async () => {
  const servers = parseBootstrap(brokers());
  expect(servers.length).toBeGreaterThan(0);
  for (const { host, port } of servers) await probeApiVersions(host, port);
});

describe('scripts/kafka.sh start --port', () => {
  test('runs a broker on the port given, prints its bootstrap, and stops with kafka.sh stop', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kafkawire-kafka-sh-'));
    const [port] = await freePorts(1);
    const child = spawn('bash', [KAFKA_SH, 'start', '--port', String(port), '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const bootstrap = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        exited.then((code) => reject(new Error(`kafka.sh start exited with ${code}: ${stderr}`)));
      });
      expect(bootstrap).toBe(`127.0.0.1:${port}`);
      expect(stderr).toContain(`Kafka ${resolveKafkaVersion()} broker ready`);
      await probeApiVersions('127.0.0.1', port!);
      expect((await readFile(join(dir, 'bootstrap'), 'utf8')).trim()).toBe(bootstrap);

      const stop = spawn('bash', [KAFKA_SH, 'stop', '--dir', dir], { stdio: 'ignore' });
      expect(await new Promise((resolve) => stop.once('exit', resolve))).toBe(0);
      expect(await exited).toBe(0);
      expect(await refuses('127.0.0.1', port!)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);

  test('refuses a port already taken, before starting anything', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(startKafka({ port })).rejects.toThrow(
        `port ${port} on 127.0.0.1 is not free (EADDRINUSE)`,
      );
      await expect(startKafka({ port: 70_000 })).rejects.toThrow('port must be an integer from 1 to 65535');
    } finally {
      server.close();
    }
  });
});
