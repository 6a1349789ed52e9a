/**
 * `kafkawire configs describe|alter`: the configs of a topic or a broker (Kafka's
 * kafka-configs tool).
 *
 * Invariant: `alter` changes only the configs named (an incremental alter: `--set`, `--delete`,
 * `--append`, `--subtract`), returns once a describe shows every `--set` and `--delete`, and
 * prints the resulting values; a refusal is exit 1 with the broker's error.
 */
import type { Admin, ConfigEntry, ConfigOp, ConfigResource } from '../admin/admin.js';
import { ConfigSource } from '../protocol/apis/index.js';
import { TimeoutError } from '../protocol/errors.js';
import { pairsFlag, parseCommand, positionals, splitAtCommand, UsageError } from './args.js';
import { brokersOf, type Context, describeExisting, withAdmin } from './context.js';
import { jsonLine, plural, table } from './output.js';

export const configsHelp = `Usage: kafkawire configs ACTION (--topic TOPIC | --broker ID) [options]

Actions:
  describe                  the configs set on the topic or broker (not defaults)
      --all                 every config, defaults included, with where its value comes from
  alter                     change some configs; the others stay as they are
      --set KEY=VALUE       set a config (repeatable)
      --delete KEY          remove a config: back to the broker's or the default value
                            (repeatable)
      --append KEY=VALUE    add VALUE to a list config (repeatable)
      --subtract KEY=VALUE  remove VALUE from a list config (repeatable)
      --dry-run             have the broker validate the change, change nothing

Options:
  -t, --topic TOPIC     the topic
      --broker ID       the broker, by node id
  -b, --brokers LIST    host:port,... (default: $KAFKA_BROKERS)
      --json            JSON lines: one compact object per config; errors as JSON
`;

const RESOURCE = {
  topic: { type: 'string', short: 't' },
  broker: { type: 'string' },
} as const;

const ACTIONS = {
  describe: { ...RESOURCE, all: { type: 'boolean' } },
  alter: {
    ...RESOURCE,
    set: { type: 'string', multiple: true },
    delete: { type: 'string', multiple: true },
    append: { type: 'string', multiple: true },
    subtract: { type: 'string', multiple: true },
    'dry-run': { type: 'boolean' },
  },
} as const;

const SOURCE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ConfigSource).map(([name, id]) => [id, name]),
);

/** How long an alter may take to show in a describe before the command gives up. */
const PROPAGATION_MS = 30_000;

export async function configs(args: string[], ctx: Context): Promise<number> {
  const { before, name: action, after } = splitAtCommand(args);
  if (action === undefined) throw new UsageError('missing action: describe or alter', 'configs');
  if (!Object.hasOwn(ACTIONS, action)) throw new UsageError(`unknown action '${action}'`, 'configs');
  const cmd = `configs ${action}`;
  const rest = [...before, ...after];

  if (action === 'describe') {
    const { values, positionals: pos } = parseCommand(rest, ACTIONS.describe, 'configs');
    positionals(pos, [], cmd);
    const resource = resourceOf(values.topic, values.broker, cmd);
    const entries = await withAdmin(brokersOf(ctx, values.brokers), (admin) => describe(admin, resource));
    const shown = values.all ? entries : entries.filter((e) => isSet(e, resource));
    await print(ctx, resource, shown, values.all === true);
    return 0;
  }

  const { values, positionals: pos } = parseCommand(rest, ACTIONS.alter, 'configs');
  positionals(pos, [], cmd);
  const resource = resourceOf(values.topic, values.broker, cmd);
  const ops: ConfigOp[] = [
    ...pairsFlag(values.set, '--set', cmd).map((p) => ({ name: p.key, op: 'set' as const, value: p.value })),
    ...(values.delete ?? []).map((name) => {
      if (name === '' || name.includes('='))
        throw new UsageError(`--delete expects a config name, got '${name}'`, cmd);
      return { name, op: 'delete' as const };
    }),
    ...pairsFlag(values.append, '--append', cmd).map((p) => ({
      name: p.key,
      op: 'append' as const,
      value: p.value,
    })),
    ...pairsFlag(values.subtract, '--subtract', cmd).map((p) => ({
      name: p.key,
      op: 'subtract' as const,
      value: p.value,
    })),
  ];
  if (ops.length === 0)
    throw new UsageError('nothing to alter: give --set, --delete, --append or --subtract', cmd);
  const dryRun = values['dry-run'] === true;
  const names = new Set(ops.map((o) => o.name));
  const entries = await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
    await describe(admin, resource);
    await admin.alterConfigs(resource, ops, { validateOnly: dryRun });
    if (!dryRun) await untilShown(admin, resource, ops);
    return (await describe(admin, resource)).filter((e) => names.has(e.name));
  });
  if (!ctx.json) {
    const what = `${plural(ops.length, 'config')} of ${resource.type} ${resource.name}`;
    process.stderr.write(
      dryRun ? `Dry run: the broker accepts the change of ${what}; nothing changed.\n` : `Altered ${what}.\n`,
    );
  }
  await print(ctx, resource, entries, true);
  return 0;
}

