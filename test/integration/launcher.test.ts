import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { brokers } from '../harness/kafka.js';
import { type KafkaCluster, parseBootstrap, probeApiVersions, startKafka } from '../harness/launcher.js';

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
