/**
 * A broker of a test file's own, for tests that stop and start it (the shared one must stay up):
 * started in beforeAll, killed in afterAll; and topic creation on it through a short-lived
 * Cluster.
 */
import { afterAll, beforeAll } from 'vitest';
import { Cluster } from '../../src/network/cluster.js';
import { uniqueTopic } from '../harness/kafka.js';
import { type KafkaCluster, startKafka } from '../harness/launcher.js';
import { createTopic } from './topics.js';

/** Registers the hooks; call the returned function inside a test for the running cluster. */
export function ownBroker(): () => KafkaCluster {
  let kafka: KafkaCluster | undefined;
  beforeAll(async () => {
    kafka = await startKafka({ nodes: 1 });
  }, 180_000);
  afterAll(async () => {
    await kafka?.stop();
  }, 60_000);
  return () => {
    if (!kafka) throw new Error('the broker of this file did not start');
    return kafka;
  };
}

/** Creates a uniquely named topic on `bootstrap` and waits for its leaders; returns its name. */
export async function ownTopic(bootstrap: string, prefix: string, partitions: number): Promise<string> {
  const cluster = new Cluster({ bootstrapServers: bootstrap });
  try {
    await cluster.connect();
    const topic = uniqueTopic(prefix);
    await createTopic(cluster, topic, partitions);
    return topic;
  } finally {
    await cluster.close();
  }
}
