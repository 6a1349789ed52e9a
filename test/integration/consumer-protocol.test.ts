/**
 * The KIP-848 consumer group protocol (`groupProtocol: 'consumer'`) against the real broker:
 * members join, the broker assigns, partitions move incrementally as members come and go, and
 * every record is processed with no partition owned by two members at once. The broker's
 * group.consumer.* settings come from the launcher (heartbeat 500 ms, session 10 s).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Admin, Consumer, Producer } from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { ConfigError, UnsupportedFeatureError } from '../../src/protocol/errors.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';
import { HelperProcess } from '../helpers/helper-process.js';
import { createTopic, waitFor } from '../helpers/topics.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

const PARTITIONS = 6;

/** A group member in a child process (test/helpers/group-worker.ts). */
class ChildMember {
  readonly got: string[] = [];
  owns = -1;
  private readonly process: HelperProcess;
  constructor(topic: string, groupId: string, protocol: 'classic' | 'consumer') {
    const env = { GW_BROKERS: brokers(), GW_TOPIC: topic, GW_GROUP: groupId, GW_PROTOCOL: protocol };
    this.process = new HelperProcess('group-worker.ts', env, (l) => {
      if (l.startsWith('got ')) this.got.push(l.slice(4));
      else if (l.startsWith('owns ')) this.owns = Number(l.slice(5));
    });
  }
  kill(): void {
    void this.process.kill();
  }
}

/** Members of one group, each polling in its own loop, with an ownership check across them. */
class Group {
  readonly consumers: Consumer[] = [];
  readonly seen = new Map<string, number>();
  readonly owners = new Map<number, string>();
  readonly violations: string[] = [];
  private readonly loops: Promise<void>[] = [];
  private readonly stops: AbortController[] = [];

  constructor(
    readonly topic: string,
    readonly groupId: string,
  ) {}

  add(name: string, extra: Record<string, unknown> = {}): Consumer {
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      groupId: this.groupId,
      groupProtocol: 'consumer',
      autoOffsetReset: 'earliest',
      autoCommitIntervalMs: 200,
      ...extra,
    });
    consumer.subscribe([this.topic], {
      onPartitionsAssigned: (tps) => {
        for (const tp of tps) {
          const other = this.owners.get(tp.partition);
          if (other !== undefined && other !== name)
            this.violations.push(`${tp.partition}: ${name} while ${other}`);
          this.owners.set(tp.partition, name);
        }
      },
      onPartitionsRevoked: (tps) => {
        for (const tp of tps) if (this.owners.get(tp.partition) === name) this.owners.delete(tp.partition);
      },
      onPartitionsLost: (tps) => {
        for (const tp of tps) if (this.owners.get(tp.partition) === name) this.owners.delete(tp.partition);
      },
    });
    const stop = new AbortController();
    this.consumers.push(consumer);
    this.stops.push(stop);
    this.loops.push(
      (async () => {
        while (!stop.signal.aborted) {
          for (const b of await consumer.poll({ timeoutMs: 200, signal: stop.signal }))
            for (const r of b.records) {
              const v = r.value?.toString() ?? '';
              this.seen.set(v, (this.seen.get(v) ?? 0) + 1);
            }
        }
      })(),
    );
    return consumer;
  }

  /** Stops member `i`'s loop and closes it (commits, revokes, leaves). */
  async close(i: number): Promise<void> {
    this.stops[i].abort();
    await this.loops[i].catch(() => {});
    await this.consumers[i].close();
  }

  async closeAll(): Promise<void> {
    for (let i = 0; i < this.consumers.length; i++) if (!this.stops[i].signal.aborted) await this.close(i);
  }
}

async function produce(topic: string, from: number, count: number): Promise<void> {
  const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 5 });
  try {
    await producer.send(
      Array.from({ length: count }, (_, i) => ({ topic, key: `k${from + i}`, value: `v${from + i}` })),
    );
  } finally {
    await producer.close();
  }
}

