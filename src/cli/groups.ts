/**
 * `kafkawire groups list|describe|lag|reset|delete`.
 *
 * `reset` computes each partition's target here, like the broker's kafka-consumer-groups tool:
 * an offset outside [earliest, latest] is clamped into it, and a timestamp after the last record
 * moves to the log end — so a group is never left at offset -1 or past the end.
 */
import type { Admin, PartitionOffset } from '../admin/admin.js';
import { pushTo } from '../network/multimap.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError, UnsupportedFeatureError } from '../protocol/errors.js';
import {
  intFlag,
  type Position,
  parseCommand,
  positionals,
  positionFlag,
  required,
  splitAtCommand,
  UsageError,
} from './args.js';
import { brokersOf, type Context, checkPartition, describeExisting, withAdmin } from './context.js';
import { jsonLine, table } from './output.js';

export const groupsHelp = `Usage: kafkawire groups ACTION [options]

Actions:
  list                        groups of every broker, with state and type
  describe GROUP              state, protocol and members with their partitions
  lag GROUP [-t TOPIC...]     committed offset, log end and lag per partition, and the total
  reset GROUP -t TOPIC [-t TOPIC...] --to POSITION [-p N] [--dry-run]
                              move the committed offsets of an empty group: POSITION is
                              earliest, latest, an offset (clamped to the log), or
                              @TIMESTAMP_MS (the first record at or after it, else the end)
  delete GROUP                delete an empty group

Options:
  -b, --brokers LIST    host:port,... (default: $KAFKA_BROKERS)
      --json            JSON lines: one compact object per group (list) or per result
                        (offsets and lag as strings); errors as JSON
`;

const ACTIONS = {
  list: {},
  describe: {},
  lag: { topic: { type: 'string', short: 't', multiple: true } },
  reset: {
    topic: { type: 'string', short: 't', multiple: true },
    to: { type: 'string' },
    partition: { type: 'string', short: 'p' },
    'dry-run': { type: 'boolean' },
  },
  delete: {},
} as const;

export async function groups(args: string[], ctx: Context): Promise<number> {
  const { before, name: action, after } = splitAtCommand(args);
  if (action === undefined)
    throw new UsageError('missing action: list, describe, lag, reset or delete', 'groups');
  if (!Object.hasOwn(ACTIONS, action)) throw new UsageError(`unknown action '${action}'`, 'groups');
  const cmd = `groups ${action}`;
  const rest = [...before, ...after];
  const out = (human: string, machine: unknown) => ctx.stdout.write(ctx.json ? jsonLine(machine) : human);

  switch (action as keyof typeof ACTIONS) {
    case 'list': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.list, 'groups');
      positionals(pos, [], cmd);
      const list = await withAdmin(brokersOf(ctx, values.brokers), (admin) => admin.listGroups());
      await ctx.stdout.write(
        ctx.json
          ? list.map(jsonLine).join('')
          : list.length === 0
            ? ''
            : table([
                ['GROUP', 'STATE', 'TYPE'],
                ...list.map((g) => [g.groupId, g.state || '-', g.protocolType || '-']),
              ]),
      );
      return 0;
    }
    case 'describe': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.describe, 'groups');
      const [group] = positionals(pos, ['GROUP'], cmd);
      const found = await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
        const modern = await consumerProtocolGroup(admin, group);
        return modern ? { modern } : { classic: await describeExistingGroup(admin, group) };
      });
      if (found.modern) {
        const d = found.modern;
        const tps = (l: { topic: string; partition: number }[]) => l.map((a) => `${a.topic}-${a.partition}`);
        const members = d.members.map((m) => ({
          ...m,
          assignment: tps(m.assignment),
          targetAssignment: tps(m.targetAssignment),
        }));
        let s = `Group: ${d.groupId}  State: ${d.state}  Protocol: consumer/${d.assignor}  Epoch: ${d.groupEpoch}  Members: ${d.members.length}\n`;
        if (members.length > 0) {
          s += table([
            ['MEMBER', 'INSTANCE', 'CLIENT-ID', 'HOST', 'EPOCH', 'PARTITIONS', 'TARGET'],
            ...members.map((m) => [
              m.memberId,
              m.groupInstanceId ?? '-',
              m.clientId,
              m.clientHost,
              String(m.memberEpoch),
              m.assignment.join(',') || '-',
              m.targetAssignment.join(',') || '-',
            ]),
          ]);
        }
        await out(s, {
          group: d.groupId,
          state: d.state,
          protocolType: 'consumer',
          protocol: d.assignor,
          groupEpoch: d.groupEpoch,
          assignmentEpoch: d.assignmentEpoch,
          members,
        });
        return 0;
      }
      const g = found.classic;
      const members = g.members.map((m) => ({
        ...m,
        assignment: m.assignment.map((a) => `${a.topic}-${a.partition}`),
      }));
      let s = `Group: ${g.groupId}  State: ${g.state}  Protocol: ${g.protocolType || '-'}/${g.protocol || '-'}  Members: ${g.members.length}\n`;
      if (members.length > 0) {
        s += table([
          ['MEMBER', 'INSTANCE', 'CLIENT-ID', 'HOST', 'PARTITIONS'],
          ...members.map((m) => [
            m.memberId,
            m.groupInstanceId ?? '-',
            m.clientId,
            m.clientHost,
            m.assignment.join(',') || '-',
          ]),
        ]);
      }
      await out(s, {
        group: g.groupId,
        state: g.state,
        protocolType: g.protocolType,
        protocol: g.protocol,
        members,
      });
      return 0;
    }
    case 'lag': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.lag, 'groups');
      const [group] = positionals(pos, ['GROUP'], cmd);
      const topicList = values.topic === undefined ? undefined : [...new Set(values.topic)];
      const lag = await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
        for (const t of topicList ?? []) await describeExisting(admin, t);
        const result = await admin.groupLag(group, topicList);
        if (result.partitions.length === 0) await describeExistingGroup(admin, group);
        return result;
      });
      let s = '';
      if (lag.partitions.length > 0) {
        s += table([
          ['TOPIC', 'PARTITION', 'COMMITTED', 'END', 'LAG'],
          ...lag.partitions.map((p) => [
            p.topic,
            p.partition,
            p.committed >= 0n ? p.committed : '-',
            p.logEndOffset,
            p.lag,
          ]),
        ]);
      } else {
        s += `Group ${group} has no committed offsets.\n`;
      }
      s += `Total lag: ${lag.total}\n`;
      await out(s, { group, total: lag.total, partitions: lag.partitions });
      return 0;
    }
    case 'reset': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.reset, 'groups');
      const [group] = positionals(pos, ['GROUP'], cmd);
      const topicList = [...new Set(values.topic ?? [])];
      if (topicList.length === 0) required(undefined, '--topic', cmd);
      const to = positionFlag(values.to, '--to', cmd);
      if (to === undefined) throw new UsageError('missing required option --to', cmd);
      const partition = intFlag(values.partition, '--partition', cmd, 0, 2_147_483_647);
      const dryRun = values['dry-run'] === true;
      if (partition !== undefined && topicList.length > 1) {
        throw new UsageError('--partition needs exactly one --topic', cmd);
      }
      const rows = await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
        const all = [];
        for (const topic of topicList)
          all.push(...(await resetGroup(admin, group, topic, to, partition, dryRun)));
        return all;
      });
      let s = table([
        ['TOPIC', 'PARTITION', 'PREVIOUS', 'NEW'],
        ...rows.map((r) => [r.topic, r.partition, r.previous >= 0n ? r.previous : '-', r.offset]),
      ]);
      if (dryRun) s += 'Dry run: nothing was committed.\n';
      await out(s, { group, dryRun, partitions: rows });
      return 0;
    }
    case 'delete': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.delete, 'groups');
      const [group] = positionals(pos, ['GROUP'], cmd);
      await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
        const [r] = await admin.deleteGroups([group]);
        if (r.error) throw r.error;
      });
      await out(`Deleted group ${group}.\n`, { group, deleted: true });
      return 0;
    }
  }
}

