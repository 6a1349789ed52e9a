/**
 * Topic set-up for integration tests: create a uniquely named topic and wait until every
 * partition has a leader in metadata.
 */
import type { Cluster } from '../../src/network/cluster.js';
import { CreateTopics, ListOffsets, ListOffsetsTimestamp } from '../../src/protocol/apis/index.js';
import { KafkaError } from '../../src/protocol/errors.js';

export async function createTopic(...args: Parameters<typeof requestTopic>): Promise<void> {
  const [cluster, name, numPartitions = 1] = args;
  await requestTopic(...args);
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
  // Metadata can name a leader a moment before that broker serves the partition (a first
  // produce then gets NOT_LEADER_OR_FOLLOWER): wait until every leader answers ListOffsets.
  await waitFor(async () => {
    for (let partition = 0; partition < numPartitions; partition++) {
      const leader = cluster.leaderFor(name, partition);
      if (leader === undefined) return false;
      const res = await cluster.sendTo(leader, ListOffsets, {
        replicaId: -1,
        topics: [
          { name, partitions: [{ partitionIndex: partition, timestamp: ListOffsetsTimestamp.latest }] },
        ],
      });
      if (res.topics[0]?.partitions[0]?.errorCode !== 0) return false;
    }
    return true;
  }, `every leader of ${name} to serve its partition`);
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

/**
 * Sends CreateTopics and returns at once: the topic exists in the controller, but its leaders may
 * not serve it yet (what an application racing its own topic creation sees).
 */
export async function requestTopic(
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
}
