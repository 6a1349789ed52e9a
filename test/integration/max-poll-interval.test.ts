/**
 * maxPollIntervalMs (Java `max.poll.interval.ms`) against the real broker: a member whose
 * application stops polling leaves the group although its heartbeats go on, the other member
 * takes its partitions from the last committed offsets, and the stalled member learns of it
 * when it comes back (its commit is refused, its next poll calls onPartitionsLost) and rejoins.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Admin,
  type Assignor,
  Consumer,
  type ConsumerBatch,
  CooperativeStickyAssignor,
  ErrorCode,
  KafkaError,
  Producer,
  RangeAssignor,
  type TopicPartition,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { PollingMember } from '../helpers/group-member.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const MAX_POLL_INTERVAL_MS = 3000;
/** Far above the poll interval, and heartbeats every 500 ms: only the poll watchdog can remove a member. */
const SESSION_TIMEOUT_MS = 10_000;
const PARTITIONS = 6;

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

interface Processed {
  partition: number;
  offset: bigint;
  value: string;
}

interface ListenerCall {
  kind: 'assigned' | 'revoked' | 'lost';
  partitions: number[];
}

/**
 * A member that processes each poll's records, then commits. `stallNextBatch()` makes it hang
 * in the processing of its next non-empty poll until `release()`, as an application stuck on
 * a slow call does: the event loop stays free, so the heartbeats go on.
 */
class Member extends PollingMember {
  readonly processed: Processed[] = [];
  readonly calls: ListenerCall[] = [];
  readonly commitErrors: unknown[] = [];
  /** The records it was processing when it stalled. */
  stalledBatch: Processed[] | null = null;
  stalledAt = 0;
  private stallArmed = false;
  private releaseStall: (() => void) | null = null;

  constructor(groupId: string, topic: string, assignor: Assignor) {
    super(
      new Consumer({
        bootstrapServers: brokers(),
        groupId,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
        maxPollIntervalMs: MAX_POLL_INTERVAL_MS,
        sessionTimeoutMs: SESSION_TIMEOUT_MS,
        heartbeatIntervalMs: 500,
        partitionAssignmentStrategy: [assignor],
      }),
    );
    const nums = (tps: TopicPartition[]) => tps.map((tp) => tp.partition).sort((a, b) => a - b);
    this.consumer.subscribe([topic], {
      onPartitionsAssigned: (tps) => {
        this.calls.push({ kind: 'assigned', partitions: nums(tps) });
      },
      onPartitionsRevoked: (tps) => {
        this.calls.push({ kind: 'revoked', partitions: nums(tps) });
      },
      onPartitionsLost: (tps) => {
        this.calls.push({ kind: 'lost', partitions: nums(tps) });
      },
    });
    this.start();
  }

  stallNextBatch(): void {
    this.stallArmed = true;
  }

  get stalled(): boolean {
    return this.releaseStall !== null;
  }

  release(): void {
    this.releaseStall?.();
    this.releaseStall = null;
  }

  protected async handle(batches: ConsumerBatch[]): Promise<void> {
    const records = batches.flatMap((b) =>
      b.records.map((r) => ({ partition: b.partition, offset: r.offset, value: r.value?.toString() ?? '' })),
    );
    if (records.length > 0 && this.stallArmed) {
      this.stallArmed = false;
      this.stalledBatch = records;
      this.stalledAt = Date.now();
      await new Promise<void>((resolve) => {
        this.releaseStall = resolve;
      });
    }
    this.processed.push(...records);
  }

  protected override commitFailed(err: unknown): void {
    this.commitErrors.push(err);
  }

  /** Stops polling, without waiting for a stalled processing to end. */
  override async stop(): Promise<void> {
    this.release();
    await super.stop();
  }
}

