/**
 * Cluster.refresh(topics) beside a refresh already in flight: each caller's answer holds the
 * topics it asked for. It used to be handed the request in flight, sent before those topics were
 * wanted, so a topic that exists looked missing (concurrent describeTopics calls failed with
 * UNKNOWN_TOPIC_OR_PARTITION).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic } from '../helpers/topics.js';

let setup: Cluster;
const topics = [uniqueTopic('refresh-a'), uniqueTopic('refresh-b'), uniqueTopic('refresh-c')];
beforeAll(async () => {
  setup = new Cluster({ bootstrapServers: brokers() });
  await setup.connect();
  for (const t of topics) await createTopic(setup, t, 2);
});
afterAll(() => setup.close());

describe('concurrent metadata refreshes', () => {
  it('answers each refresh with the topics it asked for', async () => {
    const cluster = new Cluster({ bootstrapServers: brokers() });
    await cluster.connect();
    try {
      const answers = await Promise.all(topics.map((t) => cluster.refresh([t])));
      answers.forEach((md, i) => {
        expect(md.topics.get(topics[i])?.partitions.length, topics[i]).toBe(2);
      });
    } finally {
      await cluster.close();
    }
  });

  it('describes several topics at once through the admin client', async () => {
    const admin = new Admin({ bootstrapServers: brokers() });
    try {
      const described = await Promise.all(topics.map((t) => admin.describeTopics([t])));
      expect(described.map((d) => d[0]?.name)).toEqual(topics);
    } finally {
      await admin.close();
    }
  });
});
