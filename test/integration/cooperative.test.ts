import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Consumer,
  type ConsumerBatch,
  CooperativeStickyAssignor,
  Producer,
  type TopicPartition,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, uniqueTopic } from '../harness/kafka.js';
import { PollingMember } from '../helpers/group-member.js';
import { createTopic, waitFor } from '../helpers/topics.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = new Cluster({ bootstrapServers: brokers() });
  await cluster.connect();
});
afterAll(() => cluster.close());

/**
 * Who owns which partition, as the members' rebalance listeners say, in the order they say it:
 * a partition given to one member while another has not revoked it is a violation.
 */
class Ledger {
  readonly owner = new Map<number, string>();
  readonly violations: string[] = [];

  assigned(member: string, partitions: number[]): void {
    for (const p of partitions) {
      const other = this.owner.get(p);
      if (other !== undefined && other !== member)
        this.violations.push(`${p} assigned to ${member} while ${other} owns it`);
      this.owner.set(p, member);
    }
  }

  revoked(member: string, partitions: number[]): void {
    for (const p of partitions) {
      if (this.owner.get(p) !== member) this.violations.push(`${member} revoked ${p}, which it did not own`);
      this.owner.delete(p);
    }
  }

  of(member: string): number[] {
    return [...this.owner]
      .filter(([, m]) => m === member)
      .map(([p]) => p)
      .sort((a, b) => a - b);
  }
}

interface ListenerCall {
  kind: 'assigned' | 'revoked' | 'lost';
  partitions: number[];
}

/** A cooperative-sticky member that polls in the background, processes, then commits. */
class Member extends PollingMember {
  readonly calls: ListenerCall[] = [];
  /** Every record processed, with whether this member had a join in flight when poll returned it. */
  readonly processed: { value: string; partition: number; duringJoin: boolean }[] = [];
  constructor(
    readonly name: string,
    groupId: string,
    topic: string,
    ledger: Ledger,
  ) {
    super(
      new Consumer({
        bootstrapServers: brokers(),
        groupId,
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
        sessionTimeoutMs: 6000,
        heartbeatIntervalMs: 500,
        partitionAssignmentStrategy: [CooperativeStickyAssignor],
      }),
    );
    const nums = (tps: TopicPartition[]) => tps.map((tp) => tp.partition).sort((a, b) => a - b);
    this.consumer.subscribe([topic], {
      onPartitionsAssigned: (tps) => {
        this.calls.push({ kind: 'assigned', partitions: nums(tps) });
        ledger.assigned(name, nums(tps));
      },
      onPartitionsRevoked: (tps) => {
        this.calls.push({ kind: 'revoked', partitions: nums(tps) });
        ledger.revoked(name, nums(tps));
      },
      onPartitionsLost: (tps) => {
        this.calls.push({ kind: 'lost', partitions: nums(tps) });
        ledger.revoked(name, nums(tps));
      },
    });
    this.start();
  }

  private joinInFlight(): boolean {
    return (this.consumer as unknown as { group: { joinInFlight: boolean } }).group.joinInFlight;
  }

  protected handle(batches: ConsumerBatch[]): void {
    const duringJoin = this.joinInFlight();
    for (const b of batches)
      for (const r of b.records)
        this.processed.push({ value: r.value?.toString() ?? '', partition: b.partition, duringJoin });
  }
}

describe('cooperative rebalancing (KIP-429) against the real broker', () => {
  it('moves only the partitions a new member needs, never owned twice, while the others keep consuming', async () => {
    const topic = uniqueTopic('coop');
    const groupId = uniqueTopic('g');
    await createTopic(cluster, topic, 6);
    const ledger = new Ledger();
    const producer = new Producer({ bootstrapServers: brokers() });
    let sent = 0;
    const produce = async (prefix: string, perPartition: number) => {
      const records = [];
      for (let i = 0; i < perPartition; i++)
        for (let p = 0; p < 6; p++) records.push({ topic, partition: p, value: `${prefix}-${p}-${i}` });
      await producer.send(records);
      sent += records.length;
    };
    const members: Member[] = [];
    const seen = () => new Set(members.flatMap((m) => m.processed.map((r) => r.value)));
    try {
      await produce('before', 100);

      // a alone owns all six; b joins and gets three of them in two steps.
      const a = new Member('a', groupId, topic, ledger);
      members.push(a);
      await waitFor(() => a.partitions().length === 6, 'a to own all six partitions');
      const b = new Member('b', groupId, topic, ledger);
      members.push(b);
      await waitFor(
        () => a.partitions().length === 3 && b.partitions().length === 3,
        'a 3-3 split between a and b',
        30_000,
      );
      await waitFor(() => seen().size === sent, `the first ${sent} records`);
      expect(a.calls.filter((c) => c.kind === 'revoked').map((c) => c.partitions.length)).toEqual([3]);
      const aBefore = a.partitions();
      const bBefore = b.partitions();
      const callsBefore = { a: a.calls.length, b: b.calls.length };

      // c joins while records keep coming to every partition.
      let producing = true;
      const background = (async () => {
        for (let i = 0; producing; i++) {
          await produce(`during${i}`, 1);
          await new Promise((r) => setTimeout(r, 25));
        }
      })();
      const c = new Member('c', groupId, topic, ledger);
      members.push(c);
      await waitFor(
        () => a.partitions().length === 2 && b.partitions().length === 2 && c.partitions().length === 2,
        'a 2-2-2 split after c joined',
        30_000,
      );
      await new Promise((r) => setTimeout(r, 1000));
      producing = false;
      await background;
      await produce('after', 50);
      await waitFor(() => seen().size === sent, `all ${sent} records`, 30_000);

      expect(ledger.violations).toEqual([]);
      // a and b each gave up exactly the one partition that moved, in one call, and nothing else.
      for (const [m, before] of [
        [a, aBefore],
        [b, bBefore],
      ] as const) {
        const since = m.calls.slice(callsBefore[m.name as 'a' | 'b']);
        const revoked = since.filter((x) => x.kind === 'revoked');
        expect(revoked).toHaveLength(1);
        expect(revoked[0].partitions).toHaveLength(1);
        expect(since.filter((x) => x.kind === 'lost')).toEqual([]);
        expect(since.filter((x) => x.kind === 'assigned').flatMap((x) => x.partitions)).toEqual([]);
        expect(m.partitions()).toEqual(before.filter((p) => p !== revoked[0].partitions[0]));
      }
      // c got the two freed partitions, and nothing was revoked from it.
      expect(c.calls.filter((x) => x.kind !== 'assigned')).toEqual([]);
      const cGot = c.calls.flatMap((x) => x.partitions).sort((x, y) => x - y);
      expect(cGot).toHaveLength(2);
      expect(cGot).toEqual(c.partitions());
      expect([...a.partitions(), ...b.partitions(), ...c.partitions()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      for (const m of members) expect(ledger.of(m.name)).toEqual(m.partitions());

      // a and b kept reading their kept partitions while their joins were in flight.
      const keptDuringJoin = [a, b].flatMap((m) =>
        m.processed.filter((r) => r.duringJoin && m.partitions().includes(r.partition)),
      );
      expect(keptDuringJoin.length).toBeGreaterThan(0);
      // Every record produced before, during and after the rebalance was read.
      expect(seen().size).toBe(sent);
      expect(members.reduce((n, m) => n + m.processed.length, 0)).toBeGreaterThanOrEqual(sent);
    } finally {
      await producer.close();
      for (const m of members) await m.stop();
    }
  }, 120_000);
});
