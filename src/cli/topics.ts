/**
 * `kafkawire topics list|describe|create|delete|add-partitions`.
 *
 * Invariant: a change returns once metadata shows it (the topic has a leader for every
 * partition, is gone, or has its new partition count), so a script can use the topic on the
 * next line; a refusal from the broker is exit 1 with the broker's error.
 */
import type { Admin } from '../admin/admin.js';
import { ConfigSource } from '../protocol/apis/index.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError, TimeoutError } from '../protocol/errors.js';
import { intFlag, pairsFlag, parseCommand, positionals, splitAtCommand, UsageError } from './args.js';
import { brokersOf, type Context, describeExisting, withAdmin } from './context.js';
import { jsonLine, plural, table } from './output.js';

export const topicsHelp = `Usage: kafkawire topics ACTION [options]

Actions:
  list                                  topic names, one per line
      --internal                        include internal topics (__consumer_offsets, ...)
  describe TOPIC [TOPIC...]             partitions, leaders, replicas, ISR, offsets and
                                        the configs set on each topic
  create TOPIC                          create a topic
      --partitions N                    default: the broker's num.partitions
      --replication-factor N            default: the broker's default.replication.factor
      --config KEY=VALUE                a topic config (repeatable)
      --if-not-exists                   succeed (exit 0) if the topic exists already
  delete TOPIC                          delete a topic
  add-partitions TOPIC --partitions N   grow a topic to N partitions

Options:
  -b, --brokers LIST    host:port,... (default: $KAFKA_BROKERS)
      --json            JSON lines: one compact object per topic (list, describe) or
                        per result; errors as JSON
`;

const ACTIONS = {
  list: { internal: { type: 'boolean' } },
  describe: {},
  create: {
    partitions: { type: 'string' },
    'replication-factor': { type: 'string' },
    config: { type: 'string', multiple: true },
    'if-not-exists': { type: 'boolean' },
  },
  delete: {},
  'add-partitions': { partitions: { type: 'string' } },
} as const;

/** How long a change may take to show in metadata before the command gives up. */
const PROPAGATION_MS = 30_000;

export async function topics(args: string[], ctx: Context): Promise<number> {
  const { before, name: action, after } = splitAtCommand(args);
  if (action === undefined)
    throw new UsageError('missing action: list, describe, create, delete or add-partitions', 'topics');
  if (!Object.hasOwn(ACTIONS, action)) throw new UsageError(`unknown action '${action}'`, 'topics');
  const cmd = `topics ${action}`;
  const rest = [...before, ...after];
  const out = (human: string, machine: unknown) => ctx.stdout.write(ctx.json ? jsonLine(machine) : human);
  const outLines = (human: string, machine: readonly unknown[]) =>
    ctx.stdout.write(ctx.json ? machine.map(jsonLine).join('') : human);

  switch (action as keyof typeof ACTIONS) {
    case 'list': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.list, 'topics');
      positionals(pos, [], cmd);
      const names = await withAdmin(brokersOf(ctx, values.brokers), (admin) =>
        admin.listTopics({ includeInternal: values.internal === true }),
      );
      await outLines(
        names.map((n) => `${n}\n`).join(''),
        names.map((topic) => ({ topic })),
      );
      return 0;
    }
    case 'describe': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.describe, 'topics');
      if (pos.length === 0) throw new UsageError('missing argument TOPIC', cmd);
      const names = [...new Set(pos)];
      // One topic at a time: concurrent metadata refreshes of one Cluster share the request in
      // flight, which may have been built before the second topic was asked for.
      const reports = await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
        const out: TopicReport[] = [];
        for (const topic of names) out.push(await describeTopic(admin, topic));
        return out;
      });
      await outLines(reports.map(describeText).join('\n'), reports);
      return 0;
    }
    case 'create': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.create, 'topics');
      const [topic] = positionals(pos, ['TOPIC'], cmd);
      const numPartitions = intFlag(values.partitions, '--partitions', cmd, 1, 2_147_483_647);
      const replicationFactor = intFlag(values['replication-factor'], '--replication-factor', cmd, 1, 32_767);
      const configs = Object.fromEntries(
        pairsFlag(values.config, '--config', cmd).map((p) => [p.key, p.value]),
      );
      const ifNotExists = values['if-not-exists'] === true;
      const { d, created } = await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
        const [r] = await admin.createTopics([{ name: topic, numPartitions, replicationFactor, configs }]);
        const exists = r.error?.code === ErrorCode.TOPIC_ALREADY_EXISTS;
        if (r.error && !(exists && ifNotExists)) throw r.error;
        // Created: the topic may reach the answering broker's metadata a moment later. A
        // `topics create` failed "does not exist" under load. Regression: cli.test.ts.
        return { d: await describeExisting(admin, topic, PROPAGATION_MS, true), created: !exists };
      });
      const replicas = d.partitions[0]?.replicas.length ?? 0;
      const shape = `${plural(d.partitions.length, 'partition')}, replication factor ${replicas}`;
      await out(
        created ? `Created topic ${topic} with ${shape}.\n` : `Topic ${topic} exists already (${shape}).\n`,
        {
          topic,
          created,
          partitions: d.partitions.length,
          replicationFactor: replicas,
        },
      );
      return 0;
    }
    case 'delete': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.delete, 'topics');
      const [topic] = positionals(pos, ['TOPIC'], cmd);
      await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
        const [r] = await admin.deleteTopics([topic]);
        if (r.error?.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
          throw new KafkaError(r.error.code, { topic }, `topic '${topic}' does not exist`);
        }
        if (r.error) throw r.error;
        await until(
          async () => (await admin.describeTopics([topic]))[0].error !== null,
          `${topic} to be gone`,
        );
      });
      await out(`Deleted topic ${topic}.\n`, { topic, deleted: true });
      return 0;
    }
    case 'add-partitions': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS['add-partitions'], 'topics');
      const [topic] = positionals(pos, ['TOPIC'], cmd);
      const count = intFlag(values.partitions, '--partitions', cmd, 1, 2_147_483_647);
      if (count === undefined) throw new UsageError('missing required option --partitions', cmd);
      await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
        await describeExisting(admin, topic);
        const [r] = await admin.createPartitions({ [topic]: count });
        if (r.error) throw r.error;
        await until(
          async () => (await describeExisting(admin, topic)).partitions.length === count,
          `${topic} to show ${count} partitions`,
        );
      });
      await out(`Topic ${topic} now has ${plural(count, 'partition')}.\n`, { topic, partitions: count });
      return 0;
    }
  }
}