describe("groupProtocol 'consumer' (KIP-848)", () => {
  if (kafkaMajor() < 4) {
    it('3.x: a poll fails with UnsupportedFeatureError naming group.version, within its deadline', async () => {
      const topic = uniqueTopic('kip848-3x');
      await createTopic(cluster, topic, 1);
      const consumer = new Consumer({
        bootstrapServers: brokers(),
        groupId: uniqueTopic('g'),
        groupProtocol: 'consumer',
      });
      try {
        consumer.subscribe([topic]);
        const started = Date.now();
        let err: unknown;
        while (err === undefined && Date.now() - started < 10_000)
          await consumer.poll({ timeoutMs: 500 }).catch((e: unknown) => (err = e));
        expect(err).toBeInstanceOf(UnsupportedFeatureError);
        expect(String((err as Error).message)).toContain('group.version');
      } finally {
        await consumer.close();
      }
    });
    return;
  }

  it('shares the partitions between members as they join and leave, every record processed, none owned twice', async () => {
    const topic = uniqueTopic('kip848');
    await createTopic(cluster, topic, PARTITIONS);
    const group = new Group(topic, uniqueTopic('kip848-group'));
    const admin = new Admin({ bootstrapServers: brokers() });
    try {
      await produce(topic, 0, 3000);
      const a = group.add('a');
      await waitFor(
        () => a.assignment().length === PARTITIONS,
        'the first member to own every partition',
        30_000,
      );
      const b = group.add('b');
      await waitFor(
        () =>
          a.assignment().length > 0 &&
          b.assignment().length > 0 &&
          a.assignment().length + b.assignment().length === PARTITIONS,
        'the partitions to be split between two members',
        30_000,
      );
      // The broker's view: a consumer-protocol group of two members, each owning what it was given.
      const [described] = await admin.describeConsumerGroups([group.groupId]);
      expect(described.error).toBeNull();
      expect(described.members).toHaveLength(2);
      expect(described.assignor).toBe('uniform');
      expect(described.members.flatMap((m) => m.assignment).length).toBe(PARTITIONS);
      for (const m of described.members) expect(m.subscribedTopics).toEqual([topic]);
      await produce(topic, 3000, 3000);
      const c = group.add('c');
      await waitFor(
        () => [a, b, c].every((m) => m.assignment().length === 2),
        'two partitions per member',
        30_000,
      );
      // Member a leaves: its partitions go to the other two.
      await group.close(0);
      await waitFor(
        () => b.assignment().length + c.assignment().length === PARTITIONS,
        'b and c to own every partition after a left',
        30_000,
      );
      await produce(topic, 6000, 3000);
      await waitFor(() => group.seen.size === 9000, 'every record to be processed', 60_000);
      expect(group.violations).toEqual([]);
      // At-least-once: a repeat only for records processed but not yet committed when a partition moved.
      const repeats = [...group.seen.values()].filter((n) => n > 1).length;
      expect(repeats).toBeLessThan(9000 * 0.2);
      // A classic group is not one of these.
      const [classic] = await admin.describeConsumerGroups([uniqueTopic('no-such-group')]);
      expect(classic.error?.type).toBe('GROUP_ID_NOT_FOUND');
    } finally {
      await group.closeAll();
      await admin.close();
    }
  }, 150_000);

  it("commits under the member epoch, and the admin client shows the group's offsets", async () => {
    const topic = uniqueTopic('kip848-commit');
    await createTopic(cluster, topic, 2);
    await produce(topic, 0, 200);
    const groupId = uniqueTopic('kip848-commit-group');
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      groupProtocol: 'consumer',
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
    });
    const admin = new Admin({ bootstrapServers: brokers() });
    try {
      consumer.subscribe([topic]);
      let read = 0;
      const deadline = Date.now() + 30_000;
      while (read < 200 && Date.now() < deadline)
        for (const b of await consumer.poll({ timeoutMs: 500 })) read += b.records.length;
      expect(read).toBe(200);
      await consumer.commit();
      const md = consumer.groupMetadata();
      expect(md.generationId).toBeGreaterThan(0);
      const offsets = await admin.groupOffsets(groupId);
      expect(offsets.map((o) => o.offset).reduce((x, y) => x + y, 0n)).toBe(200n);
    } finally {
      await consumer.close();
      await admin.close();
    }
  }, 60_000);

  it('gives a member killed with SIGKILL its partitions to the others after the session timeout, every record processed', async () => {
    const topic = uniqueTopic('kip848-kill');
    await createTopic(cluster, topic, PARTITIONS);
    const group = new Group(topic, uniqueTopic('kip848-kill-group'));
    const child = new ChildMember(topic, group.groupId, 'consumer');
    try {
      const ours = group.add('ours');
      await waitFor(
        () => child.owns === 3 && ours.assignment().length === 3,
        'a 3-3 split with the child',
        60_000,
      );
      await produce(topic, 0, 3000);
      const all = () => new Set([...group.seen.keys(), ...child.got]);
      await waitFor(() => all().size === 3000, 'the first 3000 records', 60_000);
      child.kill();
      // The broker's session timeout (10 s here) fences the dead member; its partitions come to us.
      await waitFor(
        () => ours.assignment().length === PARTITIONS,
        'the killed member’s partitions to move',
        40_000,
      );
      await produce(topic, 3000, 3000);
      await waitFor(() => all().size === 6000, 'every record after the kill', 60_000);
      expect(group.violations).toEqual([]);
      // The second half was read by us alone, once each.
      const second = [...group.seen].filter(([v]) => Number(v.slice(1)) >= 3000);
      expect(second.length).toBe(3000);
      expect(second.every(([, n]) => n === 1)).toBe(true);
    } finally {
      child.kill();
      await group.closeAll();
    }
  }, 180_000);

  it('upgrades a running classic group to the consumer protocol as members are replaced (KIP-848 online migration)', async () => {
    const topic = uniqueTopic('kip848-upgrade');
    await createTopic(cluster, topic, PARTITIONS);
    const groupId = uniqueTopic('kip848-upgrade-group');
    const admin = new Admin({ bootstrapServers: brokers() });
    const classic = new ChildMember(topic, groupId, 'classic');
    const group = new Group(topic, groupId);
    try {
      await waitFor(() => classic.owns === PARTITIONS, 'the classic member to own every partition', 60_000);
      await produce(topic, 0, 2000);
      await waitFor(() => classic.got.length >= 2000, 'the classic member to read the first records', 60_000);
      // A consumer-protocol member joins the classic group: the broker converts it (policy
      // group.consumer.migration.policy, bidirectional by default) and rebalances across both.
      const modern = group.add('modern');
      await waitFor(() => modern.assignment().length > 0, 'the new member to get partitions', 60_000);
      const [converted] = await admin.describeConsumerGroups([groupId]);
      expect(converted.error).toBeNull();
      expect(converted.members).toHaveLength(2);
      // The classic member goes (killed: its session expires); the new one takes everything.
      classic.kill();
      await waitFor(
        () => modern.assignment().length === PARTITIONS,
        'the new member to own every partition',
        60_000,
      );
      await produce(topic, 2000, 2000);
      await waitFor(
        () => new Set([...classic.got, ...group.seen.keys()]).size === 4000,
        'every record across the upgrade',
        60_000,
      );
      const [after] = await admin.describeConsumerGroups([groupId]);
      expect(after.members.map((m) => m.assignment.length)).toEqual([PARTITIONS]);
      // Nothing the classic member committed was read again.
      const overlap = classic.got.filter((v) => group.seen.has(v)).length;
      expect(overlap).toBeLessThan(2000);
    } finally {
      classic.kill();
      await group.closeAll();
      await admin.close();
    }
  }, 180_000);

  it('keeps a static member’s partitions across a restart within the session timeout, with no rebalance', async () => {
    const topic = uniqueTopic('kip848-static');
    await createTopic(cluster, topic, PARTITIONS);
    const groupId = uniqueTopic('kip848-static-group');
    const admin = new Admin({ bootstrapServers: brokers() });
    const make = (instance: string) =>
      new Consumer({
        bootstrapServers: brokers(),
        groupId,
        groupProtocol: 'consumer',
        groupInstanceId: instance,
      });
    const pollUntil = async (c: Consumer, done: () => boolean, what: string) => {
      const until = Date.now() + 30_000;
      while (!done() && Date.now() < until) await c.poll({ timeoutMs: 200 });
      expect(done(), what).toBe(true);
    };
    const a = make('static-a');
    const b = make('static-b');
    let b2: Consumer | null = null;
    try {
      a.subscribe([topic]);
      b.subscribe([topic]);
      await Promise.all([
        pollUntil(a, () => a.assignment().length === 3, 'a owns 3'),
        pollUntil(b, () => b.assignment().length === 3, 'b owns 3'),
      ]);
      const before = b
        .assignment()
        .map((tp) => tp.partition)
        .sort();
      const epochBefore = (await admin.describeConsumerGroups([groupId]))[0].groupEpoch;
      await b.close(); // static: leaves with epoch -2, keeping its place
      b2 = make('static-b');
      b2.subscribe([topic]);
      const again = b2;
      await pollUntil(again, () => again.assignment().length === 3, 'the restarted b owns 3');
      expect(
        again
          .assignment()
          .map((tp) => tp.partition)
          .sort(),
      ).toEqual(before);
      const [after] = await admin.describeConsumerGroups([groupId]);
      expect(after.groupEpoch).toBe(epochBefore); // no new assignment was computed
      expect(after.members.map((m) => m.groupInstanceId).sort()).toEqual(['static-a', 'static-b']);
      expect(a.assignment()).toHaveLength(3);
    } finally {
      await Promise.all([a.close(), b.close(), b2?.close()]);
      await admin.close();
    }
  }, 90_000);

  it('leaves the group when the application goes longer than maxPollIntervalMs between polls, and joins again on the next poll', async () => {
    const topic = uniqueTopic('kip848-poll');
    await createTopic(cluster, topic, 2);
    const groupId = uniqueTopic('kip848-poll-group');
    const lost: number[] = [];
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      groupProtocol: 'consumer',
      maxPollIntervalMs: 2000,
    });
    const other = new Consumer({ bootstrapServers: brokers(), groupId, groupProtocol: 'consumer' });
    try {
      consumer.subscribe([topic], { onPartitionsLost: (tps) => void lost.push(tps.length) });
      const until = Date.now() + 30_000;
      while (consumer.assignment().length < 2 && Date.now() < until) await consumer.poll({ timeoutMs: 200 });
      expect(consumer.assignment()).toHaveLength(2);
      other.subscribe([topic]);
      // The application stalls: past maxPollIntervalMs the member leaves, and the other takes both.
      const stallUntil = Date.now() + 30_000;
      while (other.assignment().length < 2 && Date.now() < stallUntil) await other.poll({ timeoutMs: 200 });
      expect(other.assignment()).toHaveLength(2);
      // Back: the next poll reports the partitions lost and joins again as a new member.
      const back = Date.now() + 30_000;
      const rejoined = () =>
        lost.length > 0 && consumer.assignment().length === 1 && other.assignment().length === 1;
      while (!rejoined() && Date.now() < back) {
        await consumer.poll({ timeoutMs: 200 });
        await other.poll({ timeoutMs: 50 });
      }
      expect(lost).toEqual([2]);
      // Joined again: the uniform assignor splits the two partitions between the members.
      expect([consumer.assignment().length, other.assignment().length]).toEqual([1, 1]);
    } finally {
      await Promise.all([consumer.close(), other.close()]);
    }
  }, 90_000);

  it('follows a regex subscription (resolved by the client), topics created later included', async () => {
    const prefix = uniqueTopic('kip848re');
    await createTopic(cluster, `${prefix}-a`, 1);
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      groupId: uniqueTopic('kip848-re-group'),
      groupProtocol: 'consumer',
      metadataMaxAgeMs: 500,
    });
    try {
      consumer.subscribe(new RegExp(`^${prefix}-`));
      const owns = async (n: number) => {
        const until = Date.now() + 30_000;
        while (consumer.assignment().length < n && Date.now() < until)
          await consumer.poll({ timeoutMs: 200 });
        return consumer
          .assignment()
          .map((tp) => tp.topic)
          .sort();
      };
      expect(await owns(1)).toEqual([`${prefix}-a`]);
      await createTopic(cluster, `${prefix}-b`, 1);
      expect(await owns(2)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    } finally {
      await consumer.close();
    }
  }, 60_000);

  it('refuses the options the broker owns under this protocol', () => {
    for (const extra of [
      { sessionTimeoutMs: 10_000 },
      { heartbeatIntervalMs: 1000 },
      { partitionAssignmentStrategy: [] },
    ]) {
      expect(
        () =>
          new Consumer({
            bootstrapServers: brokers(),
            groupId: 'g',
            groupProtocol: 'consumer',
            ...extra,
          } as never),
      ).toThrow(ConfigError);
    }
    expect(
      () => new Consumer({ bootstrapServers: brokers(), groupId: 'g', groupRemoteAssignor: 'range' }),
    ).toThrow(/groupProtocol 'consumer'/);
  });
});
