/**
 * Share groups (KIP-932) against the real broker (4.x; a 3.9 broker has none, and a share
 * consumer says so), every record counted:
 * - 3 ShareConsumers and Java's console share consumer (a KafkaShareConsumer) on a 1-partition
 *   topic all receive records; each record accepted once; the group's start offset at the end;
 * - explicit acknowledgement: released records come again with a higher delivery count, rejected
 *   ones never, the rest accepted;
 * - close() releases what a consumer holds (records come back at once, not after the lock);
 * - a consumer process killed with records acquired: after the acquisition lock (3 s on the test
 *   broker) they go to the others, delivery count 2, nothing lost;
 * - the admin client and the CLI (`kafkawire share-groups`) describe the group, its members and
 *   start offsets, and delete it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Admin,
  Producer,
  ShareConsumer,
  type ShareConsumerConfig,
  type ShareRecord,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { UnsupportedFeatureError } from '../../src/protocol/errors.js';
import { buildDist, CLI_ENTRY } from '../harness/build.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';
import { kafkaLibs } from '../harness/launcher.js';
import { HelperProcess } from '../helpers/helper-process.js';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const run = promisify(execFile);

/** The built CLI (`kafkawire ARGS --json`), its stdout parsed. */
async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [CLI_ENTRY, ...args, '--json'], {
    env: { ...process.env, KAFKA_BROKERS: brokers() },
    timeout: 60_000,
  });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** A topic of `count` records `v0`..; and a share group on it that starts from the earliest offset. */
async function setUp(
  name: string,
  count: number,
  partitions = 1,
): Promise<{ topic: string; groupId: string }> {
  const topic = uniqueTopic(name);
  await createTopic(cluster, topic, partitions);
  const groupId = uniqueTopic(`${name}-g`);
  await admin.alterConfigs({ type: 'group', name: groupId }, [
    { name: 'share.auto.offset.reset', value: 'earliest', op: 'set' },
  ]);
  if (count > 0) {
    const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 5 });
    await producer.send(Array.from({ length: count }, (_, i) => ({ topic, key: `k${i}`, value: `v${i}` })));
    await producer.close();
  }
  return { topic, groupId };
}

function shareConsumer(groupId: string, extra: Partial<ShareConsumerConfig> = {}): ShareConsumer {
  return new ShareConsumer({
    bootstrapServers: brokers(),
    groupId,
    fetchMaxWaitMs: 200,
    maxPollRecords: 50,
    ...extra,
  });
}

