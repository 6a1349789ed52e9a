/**
 * Topic set-up for integration tests: create a uniquely named topic and wait until every
 * partition has a leader in metadata.
 */
import type { Cluster } from '../../src/network/cluster.js';
import { CreateTopics } from '../../src/protocol/apis/index.js';
import { KafkaError } from '../../src/protocol/errors.js';

export async function createTopic(
  cluster: Cluster,
  name: string,
  numPartitions = 1,
  replicationFactor = 1,
  configs: Record<string, string> = {},
): Promise<void> {
  const conn = await cluster.anyConnection();
  const res = await conn.send(CreateTopics, {
    topics: [
      {
        name,
        numPartitions,
        replicationFactor,
        configs: Object.entries(configs).map(([k, value]) => ({ name: k, value })),
      },
    ],
    timeoutMs: 30_000,
  });
  const result = res.topics[0];
  if (result.errorCode !== 0) throw new KafkaError(result.errorCode, { topic: name }, result.errorMessage);
  await waitFor(async () => {
    const md = await cluster.refresh([name]);
    const t = md.topics.get(name);
    return (
      !!t &&
      t.errorCode === 0 &&
      t.partitions.length === numPartitions &&
      t.partitions.every((p) => p.leader >= 0)
    );
  }, `topic ${name} to have a leader for each of its ${numPartitions} partitions`);
}

/** Polls `check` every 100 ms until it returns true, or fails after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < until) {
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}
