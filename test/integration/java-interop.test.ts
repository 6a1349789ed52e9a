/**
 * Interop with the reference implementation: what kafkawire produces, the Java console consumer
 * (kafka-tools of the broker's version from the Maven-fetched jars: 4.3.1, or 3.9.2 with
 * KAFKA_VERSION=3.9) reads intact, with every codec; and kafkawire and Java consumers share one
 * group, under the range and the cooperative-sticky assignors.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Admin,
  type Assignor,
  type CompressionType,
  Consumer,
  type ConsumerBatch,
  CooperativeStickyAssignor,
  Producer,
  RangeAssignor,
} from '../../src/index.js';
import { Cluster } from '../../src/network/cluster.js';
import { brokers, kafkaMajor, uniqueTopic } from '../harness/kafka.js';
import { kafkaLibs } from '../harness/launcher.js';
import { PollingMember } from '../helpers/group-member.js';
import { createTopic, waitFor } from '../helpers/topics.js';

const run = promisify(execFile);

/**
 * The console consumer's option names: `--formatter-property` / `--command-property` since KIP-1147
 * (4.x); 3.9's tool has only `--property` / `--consumer-property` (still accepted, deprecated, by 4.x).
 * Read once from the tool's own --help.
 */
let optionNames: Promise<{ formatter: string; consumer: string }> | undefined;
function consoleOptions(): Promise<{ formatter: string; consumer: string }> {
  optionNames ??= kafkaLibs().then(async (libs) => {
    const help = await run(
      'java',
      ['-cp', path.join(libs, '*'), 'org.apache.kafka.tools.consumer.ConsoleConsumer', '--help'],
      { timeout: 60_000 },
    ).catch((err: { stdout?: string; stderr?: string }) => ({
      stdout: err.stdout ?? '',
      stderr: err.stderr ?? '',
    }));
    const text = `${help.stdout}${help.stderr}`;
    if (!text.includes('--bootstrap-server')) throw new Error(`no usable ConsoleConsumer --help in ${libs}`);
    return text.includes('--formatter-property')
      ? { formatter: '--formatter-property', consumer: '--command-property' }
      : { formatter: '--property', consumer: '--consumer-property' };
  });
  return optionNames;
}

/** `java` arguments running the console consumer of the Maven-fetched kafka-tools on `topic`. */
async function consoleConsumerArgs(topic: string, ...args: string[]): Promise<string[]> {
  const libs = await kafkaLibs();
  const names = await consoleOptions();
  const renamed = args.map((a) =>
    a === '--formatter-property' ? names.formatter : a === '--command-property' ? names.consumer : a,
  );
  return [
    '-Xmx256m',
    '-XX:TieredStopAtLevel=1',
    '-cp',
    path.join(libs, '*'),
    'org.apache.kafka.tools.consumer.ConsoleConsumer',
    '--bootstrap-server',
    brokers(),
    '--topic',
    topic,
    ...renamed,
  ];
}

/** Runs the Java console consumer over a topic from the beginning, and returns its lines. */
async function javaConsume(topic: string, count: number): Promise<string[]> {
  const { stdout } = await run(
    'java',
    await consoleConsumerArgs(
      topic,
      '--from-beginning',
      '--max-messages',
      String(count),
      '--timeout-ms',
      '30000',
      '--formatter-property',
      'print.key=true',
      '--formatter-property',
      'print.headers=true',
      '--formatter-property',
      'print.partition=true',
      '--formatter-property',
      'key.separator=|',
      '--formatter-property',
      'headers.separator=;',
    ),
    { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 },
  );
  return stdout.split('\n').filter((l) => l.length > 0);
}

/**
 * A Java console consumer in a consumer group, printing each record's value on a line, until
 * `stop()`.
 */
