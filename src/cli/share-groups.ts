/**
 * `kafkawire share-groups describe|delete`: share groups (KIP-932) — state, members with their
 * partitions, and the group's start offset and lag per partition; deleting an empty one. Listing
 * is `kafkawire groups list` (share groups show with TYPE share).
 */
import { parseCommand, positionals, splitAtCommand, UsageError } from './args.js';
import { brokersOf, type Context, withAdmin } from './context.js';
import { jsonLine, table } from './output.js';

export const shareGroupsHelp = `Usage: kafkawire share-groups ACTION [options]

Actions:
  describe GROUP     state, assignor and members with their partitions; per partition the
                     group's start offset (records before it are done with) and lag
  delete GROUP       delete a share group without members

Options:
  -b, --brokers LIST    host:port,... (default: $KAFKA_BROKERS)
      --json            one compact JSON object (offsets and lag as strings); errors as JSON
`;

const ACTIONS = { describe: {}, delete: {} } as const;

export async function shareGroups(args: string[], ctx: Context): Promise<number> {
  const { before, name: action, after } = splitAtCommand(args);
  if (action === undefined) throw new UsageError('missing action: describe or delete', 'share-groups');
  if (!Object.hasOwn(ACTIONS, action)) throw new UsageError(`unknown action '${action}'`, 'share-groups');
  const cmd = `share-groups ${action}`;
  const { values, positionals: pos } = parseCommand(
    [...before, ...after],
    ACTIONS[action as keyof typeof ACTIONS],
    'share-groups',
  );
  const [group] = positionals(pos, ['GROUP'], cmd);
  const out = (human: string, machine: unknown) => ctx.stdout.write(ctx.json ? jsonLine(machine) : human);
  if (action === 'delete') {
    await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
      const [r] = await admin.deleteShareGroups([group]);
      if (r.error) throw r.error;
    });
    await out(`Deleted share group ${group}.\n`, { group, deleted: true });
    return 0;
  }
  const { d, offsets } = await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
    const [d] = await admin.describeShareGroups([group]);
    if (d.error) throw d.error;
    return { d, offsets: await admin.shareGroupOffsets(group) };
  });
  const members = d.members.map((m) => ({
    ...m,
    assignment: m.assignment.map((a) => `${a.topic}-${a.partition}`),
  }));
  let s = `Share group: ${d.groupId}  State: ${d.state}  Assignor: ${d.assignor}  Epoch: ${d.groupEpoch}  Members: ${d.members.length}\n`;
  if (members.length > 0)
    s += table([
      ['MEMBER', 'CLIENT-ID', 'HOST', 'EPOCH', 'PARTITIONS'],
      ...members.map((m) => [
        m.memberId,
        m.clientId,
        m.clientHost,
        String(m.memberEpoch),
        m.assignment.join(',') || '-',
      ]),
    ]);
  if (offsets.length > 0)
    s += table([
      ['TOPIC', 'PARTITION', 'START-OFFSET', 'LAG'],
      ...offsets.map((o) => [
        o.topic,
        String(o.partition),
        String(o.startOffset),
        o.lag < 0n ? '-' : String(o.lag),
      ]),
    ]);
  await out(s, {
    group: d.groupId,
    state: d.state,
    assignor: d.assignor,
    groupEpoch: d.groupEpoch,
    members,
    offsets: offsets.map((o) => ({
      topic: o.topic,
      partition: o.partition,
      startOffset: String(o.startOffset),
      lag: String(o.lag),
      error: o.error ? o.error.message : null,
    })),
  });
  return 0;
}