function resourceOf(topic: string | undefined, broker: string | undefined, cmd: string): ConfigResource {
  if ((topic === undefined) === (broker === undefined)) {
    throw new UsageError('give exactly one of --topic TOPIC or --broker ID', cmd);
  }
  if (topic !== undefined) {
    if (topic === '') throw new UsageError('--topic must not be empty', cmd);
    return { type: 'topic', name: topic };
  }
  if (!/^\d+$/.test(broker ?? '')) throw new UsageError(`--broker expects a node id, got '${broker}'`, cmd);
  return { type: 'broker', name: String(Number(broker)) };
}

async function describe(admin: Admin, resource: ConfigResource): Promise<ConfigEntry[]> {
  if (resource.type === 'topic') await describeExisting(admin, resource.name);
  const [r] = await admin.describeConfigs([resource]);
  if (r?.error) throw r.error;
  return [...(r?.entries ?? [])].sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** Set on the resource itself, rather than inherited from the broker or Kafka's defaults. */
function isSet(e: ConfigEntry, resource: ConfigResource): boolean {
  return resource.type === 'topic'
    ? e.source === ConfigSource.topicConfig
    : e.source === ConfigSource.dynamicBrokerConfig || e.source === ConfigSource.dynamicDefaultBrokerConfig;
}

async function print(ctx: Context, resource: ConfigResource, entries: ConfigEntry[], withSource: boolean) {
  const value = (e: ConfigEntry) => (e.isSensitive ? '(sensitive)' : (e.value ?? '(null)'));
  if (ctx.json) {
    await ctx.stdout.write(
      entries
        .map((e) =>
          jsonLine({
            resource: resource.type,
            name: resource.name,
            config: e.name,
            value: e.isSensitive ? null : e.value,
            source: SOURCE_NAMES[e.source] ?? String(e.source),
            readOnly: e.readOnly,
            sensitive: e.isSensitive,
          }),
        )
        .join(''),
    );
    return;
  }
  if (entries.length === 0) {
    await ctx.stdout.write(`No configs set on ${resource.type} ${resource.name} (broker defaults apply).\n`);
    return;
  }
  await ctx.stdout.write(
    table(
      withSource
        ? [
            ['CONFIG', 'VALUE', 'SOURCE'],
            ...entries.map((e) => [e.name, value(e), SOURCE_NAMES[e.source] ?? e.source]),
          ]
        : [['CONFIG', 'VALUE'], ...entries.map((e) => [e.name, value(e)])],
    ),
  );
}

/** Polls until a describe shows every set value and every deletion. */
async function untilShown(admin: Admin, resource: ConfigResource, ops: ConfigOp[]): Promise<void> {
  const deadline = Date.now() + PROPAGATION_MS;
  for (;;) {
    const entries = new Map((await describe(admin, resource)).map((e) => [e.name, e]));
    const shown = ops.every((o) => {
      const e = entries.get(o.name);
      if (o.op === 'set') return e?.isSensitive || e?.value === o.value;
      if (o.op === 'delete') return !e || !isSet(e, resource);
      return true;
    });
    if (shown) return;
    if (Date.now() >= deadline) {
      throw new TimeoutError(`timed out after ${PROPAGATION_MS} ms waiting for the new configs to show`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