class JavaGroupMember {
  private out = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  private constructor(args: string[]) {
    this.child = spawn('java', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.out += d.toString();
    });
    this.child.stderr?.resume();
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
  }

  static async start(topic: string, groupId: string, assignor: string): Promise<JavaGroupMember> {
    return new JavaGroupMember(
      await consoleConsumerArgs(
        topic,
        '--group',
        groupId,
        '--from-beginning',
        '--command-property',
        'session.timeout.ms=10000',
        '--command-property',
        'heartbeat.interval.ms=500',
        '--command-property',
        'auto.commit.interval.ms=500',
        '--command-property',
        `partition.assignment.strategy=org.apache.kafka.clients.consumer.${assignor}`,
      ),
    );
  }

  /** A member of a KIP-848 group (group.protocol=consumer: the broker assigns and times sessions). */
  static async startConsumerProtocol(topic: string, groupId: string): Promise<JavaGroupMember> {
    return new JavaGroupMember(
      await consoleConsumerArgs(
        topic,
        '--group',
        groupId,
        '--from-beginning',
        '--command-property',
        'group.protocol=consumer',
        '--command-property',
        'auto.commit.interval.ms=500',
      ),
    );
  }

  /** The values printed so far that match `record` (complete lines only; the tool logs to stdout too). */
  values(record: RegExp): string[] {
    return this.out
      .split('\n')
      .slice(0, -1)
      .filter((line) => record.test(line));
  }

  /** SIGTERM: the console consumer's shutdown hook closes it (commits, leaves the group). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

describe('the Java console consumer reads what kafkawire produces', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = new Cluster({ bootstrapServers: brokers() });
    await cluster.connect();
  });
  afterAll(() => cluster.close());

  const codecs: CompressionType[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
  it.each(codecs)(
    'with %s compression: keys, null keys, null values and headers',
    async (compressionType) => {
      const topic = uniqueTopic(`java-${compressionType}`);
      await createTopic(cluster, topic, 1);
      const producer = new Producer({ bootstrapServers: brokers(), compressionType, lingerMs: 10 });
      const count = 200;
      const records = Array.from({ length: count }, (_, i) => ({
        topic,
        key: i % 5 === 0 ? null : `key-${i}`,
        value: i % 13 === 0 ? null : `value-${i}-${'x'.repeat(i % 50)}`,
        headers: i % 2 === 0 ? { h1: `v${i}`, h2: 'two' } : undefined,
      }));
      try {
        await producer.send(records);
      } finally {
        await producer.close();
      }
      const lines = await javaConsume(topic, count);
      expect(lines).toHaveLength(count);
      lines.forEach((line, i) => {
        const r = records[i];
        // Java's DefaultMessageFormatter: Partition:N|headers|key|value, nulls printed as "null",
        // no headers as "NO_HEADERS".
        const headers = r.headers ? `h1:v${i};h2:two` : 'NO_HEADERS';
        expect(line).toBe(`Partition:0|${headers}|${r.key ?? 'null'}|${r.value ?? 'null'}`);
      });
    },
    120_000,
  );
});

/** A kafkawire member that records every value it processes; commits after each poll. */
class KafkawireMember extends PollingMember {
  readonly values: string[] = [];
  constructor(groupId: string, topic: string, assignor: Assignor) {
    super(
      new Consumer({
        bootstrapServers: brokers(),
        groupId,
        autoOffsetReset: 'earliest',
        sessionTimeoutMs: 10_000,
        heartbeatIntervalMs: 500,
        enableAutoCommit: false,
        partitionAssignmentStrategy: [assignor],
      }),
    );
    this.consumer.subscribe([topic]);
    this.start();
  }

  protected handle(batches: ConsumerBatch[]): void {
    for (const b of batches) for (const r of b.records) this.values.push(r.value?.toString() ?? '');
  }
}

describe('a kafkawire consumer and a Java consumer in one group', () => {
  it('split the partitions and together read every record once', async () => {
    const cluster = new Cluster({ bootstrapServers: brokers() });
    await cluster.connect();
    const topic = uniqueTopic('java-group');
    const groupId = uniqueTopic('mixed');
    await createTopic(cluster, topic, 6);
    await cluster.close();

    const ours = new KafkawireMember(groupId, topic, RangeAssignor);
    const java = await JavaGroupMember.start(topic, groupId, 'RangeAssignor');
    const isRecord = /^r\d+$/;
    try {
      // Both members in: the range assignor gives each three of the six partitions.
      await waitFor(() => ours.partitions().length === 3, 'the Java consumer to join and take half', 60_000);
      const total = 600;
      const producer = new Producer({ bootstrapServers: brokers() });
      await producer.send(
        Array.from({ length: total }, (_, i) => ({ topic, partition: i % 6, value: `r${i}` })),
      );
      await producer.close();
      await waitFor(
        () => new Set([...ours.values, ...java.values(isRecord)]).size === total,
        `all ${total} records`,
      );
      await java.stop();
      await ours.stop();
      const javaGot = java.values(isRecord);
      expect(ours.values.length).toBe(300);
      expect(javaGot.length).toBe(300);
      const all = [...ours.values, ...javaGot].sort();
      expect(new Set(all).size).toBe(total);
      expect(all).toEqual(Array.from({ length: total }, (_, i) => `r${i}`).sort());
    } finally {
      java.kill();
      await ours.stop();
    }
  }, 120_000);
});