interface TopicReport {
  topic: string;
  topicId: string;
  internal: boolean;
  partitions: {
    partition: number;
    leader: number;
    leaderEpoch: number;
    replicas: number[];
    isr: number[];
    offlineReplicas: number[];
    earliestOffset: bigint;
    latestOffset: bigint;
  }[];
  /** Configs set on the topic itself (not broker or default values). */
  configs: Record<string, string | null>;
}

async function describeTopic(admin: Admin, topic: string): Promise<TopicReport> {
  const d = await describeExisting(admin, topic);
  const tps = d.partitions.map((p) => ({ topic, partition: p.partition }));
  const [earliest, latest, [cfg]] = await Promise.all([
    admin.listOffsets(tps, 'earliest'),
    admin.listOffsets(tps, 'latest'),
    admin.describeConfigs([{ type: 'topic', name: topic }]),
  ]);
  if (cfg.error) throw cfg.error;
  const configs: Record<string, string | null> = {};
  for (const e of cfg.entries) {
    if (e.source === ConfigSource.topicConfig) configs[e.name] = e.isSensitive ? '(sensitive)' : e.value;
  }
  return {
    topic,
    topicId: d.topicId,
    internal: d.isInternal,
    partitions: d.partitions.map((p, i) => ({
      partition: p.partition,
      leader: p.leader,
      leaderEpoch: p.leaderEpoch,
      replicas: p.replicas,
      isr: p.isr,
      offlineReplicas: p.offlineReplicas,
      earliestOffset: earliest[i].offset,
      latestOffset: latest[i].offset,
    })),
    configs,
  };
}

function describeText(d: TopicReport): string {
  const rf = d.partitions[0]?.replicas.length ?? 0;
  const configs = Object.entries(d.configs).map(([k, v]) => `${k}=${v}`);
  let s = `Topic: ${d.topic}  Id: ${d.topicId}  Partitions: ${d.partitions.length}  Replication: ${rf}${d.internal ? '  (internal)' : ''}\n`;
  s += `Configs: ${configs.length > 0 ? configs.join(', ') : '(broker defaults)'}\n`;
  s += table([
    ['PARTITION', 'LEADER', 'REPLICAS', 'ISR', 'OFFLINE', 'EARLIEST', 'LATEST'],
    ...d.partitions.map((p) => [
      p.partition,
      p.leader,
      p.replicas.join(',') || '-',
      p.isr.join(',') || '-',
      p.offlineReplicas.join(',') || '-',
      p.earliestOffset,
      p.latestOffset,
    ]),
  ]);
  return s;
}

/** Polls `check` until true, or fails with a TimeoutError naming what it waited for. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + PROPAGATION_MS;
  while (!(await check())) {
    if (Date.now() >= deadline)
      throw new TimeoutError(`timed out after ${PROPAGATION_MS} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
