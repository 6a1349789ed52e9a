/**
 * What the consumer commits, against the real broker: only records the application finished
 * (run(): a handler that resolved; the iterator: batches it yielded; poll(): records handed out),
 * however the loop ends — a handler error, a `break`, close, a rebalance. Then close() in Java's
 * order (final auto-commit, onPartitionsRevoked or onPartitionsLost, leave), one reader at a
 * time, wrong-state calls as IllegalStateError, and topicNotFound for topics the cluster lacks.
 * Each test counts records: what the first consumer finished and what a new member of the group
 * reads afterwards cover every record, and the failed one is read again.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { GroupMembership } from '../../src/group/membership.js';
import {
  Admin,
  ConfigError,
  Consumer,
  type ConsumerConfig,
  HandlerError,
  IllegalStateError,
  Producer,
  type TopicNotFound,
  type TopicPartition,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { Connection } from '../../src/network/connection.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { createTopic, waitFor } from '../helpers/topics.js';

let cluster: Cluster;
let admin: Admin;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
  admin = new Admin({ bootstrapServers: brokers() });
});
afterAll(async () => {
  await admin.close();
  await cluster.close();
});

const open: Consumer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => {})));
});

function consumer(config: Partial<ConsumerConfig> = {}): Consumer {
  const c = new Consumer({
    bootstrapServers: brokers(),
    autoOffsetReset: 'earliest',
    sessionTimeoutMs: 6000,
    heartbeatIntervalMs: 500,
    fetchMaxWaitMs: 100,
    ...config,
  });
  open.push(c);
  return c;
}

/** A topic with `perPartition` records `p<partition>-<i>` in each partition (i = the offset). */
async function topicWith(partitions: number, perPartition: number): Promise<string> {
  const topic = uniqueTopic('delivery');
  await createTopic(cluster, topic, partitions);
  const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 0 });
  for (let p = 0; p < partitions; p++) {
    await producer.send(
      Array.from({ length: perPartition }, (_, i) => ({ topic, partition: p, value: `p${p}-${i}` })),
    );
  }
  await producer.close();
  return topic;
}

/** What the group committed, per partition (null: nothing). */
async function committed(groupId: string, topic: string, partitions: number): Promise<(bigint | null)[]> {
  const c = consumer({ groupId });
  const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
  const found = await c.committed(tps);
  await c.close();
  return found.map((f) => f.offset);
}

/** Everything a new member of the group reads (until `expected` records or 15 s). */
async function readRest(groupId: string, topic: string, expected: number): Promise<string[]> {
  const c = consumer({ groupId });
  c.subscribe([topic]);
  const values: string[] = [];
  const until = Date.now() + 15_000;
  while (values.length < expected && Date.now() < until) {
    for (const b of await c.poll({ timeoutMs: 500 })) for (const r of b.records) values.push(String(r.value));
  }
  // A little longer: anything beyond `expected` would be a record read twice.
  for (const b of await c.poll({ timeoutMs: 300 })) for (const r of b.records) values.push(String(r.value));
  await c.close();
  return values;
}

/**
 * A consumer of the group's committed offsets over every partition of `topic`, assigned by hand
 * and connected, once each partition has records fetched: its first poll hands out all of them.
 */
async function fetchedAhead(groupId: string, topic: string, partitions: number): Promise<Consumer> {
  const c = consumer({ groupId });
  await c.connect();
  c.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition })));
  const internals = c as unknown as { state: { order: { hasBuffered: boolean }[] } };
  await waitFor(() => internals.state.order.every((x) => x.hasBuffered), 'every partition fetched');
  return c;
}

const all = (partitions: number, perPartition: number) =>
  Array.from({ length: partitions }, (_, p) =>
    Array.from({ length: perPartition }, (_, i) => `p${p}-${i}`),
  ).flat();