describe('maxPollIntervalMs against the real broker', () => {
  it.each([
    ['eager', RangeAssignor],
    ['cooperative', CooperativeStickyAssignor],
  ] as const)(
    '%s: a member stalled past it leaves although it heartbeats, the other takes its partitions from the committed offsets, and the stalled one learns of it on its next poll and rejoins',
    async (_protocol, assignor) => {
      const topic = uniqueTopic('stall');
      const groupId = uniqueTopic('g');
      await createTopic(cluster, topic, PARTITIONS);
      const producer = new Producer({ bootstrapServers: brokers() });
      const produced: string[] = [];
      const produce = async (phase: string, perPartition: number) => {
        const records = [];
        for (let i = 0; i < perPartition; i++)
          for (let p = 0; p < PARTITIONS; p++)
            records.push({ topic, partition: p, value: `${phase}-${p}-${i}` });
        await producer.send(records);
        produced.push(...records.map((r) => r.value));
      };
      const healthy = new Member(groupId, topic, assignor);
      const stalling = new Member(groupId, topic, assignor);
      const members = [healthy, stalling];
      const seen = () => new Set(members.flatMap((m) => m.processed.map((r) => r.value)));
      const lag = async () => (await admin.groupLag(groupId, [topic])).total;
      const committed = async (partitions: number[]) => {
        const offsets = await admin.groupOffsets(groupId);
        return partitions.map((p) => offsets.find((o) => o.topic === topic && o.partition === p)?.offset);
      };
      try {
        await waitFor(
          () => healthy.partitions().length === 3 && stalling.partitions().length === 3,
          'a 3-3 split',
        );

        // Phase 1: both process and commit everything.
        await produce('one', 20);
        await waitFor(() => seen().size === produced.length, 'phase one processed');
        await waitFor(async () => (await lag()) === 0n, 'phase one committed');
        const stalledPartitions = stalling.partitions();
        expect(await committed(stalledPartitions)).toEqual([20n, 20n, 20n]);

        // Phase 2: the stalling member hangs in processing its first batch of it.
        stalling.stallNextBatch();
        await produce('two', 20);
        await waitFor(() => stalling.stalled, 'the stalling member to get a batch and hang on it');
        const held = stalling.stalledBatch ?? [];
        expect(held.length).toBeGreaterThan(0);

        // (a) The healthy member owns all six partitions within the poll interval plus a
        // rebalance, well before the session timeout could have removed the stalled member (it
        // never would: its heartbeats go on).
        await waitFor(
          () => healthy.partitions().length === PARTITIONS,
          'the healthy member to take every partition',
          MAX_POLL_INTERVAL_MS + 5000,
        );
        const takeoverMs = Date.now() - stalling.stalledAt;
        expect(takeoverMs).toBeLessThan(SESSION_TIMEOUT_MS);
        expect(stalling.stalled).toBe(true);
        const [group] = await admin.describeGroups([groupId]);
        expect(group.members).toHaveLength(1);
        expect(group.members[0].assignment.map((tp) => tp.partition).sort()).toEqual([0, 1, 2, 3, 4, 5]);
        // It has not polled: it has not heard of it yet.
        expect(stalling.calls.filter((c) => c.kind === 'lost')).toEqual([]);

        // The offsets it had not committed: its partitions restart at its last commit (20), so
        // the batch it hangs on is redelivered to the healthy member, and nothing before it (the
        // first record the healthy member processed of each is offset 20).
        await waitFor(
          () => held.every((r) => healthy.processed.some((h) => h.value === r.value)),
          'the held batch to be redelivered to the healthy member',
        );
        for (const p of stalledPartitions) {
          const offsets = healthy.processed.filter((r) => r.partition === p).map((r) => r.offset);
          expect(offsets[0]).toBe(20n);
        }
        await waitFor(() => seen().size === produced.length, 'phase two processed');
        await waitFor(async () => (await lag()) === 0n, 'phase two committed by the healthy member');

        // (b) The stalled member finishes its batch: the commit that follows is refused (the
        // group has moved on; its generation is gone), the next poll calls onPartitionsLost with
        // its old partitions (no onPartitionsRevoked: they were someone else's already), and it
        // rejoins and gets three partitions back.
        const callsBefore = stalling.calls.length;
        stalling.release();
        await waitFor(() => stalling.commitErrors.length > 0, 'the late commit to be refused');
        const refused = stalling.commitErrors[0];
        expect(refused).toBeInstanceOf(KafkaError);
        expect((refused as KafkaError).code).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
        // The late commit did not move the group's offsets back: nothing left to read.
        expect(await lag()).toBe(0n);
        await waitFor(
          () => healthy.partitions().length === 3 && stalling.partitions().length === 3,
          'the stalled member to rejoin and get three partitions back',
        );
        const after = stalling.calls.slice(callsBefore);
        expect(after[0]).toEqual({ kind: 'lost', partitions: stalledPartitions });
        expect(after.filter((c) => c.kind === 'revoked')).toEqual([]);
        expect(after.filter((c) => c.kind === 'lost')).toHaveLength(1);

        // (c) Phase 3 after the rejoin; every record produced was processed at least once.
        await produce('three', 20);
        await waitFor(() => seen().size === produced.length, 'phase three processed');
        await waitFor(async () => (await lag()) === 0n, 'phase three committed');
        expect(seen()).toEqual(new Set(produced));
        const processings = members.reduce((n, m) => n + m.processed.length, 0);
        expect(processings).toBeGreaterThanOrEqual(produced.length + held.length);
        expect(stalling.processed.some((r) => r.value.startsWith('three-'))).toBe(true);
      } finally {
        await producer.close();
        for (const m of members) await m.stop();
      }
    },
    60_000,
  );

  /** A consumer alone in its group, with a short poll interval; `lost` records onPartitionsLost. */
  const loneMember = (groupId: string, topic: string, lost: number[][]) => {
    const consumer = new Consumer({
      bootstrapServers: brokers(),
      groupId,
      autoOffsetReset: 'earliest',
      enableAutoCommit: false,
      maxPollIntervalMs: 1500,
      sessionTimeoutMs: SESSION_TIMEOUT_MS,
      heartbeatIntervalMs: 500,
    });
    consumer.subscribe([topic], {
      onPartitionsLost: (tps) => {
        lost.push(tps.map((tp) => tp.partition));
      },
    });
    return consumer;
  };

  it('a poll that waits longer than it on an idle topic keeps the member in the group: only time away from poll counts', async () => {
    const topic = uniqueTopic('idle');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, topic, 2);
    const lost: number[][] = [];
    const consumer = loneMember(groupId, topic, lost);
    try {
      await waitFor(async () => {
        await consumer.poll({ timeoutMs: 100 });
        return consumer.assignment().length === 2;
      }, 'the assignment');
      const [before] = await admin.describeGroups([groupId]);
      expect(before.members).toHaveLength(1);
      const waitMs = 2.5 * consumer.config.maxPollIntervalMs;
      const started = Date.now();
      expect(await consumer.poll({ timeoutMs: waitMs })).toEqual([]);
      expect(Date.now() - started).toBeGreaterThanOrEqual(waitMs - 10);
      const [after] = await admin.describeGroups([groupId]);
      expect(after.state).toBe('Stable');
      expect(after.members.map((m) => m.memberId)).toEqual([before.members[0].memberId]);
      await consumer.poll({ timeoutMs: 100 });
      expect(lost).toEqual([]);
      expect(consumer.assignment()).toHaveLength(2);
    } finally {
      await consumer.close();
    }
  });

  it('a lone member stalled past it: its late commit is refused though the group is empty, and after rejoining it reads the uncommitted records again', async () => {
    const topic = uniqueTopic('lone');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, topic, 1);
    const producer = new Producer({ bootstrapServers: brokers() });
    const values = Array.from({ length: 10 }, (_, i) => `v${i}`);
    await producer.send(values.map((value) => ({ topic, value })));
    await producer.close();
    const lost: number[][] = [];
    const consumer = loneMember(groupId, topic, lost);
    try {
      const read: string[] = [];
      await waitFor(async () => {
        for (const b of await consumer.poll({ timeoutMs: 100 }))
          for (const r of b.records) read.push(r.value?.toString() ?? '');
        return read.length === values.length;
      }, 'the ten records');
      // The application hangs in processing: the member leaves, and the group is empty.
      await waitFor(
        async () => (await admin.describeGroups([groupId]))[0].state === 'Empty',
        'the group to empty',
      );
      // The broker would take a commit without a member id in an empty group; the consumer refuses it.
      const refused = await consumer.commit().then(
        () => null,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(KafkaError);
      expect((refused as KafkaError).code).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
      expect(await admin.groupOffsets(groupId)).toEqual([]);
      // The next poll reports the partition lost, rejoins, and starts again where nothing was committed.
      const again: string[] = [];
      await waitFor(async () => {
        for (const b of await consumer.poll({ timeoutMs: 100 }))
          for (const r of b.records) again.push(r.value?.toString() ?? '');
        return again.length === values.length;
      }, 'the ten records again');
      expect(lost).toEqual([[0]]);
      expect(again).toEqual(values);
    } finally {
      await consumer.close();
    }
  });
});
