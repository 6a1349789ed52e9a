/**
 * `kafkawire acls list|create|delete`: the admin API's ACL calls (Java: kafka-acls.sh).
 *
 * Invariant: `delete` needs a filter naming a resource or a principal (or --all): an empty
 * filter matches every ACL in the cluster, which a typo must not do.
 */
import type { AclBinding, AclBindingFilter } from '../admin/acls.js';
import { enumFlag, parseCommand, positionals, splitAtCommand, UsageError } from './args.js';
import { brokersOf, type Context, withAdmin } from './context.js';
import { table, toJson } from './output.js';

export const aclsHelp = `Usage: kafkawire acls ACTION [options]

Actions:
  list                      ACLs matching the options (all of them without any)
  create                    allow (or deny) --principal each --operation on a resource
  delete                    delete the ACLs matching the options

Resource (one of):
      --topic NAME          a topic ('*' for all)
      --group NAME          a consumer group ('*' for all)
      --transactional-id ID a transactional id
      --cluster             the cluster
      --prefixed            NAME is a prefix (create, delete); list: match prefixed ACLs too
Options:
      --principal P         e.g. User:alice (create: required, repeatable)
      --operation OP        read|write|create|delete|alter|describe|cluster-action|
                            describe-configs|alter-configs|idempotent-write|all
                            (create: required, repeatable)
      --host HOST           client host the ACL applies to (default *)
      --deny                a DENY ACL (default ALLOW)
      --all                 delete: allow a filter without resource or principal
  -b, --brokers LIST        host:port,... (default: $KAFKA_BROKERS)
      --json                machine-readable output and errors

Example: kafkawire acls create --principal User:alice --operation read --operation describe --topic orders
New ACLs are enforced shortly after the command returns.
`;

const FILTER = {
  topic: { type: 'string' },
  group: { type: 'string' },
  'transactional-id': { type: 'string' },
  cluster: { type: 'boolean' },
  prefixed: { type: 'boolean' },
  principal: { type: 'string', multiple: true },
  operation: { type: 'string', multiple: true },
  host: { type: 'string' },
  deny: { type: 'boolean' },
  all: { type: 'boolean' },
} as const;

const OPERATIONS = [
  'read',
  'write',
  'create',
  'delete',
  'alter',
  'describe',
  'cluster-action',
  'describe-configs',
  'alter-configs',
  'idempotent-write',
  'create-tokens',
  'describe-tokens',
  'all',
] as const;

type Values = ReturnType<typeof parseCommand<typeof FILTER>>['values'];

/** `cluster-action` → `clusterAction`. */
function operationName(op: string): AclBinding['operation'] {
  return op.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()) as AclBinding['operation'];
}

function resource(
  values: Values,
  cmd: string,
): { type: AclBinding['resourceType']; name: string } | undefined {
  const given = [
    values.topic !== undefined && { type: 'topic' as const, name: values.topic },
    values.group !== undefined && { type: 'group' as const, name: values.group },
    values['transactional-id'] !== undefined && {
      type: 'transactionalId' as const,
      name: values['transactional-id'],
    },
    values.cluster === true && { type: 'cluster' as const, name: 'kafka-cluster' },
  ].filter((x) => x !== false);
  if (given.length > 1)
    throw new UsageError('name one resource: --topic, --group, --transactional-id or --cluster', cmd);
  return given[0] || undefined;
}

function operations(values: Values, cmd: string): AclBinding['operation'][] {
  return (values.operation ?? []).map((op) =>
    operationName(enumFlag(op.toLowerCase(), '--operation', cmd, OPERATIONS) ?? op),
  );
}

function rows(acls: readonly AclBinding[]): string {
  if (acls.length === 0) return 'No ACLs.\n';
  return table([
    ['PRINCIPAL', 'HOST', 'OPERATION', 'PERMISSION', 'RESOURCE', 'PATTERN', 'NAME'],
    ...acls.map((a) => [
      a.principal,
      a.host ?? '*',
      a.operation,
      a.permissionType ?? 'allow',
      a.resourceType,
      a.patternType ?? 'literal',
      a.resourceName,
    ]),
  ]);
}

export async function acls(args: string[], ctx: Context): Promise<number> {
  const { before, name: action, after } = splitAtCommand(args);
  if (action === undefined) throw new UsageError('missing action: list, create or delete', 'acls');
  if (!['list', 'create', 'delete'].includes(action))
    throw new UsageError(`unknown action '${action}'`, 'acls');
  const cmd = `acls ${action}`;
  const { values, positionals: pos } = parseCommand([...before, ...after], FILTER, 'acls');
  positionals(pos, [], cmd);
  const res = resource(values, cmd);
  const ops = operations(values, cmd);
  const principals = values.principal ?? [];
  const out = (human: string, machine: unknown) =>
    ctx.stdout.write(ctx.json ? `${toJson(machine, 2)}\n` : human);
  const brokers = brokersOf(ctx, values.brokers);

  if (action === 'create') {
    if (!res)
      throw new UsageError('create needs a resource: --topic, --group, --transactional-id or --cluster', cmd);
    if (principals.length === 0) throw new UsageError('create needs --principal', cmd);
    if (ops.length === 0) throw new UsageError('create needs --operation', cmd);
    const bindings: AclBinding[] = principals.flatMap((principal) =>
      ops.map((operation) => ({
        resourceType: res.type,
        resourceName: res.name,
        patternType: values.prefixed ? ('prefixed' as const) : ('literal' as const),
        principal,
        host: values.host ?? '*',
        operation,
        permissionType: values.deny ? ('deny' as const) : ('allow' as const),
      })),
    );
    const results = await withAdmin(brokers, (admin) => admin.createAcls(bindings));
    const failed = results.find((r) => r.error);
    if (failed?.error) throw failed.error;
    await out(
      `Created ${bindings.length} ACL${bindings.length === 1 ? '' : 's'}:\n${rows(bindings)}`,
      bindings,
    );
    return 0;
  }

  // list and delete: a filter; one per principal and operation given (or one matching any).
  const filters: AclBindingFilter[] = (principals.length ? principals : [undefined]).flatMap((principal) =>
    (ops.length ? ops : [undefined]).map((operation) => ({
      resourceType: res?.type ?? 'any',
      resourceName: res?.name ?? null,
      patternType: values.prefixed ? 'prefixed' : res ? (action === 'delete' ? 'literal' : 'any') : 'any',
      principal: principal ?? null,
      host: values.host ?? null,
      operation: operation ?? 'any',
      permissionType: values.deny ? 'deny' : 'any',
    })),
  );
  if (action === 'list') {
    const found = await withAdmin(brokers, async (admin) =>
      (await Promise.all(filters.map((f) => admin.describeAcls(f)))).flat(),
    );
    await out(rows(found), found);
    return 0;
  }
  if (!res && principals.length === 0 && !values.all) {
    throw new UsageError(
      'delete without --topic/--group/--transactional-id/--cluster or --principal matches every ACL: add --all to mean it',
      cmd,
    );
  }
  const results = await withAdmin(brokers, (admin) => admin.deleteAcls(filters));
  const failed = results.find((r) => r.error);
  if (failed?.error) throw failed.error;
  const deleted = results.flatMap((r) => r.deleted.map(({ error: _e, ...acl }) => acl));
  await out(
    `Deleted ${deleted.length} ACL${deleted.length === 1 ? '' : 's'}${deleted.length ? `:\n${rows(deleted)}` : '.\n'}`,
    deleted,
  );
  return 0;
}