describe('the consumer commits only what the application finished', () => {
  it('run(): a handler that throws at offset 3 of 10 rejects with a HandlerError, and neither auto-commit nor close commits past offset 3; a new member reads from 3', async () => {
    const topic = await topicWith(1, 10);
    const groupId = uniqueTopic('g');
    // Small polls and an auto-commit at every poll: commits happen while run() is under way.
    const c = consumer({ groupId, maxPollRecords: 2, autoCommitIntervalMs: 0 });
    c.subscribe([topic]);
    const handled: string[] = [];
    const boom = new Error('cannot handle this one');
    const err = await c
      .run({
        eachMessage: async ({ message }) => {
          if (message.offset === 3n) throw boom;
          handled.push(String(message.value));
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandlerError);
    expect(err).toMatchObject({ topic, partition: 0, offset: 3n, cause: boom });
    expect(handled).toEqual(['p0-0', 'p0-1', 'p0-2']);
    expect(c.position({ topic, partition: 0 })).toBe(3n); // rewound to the failed record
    await c.close();

    expect(await committed(groupId, topic, 1)).toEqual([3n]);
    expect(await readRest(groupId, topic, 7)).toEqual(all(1, 10).slice(3));
  });

  it('run() again after a handler error redelivers the failed record first', async () => {
    const topic = await topicWith(1, 10);
    const c = consumer({ groupId: uniqueTopic('g'), maxPollRecords: 4 });
    c.subscribe([topic]);
    let failures = 0;
    const err = await c
      .run({
        eachMessage: ({ message }) => {
          if (message.offset === 5n && failures++ === 0) throw new Error('transient');
        },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ offset: 5n });
    const seen: bigint[] = [];
    const stop = new AbortController();
    await c.run({
      signal: stop.signal,
      eachMessage: ({ message }) => {
        seen.push(message.offset);
        if (message.offset === 9n) stop.abort();
      },
    });
    expect(seen).toEqual([5n, 6n, 7n, 8n, 9n]);
  });

  it('run() with eachBatch: a batch handler that throws commits nothing of that batch, nor of batches of other partitions not handled yet', async () => {
    const topic = await topicWith(3, 10);
    const groupId = uniqueTopic('g');
    const c = await fetchedAhead(groupId, topic, 3);
    const handled: string[] = [];
    let batches = 0;
    const err = await c
      .run({
        eachBatch: (batch) => {
          if (++batches === 2) throw new Error('second batch fails');
          for (const r of batch.records) handled.push(String(r.value));
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HandlerError);
    expect(handled).toHaveLength(10); // one batch of the three the poll handed out
    await c.commit();
    await c.close();
    const rest = await readRest(groupId, topic, 30 - handled.length);
    // Every record once: handled, or read by the next member; the failed batch among the latter.
    expect([...handled, ...rest].sort()).toEqual(all(3, 10).sort());
    const { partition, offset } = err as HandlerError;
    expect(offset).toBe(0n);
    expect(rest).toContain(`p${partition}-0`);
  });

  it('the async iterator: a break leaves the batches of the poll it did not yield uncommitted', async () => {
    const topic = await topicWith(3, 10);
    const groupId = uniqueTopic('g');
    const c = await fetchedAhead(groupId, topic, 3);
    const yielded: string[] = [];
    for await (const batch of c) {
      for (const r of batch.records) yielded.push(String(r.value));
      break;
    }
    expect(yielded).toHaveLength(10);
    await c.commit();
    await c.close();
    const rest = await readRest(groupId, topic, 20);
    expect(rest.filter((v) => yielded.includes(v))).toEqual([]);
    expect([...yielded, ...rest].sort()).toEqual(all(3, 10).sort());
  });

  it('a rebalance after a handler error commits up to the failed record', async () => {
    const topic = await topicWith(2, 10);
    const groupId = uniqueTopic('g');
    let atRevoke: Promise<(bigint | null)[]> | null = null;
    let watching = false;
    const c = consumer({ groupId });
    c.subscribe([topic], {
      onPartitionsRevoked: () => {
        if (watching) atRevoke ??= committed(groupId, topic, 2);
      },
    });
    const err = await c
      .run({
        eachMessage: ({ partition, message }) => {
          if (partition === 0 && message.offset === 4n) throw new Error('no');
        },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ partition: 0, offset: 4n });
    // Paused, polls hand nothing out (which would count as processed); a second member joins,
    // and the first one's next polls revoke everything (eager), committing first.
    watching = true;
    c.pause(c.assignment());
    const other = consumer({ groupId });
    other.subscribe([topic]);
    for (let i = 0; i < 60 && (atRevoke === null || other.assignment().length === 0); i++) {
      await Promise.all([c.poll({ timeoutMs: 200 }), other.poll({ timeoutMs: 200 })]);
    }
    expect(atRevoke).not.toBeNull();
    expect((await (atRevoke as unknown as Promise<(bigint | null)[]>))[0]).toBe(4n);
  });
});

describe('close(), as Java closes', () => {
  it('calls onPartitionsRevoked after the final auto-commit, where a commit by hand still goes in, then leaves', async () => {
    const topic = await topicWith(2, 5);
    const groupId = uniqueTopic('g');
    const calls: string[] = [];
    const c = consumer({ groupId, enableAutoCommit: false });
    c.subscribe([topic], {
      onPartitionsRevoked: async (partitions) => {
        calls.push(`revoked ${partitions.map((p) => p.partition).join(',')}`);
        // The usual Java pattern: commit by hand what was processed.
        await c.commit(partitions.map((p) => ({ ...p, offset: 2 })));
        calls.push('committed');
      },
      onPartitionsLost: () => {
        calls.push('lost');
      },
    });
    let n = 0;
    while (n < 10) for (const b of await c.poll({ timeoutMs: 500 })) n += b.records.length;
    await c.close();
    expect(calls).toEqual(['revoked 0,1', 'committed']);
    expect(await committed(groupId, topic, 2)).toEqual([2n, 2n]);
    const [group] = await admin.describeGroups([groupId]);
    expect(group.members).toEqual([]); // and it left
  });

  it('with auto-commit, onPartitionsRevoked sees the final commit already made', async () => {
    const topic = await topicWith(1, 5);
    const groupId = uniqueTopic('g');
    let seen: (bigint | null)[] | null = null;
    const c = consumer({ groupId, autoCommitIntervalMs: 60_000 });
    c.subscribe([topic], {
      onPartitionsRevoked: async () => {
        seen = await committed(groupId, topic, 1);
      },
    });
    let n = 0;
    while (n < 5) for (const b of await c.poll({ timeoutMs: 500 })) n += b.records.length;
    await c.close();
    expect(seen).toEqual([5n]);
  });

  it('calls onPartitionsLost instead once the member lost its place, and commits nothing', async () => {
    const topic = await topicWith(1, 5);
    const groupId = uniqueTopic('g');
    const calls: string[] = [];
    const c = consumer({ groupId, maxPollIntervalMs: 1500 });
    c.subscribe([topic], {
      onPartitionsRevoked: () => {
        calls.push('revoked');
      },
      onPartitionsLost: () => {
        calls.push('lost');
      },
    });
    let n = 0;
    while (n < 5) for (const b of await c.poll({ timeoutMs: 500 })) n += b.records.length;
    await waitFor(
      () => (c as unknown as { group: { membership: { lost: boolean } } }).group.membership.lost,
      'the poll watchdog',
    );
    await c.close();
    expect(calls).toEqual(['lost']);
    expect(await committed(groupId, topic, 1)).toEqual([null]);
  });
});

describe('one reader at a time', () => {
  it('a second poll while one is running rejects with an IllegalStateError and starts no second join', async () => {
    const topic = await topicWith(1, 3);
    const c = consumer({ groupId: uniqueTopic('g') });
    c.subscribe([topic]);
    const joins = vi.spyOn(GroupMembership.prototype, 'join');
    try {
      const first = c.poll({ timeoutMs: 3000 });
      const second = c.poll({ timeoutMs: 3000 });
      await expect(second).rejects.toBeInstanceOf(IllegalStateError);
      await expect(second).rejects.toThrow(/poll\(\) is under way/);
      await first;
      expect(joins).toHaveBeenCalledTimes(1);
    } finally {
      joins.mockRestore();
    }
  });

  it('poll() during run() and run() during poll() reject; each works once the other is done', async () => {
    const topic = await topicWith(1, 3);
    const c = consumer();
    c.assign([{ topic, partition: 0 }]);
    const stop = new AbortController();
    let inRun: unknown = null;
    const running = c.run({
      signal: stop.signal,
      eachMessage: async () => {
        inRun ??= await c.poll({ timeoutMs: 10 }).catch((e: unknown) => e);
        stop.abort();
      },
    });
    await running;
    expect(inRun).toBeInstanceOf(IllegalStateError);
    const polling = c.poll({ timeoutMs: 300 });
    await expect(c.run({ eachMessage: () => {} })).rejects.toBeInstanceOf(IllegalStateError);
    await polling;
  });
});

describe('wrong-state calls', () => {
  it('throw IllegalStateError, not ConfigError: a partition not assigned, a closed consumer', async () => {
    const c = consumer();
    c.assign([{ topic: 'some-topic', partition: 0 }]);
    const unassigned: TopicPartition = { topic: 'some-topic', partition: 3 };
    for (const call of [
      () => c.seek(unassigned, 0),
      () => c.position(unassigned),
      () => c.pause([unassigned]),
    ]) {
      expect(call).toThrow(IllegalStateError);
      expect(call).not.toThrow(ConfigError);
      expect(call).toThrow('No current assignment for partition some-topic-3');
    }
    await c.close();
    await expect(c.poll()).rejects.toBeInstanceOf(IllegalStateError);
    expect(() => c.assign([])).toThrow(IllegalStateError);
    await expect(c.commit()).rejects.toBeInstanceOf(IllegalStateError);
  });
});

describe('topics the cluster does not have', () => {
  /** Counts the requests this process sends from now on, by API key. */
  function countRequests(): { count(apiKey: number): number; restore(): void } {
    const send = vi.spyOn(Connection.prototype, 'send');
    return {
      count: (apiKey) => send.mock.calls.filter((call) => (call[0] as { key: number }).key === apiKey).length,
      restore: () => send.mockRestore(),
    };
  }

  it('a subscription to a topic that does not exist emits topicNotFound once, and reads the topic once it is created', async () => {
    const topic = uniqueTopic('not-yet');
    const c = consumer({ groupId: uniqueTopic('g') });
    const events: TopicNotFound[] = [];
    c.on('topicNotFound', (e) => events.push(e));
    c.subscribe([topic]);
    for (let i = 0; i < 6; i++) await c.poll({ timeoutMs: 250 });
    expect(events).toEqual([{ topic, partitions: [] }]);

    await createTopic(cluster, topic, 1);
    const producer = new Producer({ bootstrapServers: brokers() });
    await producer.send([{ topic, value: 'hello' }]);
    await producer.close();
    const got: string[] = [];
    const until = Date.now() + 20_000;
    while (got.length === 0 && Date.now() < until) {
      for (const b of await c.poll({ timeoutMs: 500 })) for (const r of b.records) got.push(String(r.value));
    }
    expect(got).toEqual(['hello']);
    expect(events).toHaveLength(1);
  });

  it('an assigned topic that is deleted emits topicNotFound with its partitions, and they stop being fetched', async () => {
    const topic = await topicWith(2, 3);
    const c = consumer({ retryBackoffMs: 50, retryBackoffMaxMs: 200 });
    const events: TopicNotFound[] = [];
    c.on('topicNotFound', (e) => events.push(e));
    c.assign([
      { topic, partition: 0 },
      { topic, partition: 1 },
    ]);
    let n = 0;
    while (n < 6) for (const b of await c.poll({ timeoutMs: 500 })) n += b.records.length;
    await admin.deleteTopics([topic]);
    const until = Date.now() + 20_000;
    while (events.length === 0 && Date.now() < until) await c.poll({ timeoutMs: 200 }).catch(() => []);
    expect(events).toEqual([
      {
        topic,
        partitions: [
          { topic, partition: 0 },
          { topic, partition: 1 },
        ],
      },
    ]);
    // From now on: no fetch, and metadata asked again only as the backoff grows (it used to be
    // asked every retryBackoffMs, ~15 times in these 3 s, for good).
    const requests = countRequests();
    try {
      const end = Date.now() + 3000;
      while (Date.now() < end) await c.poll({ timeoutMs: 200 }).catch(() => []);
      expect(requests.count(1)).toBe(0); // Fetch
      expect(requests.count(3)).toBeLessThanOrEqual(8); // Metadata
    } finally {
      requests.restore();
    }
    expect(events).toHaveLength(1);
  });
});