describe('a kafkawire consumer and a Java consumer in one cooperative-sticky group', () => {
  it.each(['kafkawire', 'Java'] as const)(
    'with the %s consumer joining first (the leader): they split the partitions 3-3 and together read every record exactly once',
    async (first) => {
      const cluster = new Cluster({ bootstrapServers: brokers() });
      await cluster.connect();
      const topic = uniqueTopic('java-coop');
      const groupId = uniqueTopic('mixed-coop');
      await createTopic(cluster, topic, 6);
      await cluster.close();
      const admin = new Admin({ bootstrapServers: brokers() });
      const producer = new Producer({ bootstrapServers: brokers() });
      const produced: string[] = [];
      const produce = async (phase: string) => {
        const records = Array.from({ length: 300 }, (_, i) => ({
          topic,
          partition: i % 6,
          value: `${phase}-${i % 6}-${i}`,
        }));
        await producer.send(records);
        produced.push(...records.map((r) => r.value));
      };
      // Counts the assignments our member computes: only the group's leader runs its assignor.
      let ourAssignments = 0;
      const assignor: Assignor = {
        name: CooperativeStickyAssignor.name,
        protocol: CooperativeStickyAssignor.protocol,
        assign: (members, counts) => {
          ourAssignments++;
          return CooperativeStickyAssignor.assign(members, counts);
        },
      };
      const group = async () => (await admin.describeGroups([groupId]))[0];
      const lag = async () => (await admin.groupLag(groupId, [topic])).total;
      let ours: KafkawireMember | null = null;
      let java: JavaGroupMember | null = null;
      const isRecord = /^(one|two)-\d-\d+$/;
      const all = () => [...(ours?.values ?? []), ...(java?.values(isRecord) ?? [])];
      try {
        // Phase one: the first member, alone, reads and commits it all.
        await produce('one');
        if (first === 'kafkawire') ours = new KafkawireMember(groupId, topic, assignor);
        else java = await JavaGroupMember.start(topic, groupId, 'CooperativeStickyAssignor');
        await waitFor(() => all().length >= produced.length, 'the first member to read phase one', 60_000);
        await waitFor(async () => (await lag()) === 0n, 'the first member to commit phase one');

        // The second joins: two cooperative rounds (the first member revokes three partitions,
        // then the newcomer gets them), computed by the leader and decoded by the other client.
        if (first === 'kafkawire')
          java = await JavaGroupMember.start(topic, groupId, 'CooperativeStickyAssignor');
        else ours = new KafkawireMember(groupId, topic, assignor);
        const member = ours as KafkawireMember;
        await waitFor(
          async () => {
            const g = await group();
            return (
              g.state === 'Stable' &&
              g.members.length === 2 &&
              g.members.every((m) => m.assignment.length === 3) &&
              member.partitions().length === 3
            );
          },
          'a 3-3 split between the kafkawire and the Java member',
          60_000,
        );
        const g = await group();
        expect(g.protocol).toBe('cooperative-sticky');
        const split = g.members.map((m) => m.assignment.map((tp) => tp.partition).sort());
        expect(split.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
        expect(split).toContainEqual(member.partitions());
        const ourPartitions = member.partitions();
        const javaPartitions = [0, 1, 2, 3, 4, 5].filter((p) => !ourPartitions.includes(p));
        if (first === 'kafkawire') expect(ourAssignments).toBeGreaterThanOrEqual(2);
        else expect(ourAssignments).toBe(0);

        // Phase two: each reads its three partitions.
        await produce('two');
        await waitFor(() => new Set(all()).size === produced.length, 'every record of both phases', 30_000);
        await waitFor(async () => (await lag()) === 0n, 'both members to commit phase two');
        await java?.stop();
        await member.stop();
        const javaValues = java?.values(isRecord) ?? [];
        // Exactly once across the two: no value twice, none missing, and the moved partitions
        // resumed at the first member's commits (nobody read phase one again).
        expect(all().length).toBe(produced.length);
        expect([...all()].sort()).toEqual([...produced].sort());
        const phaseTwo = (values: string[]) => values.filter((v) => v.startsWith('two-'));
        expect(phaseTwo(member.values)).toHaveLength(150);
        expect(phaseTwo(javaValues)).toHaveLength(150);
        const partitionOf = (v: string) => Number(v.split('-')[1]);
        expect([...new Set(phaseTwo(javaValues).map(partitionOf))].sort()).toEqual(javaPartitions);
        expect([...new Set(phaseTwo(member.values).map(partitionOf))].sort()).toEqual(ourPartitions);
      } finally {
        java?.kill();
        await ours?.stop();
        await producer.close();
        await admin.close();
      }
    },
    120_000,
  );
});

/** A kafkawire member of a KIP-848 group; commits after each poll. */
class ConsumerProtocolMember extends PollingMember {
  readonly values: string[] = [];
  constructor(groupId: string, topic: string) {
    super(
      new Consumer({
        bootstrapServers: brokers(),
        groupId,
        groupProtocol: 'consumer',
        autoOffsetReset: 'earliest',
        enableAutoCommit: false,
      }),
    );
    this.consumer.subscribe([topic]);
    this.start();
  }

  protected handle(batches: ConsumerBatch[]): void {
    for (const b of batches) for (const r of b.records) this.values.push(r.value?.toString() ?? '');
  }
}

// 3.x has no consumer protocol: the suite is not defined there (an empty describe fails the
// run); consumer-protocol.test.ts checks the typed error a 3.x broker gives instead.
const kip848 = kafkaMajor() >= 4;
(kip848 ? describe : () => {})(
  "a kafkawire consumer and a Java consumer in one KIP-848 group (groupProtocol 'consumer')",
  () => {
    it('split the partitions 3-3, and after the Java member leaves kafkawire takes them all: every record read once', async () => {
      const cluster = new Cluster({ bootstrapServers: brokers() });
      await cluster.connect();
      const topic = uniqueTopic('java-848');
      const groupId = uniqueTopic('mixed-848');
      await createTopic(cluster, topic, 6);
      await cluster.close();
      const admin = new Admin({ bootstrapServers: brokers() });
      const ours = new ConsumerProtocolMember(groupId, topic);
      const java = await JavaGroupMember.startConsumerProtocol(topic, groupId);
      const isRecord = /^(one|two)-\d+$/;
      const producer = new Producer({ bootstrapServers: brokers() });
      try {
        await waitFor(() => ours.partitions().length === 3, 'the Java member to join and take half', 60_000);
        // The broker's view once both have reconciled: two members owning three partitions each.
        await waitFor(
          async () => {
            const [d] = await admin.describeConsumerGroups([groupId]);
            return d.members.length === 2 && d.members.every((m) => m.assignment.length === 3);
          },
          'both members to own three partitions',
          30_000,
        );
        await producer.send(
          Array.from({ length: 600 }, (_, i) => ({ topic, partition: i % 6, value: `one-${i}` })),
        );
        await waitFor(
          () => new Set([...ours.values, ...java.values(isRecord)]).size === 600,
          'all 600 records of the first phase',
          60_000,
        );
        await java.stop();
        await waitFor(() => ours.partitions().length === 6, 'kafkawire to take every partition', 60_000);
        await producer.send(
          Array.from({ length: 600 }, (_, i) => ({ topic, partition: i % 6, value: `two-${i}` })),
        );
        await waitFor(
          () => ours.values.filter((v) => v.startsWith('two-')).length >= 600,
          'the second phase',
          60_000,
        );
        await ours.stop();
        const all = [...ours.values, ...java.values(isRecord)];
        // Each member commits what it read (kafkawire after each poll, Java every 500 ms and on
        // close), so nothing is read twice.
        expect(new Set(all).size).toBe(1200);
        expect(all.length).toBe(1200);
      } finally {
        java.kill();
        await ours.stop();
        await producer.close();
        await admin.close();
      }
    }, 180_000);
  },
);