/** The group's description; GROUP_ID_NOT_FOUND when the coordinator knows nothing of it. */
/** The group as a KIP-848 consumer-protocol group, or null when it is a classic one (or the broker has none). */
async function consumerProtocolGroup(admin: Admin, group: string) {
  let d: Awaited<ReturnType<Admin['describeConsumerGroups']>>[number];
  try {
    [d] = await admin.describeConsumerGroups([group]);
  } catch (err) {
    if (err instanceof UnsupportedFeatureError) return null; // 3.x: only classic groups
    throw err;
  }
  if (d.error?.code === ErrorCode.GROUP_ID_NOT_FOUND || d.state === 'Dead') return null;
  if (d.error) throw d.error;
  return d;
}

async function describeExistingGroup(admin: Admin, group: string) {
  const [g] = await admin.describeGroups([group]);
  if (g.error) throw g.error;
  if (g.state === 'Dead') {
    throw new KafkaError(ErrorCode.GROUP_ID_NOT_FOUND, {}, `group '${group}' does not exist`);
  }
  return g;
}

async function resetGroup(
  admin: Admin,
  group: string,
  topic: string,
  to: Position,
  partition: number | undefined,
  dryRun: boolean,
): Promise<(PartitionOffset & { previous: bigint })[]> {
  const d = await describeExisting(admin, topic);
  checkPartition(d, partition);
  const tps = (partition === undefined ? d.partitions.map((p) => p.partition) : [partition]).map((p) => ({
    topic,
    partition: p,
  }));
  const [earliest, latest, committed] = await Promise.all([
    admin.listOffsets(tps, 'earliest'),
    admin.listOffsets(tps, 'latest'),
    admin.groupOffsets(group),
  ]);
  let targets: bigint[];
  if (to === 'earliest') targets = earliest.map((e) => e.offset);
  else if (to === 'latest') targets = latest.map((l) => l.offset);
  else if ('offset' in to) {
    targets = tps.map((_, i) => clamp(to.offset, earliest[i].offset, latest[i].offset));
  } else {
    const found = await admin.listOffsets(tps, { timestamp: to.timestamp });
    targets = found.map((f, i) => (f.offset >= 0n ? f.offset : latest[i].offset));
  }
  // resetGroupOffsets takes one target for a set of partitions: one call per distinct offset.
  if (!dryRun) {
    const byOffset = new Map<bigint, number[]>();
    for (let i = 0; i < tps.length; i++) {
      pushTo(byOffset, targets[i], tps[i].partition);
    }
    for (const [offset, partitions] of byOffset) {
      await admin.resetGroupOffsets(group, topic, { offset }, partitions);
    }
  }
  const before = new Map(committed.filter((c) => c.topic === topic).map((c) => [c.partition, c.offset]));
  return tps.map((tp, i) => ({ ...tp, offset: targets[i], previous: before.get(tp.partition) ?? -1n }));
}

function clamp(v: bigint, low: bigint, high: bigint): bigint {
  return v < low ? low : v > high ? high : v;
}