describe('share groups (KIP-932)', () => {
  if (kafkaMajor() < 4) {
    it('3.x: a poll fails with UnsupportedFeatureError', async () => {
      const c = shareConsumer(uniqueTopic('g'));
      try {
        c.subscribe(['t']);
        await expect(c.poll({ timeoutMs: 3000 })).rejects.toBeInstanceOf(UnsupportedFeatureError);
      } finally {
        await c.close();
      }
    });
    return;
  }

  it('gives records of one partition to 3 share consumers and a Java KafkaShareConsumer, each accepted once', async () => {
    const total = 3000;
    const { topic, groupId } = await setUp('share-many', 0);
    const consumers = [shareConsumer(groupId), shareConsumer(groupId), shareConsumer(groupId)];
    const got = consumers.map(() => [] as string[]);
    const libs = await kafkaLibs();
    const java: ChildProcess = spawn(
      'java',
      [
        '-Xmx256m',
        '-cp',
        path.join(libs, '*'),
        'org.apache.kafka.tools.consumer.ConsoleShareConsumer',
        '--bootstrap-server',
        brokers(),
        '--topic',
        topic,
        '--group',
        groupId,
        '--consumer-property',
        'max.poll.records=50',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const javaGot: string[] = [];
    let javaBuffered = '';
    java.stdout?.on('data', (d: Buffer) => {
      javaBuffered += d.toString();
      const lines = javaBuffered.split('\n');
      javaBuffered = lines.pop() ?? '';
      for (const l of lines) if (l.startsWith('v')) javaGot.push(l.trim());
    });
    let stop = false;
    const loops = consumers.map(async (c, i) => {
      c.subscribe([topic]);
      while (!stop) {
        for (const r of await c.poll({ timeoutMs: 300 })) {
          got[i].push(String(r.value));
          await sleep(1); // some work per record, so that no one consumer takes everything
        }
      }
      await c.commit();
    });
    try {
      await waitFor(
        async () => (await admin.describeShareGroups([groupId]))[0].members.length === 4,
        'four members',
        60_000,
      );
      const producer = new Producer({ bootstrapServers: brokers(), lingerMs: 5 });
      for (let i = 0; i < total; i += 100)
        await producer.send(Array.from({ length: 100 }, (_, j) => ({ topic, value: `v${i + j}` })));
      await producer.close();
      const all = () => [...got.flat(), ...javaGot];
      await waitFor(() => new Set(all()).size === total, 'every record received', 90_000);
      stop = true;
      await Promise.all(loops);
      for (const [i, g] of got.entries()) expect(g.length, `consumer ${i}`).toBeGreaterThan(0);
      expect(javaGot.length, 'the Java share consumer').toBeGreaterThan(0);
      expect(all().length).toBe(total); // none twice
      // Every record acknowledged: the group's offsets show none left (lag 0) past a start offset
      // that moved (the broker moves it over acknowledged records as it goes).
      await waitFor(
        async () => {
          const [o] = await admin.shareGroupOffsets(groupId);
          return o !== undefined && o.lag === 0n && o.startOffset > 0n && o.startOffset <= BigInt(total);
        },
        'the group to have nothing left',
        30_000,
      );
    } finally {
      stop = true;
      java.kill('SIGKILL');
      await Promise.allSettled(loops);
      await Promise.all(consumers.map((c) => c.close()));
    }
  }, 180_000);

  it('redelivers released records with a higher delivery count, never rejected ones (explicit mode)', async () => {
    const { topic, groupId } = await setUp('share-explicit', 100);
    const c = shareConsumer(groupId, { shareAcknowledgementMode: 'explicit' });
    try {
      c.subscribe([topic]);
      const seen = new Map<string, number[]>();
      const until = Date.now() + 60_000;
      let accepted = 0;
      while (accepted < 100 - 10 && Date.now() < until) {
        for (const r of await c.poll({ timeoutMs: 500 })) {
          const v = String(r.value);
          seen.set(v, [...(seen.get(v) ?? []), r.deliveryCount]);
          const n = Number(v.slice(1));
          // v0-v9 rejected; v10-v19 released once, then accepted; the rest accepted.
          if (n < 10) c.acknowledge(r, 'reject');
          else if (n < 20 && r.deliveryCount === 1) c.acknowledge(r, 'release');
          else {
            c.acknowledge(r);
            accepted++;
          }
        }
      }
      await c.commit();
      expect(c.acquisitionLockTimeoutMs).toBe(3000); // the test broker's group.share.record.lock.duration.ms
      expect(accepted).toBe(90);
      for (let n = 0; n < 10; n++) expect(seen.get(`v${n}`), `v${n}`).toEqual([1]);
      for (let n = 10; n < 20; n++) expect(seen.get(`v${n}`), `v${n}`).toEqual([1, 2]);
      for (let n = 20; n < 100; n++) expect(seen.get(`v${n}`), `v${n}`).toEqual([1]);
      // A poll with a record not acknowledged is refused.
      const more = new Producer({ bootstrapServers: brokers() });
      await more.send({ topic, value: 'v100' });
      await more.close();
      let last: ShareRecord[] = [];
      const by = Date.now() + 20_000;
      while (last.length === 0 && Date.now() < by) last = await c.poll({ timeoutMs: 500 });
      expect(last.map((r) => String(r.value))).toEqual(['v100']);
      await expect(c.poll({ timeoutMs: 10 })).rejects.toThrow(/not acknowledged/);
      c.acknowledge(last[0]);
    } finally {
      await c.close();
    }
  }, 120_000);

  it('releases at close what a consumer holds: another one gets those records at once', async () => {
    const { topic, groupId } = await setUp('share-close', 40);
    const first = shareConsumer(groupId, { shareAcknowledgementMode: 'explicit', maxPollRecords: 40 });
    first.subscribe([topic]);
    let held: ShareRecord[] = [];
    const by = Date.now() + 30_000;
    while (held.length === 0 && Date.now() < by) held = await first.poll({ timeoutMs: 500 });
    expect(held.length).toBeGreaterThan(0);
    const closedAt = Date.now();
    await first.close(); // nothing acknowledged: all released
    const second = shareConsumer(groupId);
    try {
      second.subscribe([topic]);
      const got = new Map<string, number>();
      while (got.size < 40 && Date.now() - closedAt < 30_000)
        for (const r of await second.poll({ timeoutMs: 300 })) got.set(String(r.value), r.deliveryCount);
      expect(got.size).toBe(40);
      for (const r of held) expect(got.get(String(r.value)), String(r.value)).toBe(2);
      // Well before the 3 s acquisition lock would have run out (a join and a fetch).
      expect(Date.now() - closedAt).toBeLessThan(20_000);
    } finally {
      await second.close();
    }
    // Both closed: the admin client deletes the group.
    await waitFor(
      async () => (await admin.describeShareGroups([groupId]))[0].members.length === 0,
      'the group to empty',
      30_000,
    );
    const [deleted] = await admin.deleteShareGroups([groupId]);
    expect(deleted.error).toBeNull();
  }, 90_000);

  it('gives the records a killed consumer held to the others after the lock timeout, nothing lost', async () => {
    const total = 200;
    const { topic, groupId } = await setUp('share-kill', total);
    const acquired: string[] = [];
    const child = new HelperProcess(
      'share-holder.ts',
      { SH_BROKERS: brokers(), SH_TOPIC: topic, SH_GROUP: groupId },
      (line) => {
        if (line.startsWith('got ')) acquired.push(...line.slice(4).split(' '));
      },
    );
    const other = shareConsumer(groupId);
    const got = new Map<string, number>();
    try {
      await waitFor(() => acquired.length > 0, 'the child to acquire records', 60_000);
      await child.kill();
      const killedAt = Date.now();
      other.subscribe([topic]);
      while (got.size < total && Date.now() - killedAt < 60_000)
        for (const r of await other.poll({ timeoutMs: 300 })) got.set(String(r.value), r.deliveryCount);
      expect(got.size).toBe(total); // nothing lost
      for (const v of acquired) expect(got.get(v), v).toBe(2); // came back once the lock ran out
      const [group] = await admin.describeShareGroups([groupId]);
      expect(group.error).toBeNull();
      expect(group.members.map((m) => m.memberId)).toContain(other.memberId);
      // The CLI shows the same: the member with its partition, the start offset and lag.
      await buildDist();
      const shown = await cli('share-groups', 'describe', groupId);
      expect(
        (shown.members as { memberId: string; assignment: string[] }[]).find(
          (m) => m.memberId === other.memberId,
        )?.assignment,
      ).toEqual([`${topic}-0`]);
      const offsets = shown.offsets as { topic: string; partition: number; startOffset: string }[];
      expect(offsets.map((o) => [o.topic, o.partition])).toEqual([[topic, 0]]);
      expect(BigInt(offsets[0].startOffset)).toBeGreaterThanOrEqual(0n);
    } finally {
      await child.kill();
      await other.close();
    }
    // With no members left, the CLI deletes the group.
    await waitFor(
      async () => (await admin.describeShareGroups([groupId]))[0].members.length === 0,
      'the group to empty',
      30_000,
    );
    expect(await cli('share-groups', 'delete', groupId)).toEqual({ group: groupId, deleted: true });
    const [gone] = await admin.describeShareGroups([groupId]);
    expect(gone.error?.type).toBe('GROUP_ID_NOT_FOUND');
  }, 120_000);
});
