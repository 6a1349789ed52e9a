/**
 * `kafkawire transactions list|describe|abort`: the transactional ids the coordinators know
 * (ListTransactions), one id's open transaction (DescribeTransactions), and ending a transaction
 * whose producer is gone by fencing its id (InitProducerId, as Java's `Admin.fenceProducers`).
 */
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError } from '../protocol/errors.js';
import { intFlag, parseCommand, positionals, splitAtCommand, UsageError } from './args.js';
import { brokersOf, type Context, withAdmin } from './context.js';
import { table, toJson } from './output.js';

export const transactionsHelp = `Usage: kafkawire transactions ACTION [options]

Actions:
  list [--state STATE] [--older-than-ms N] [--pattern REGEX]
                              transactional ids of every coordinator, with producer id and state
                              (STATE: Ongoing, PrepareCommit, PrepareAbort, CompleteCommit,
                              CompleteAbort, Empty, PrepareEpochFence; repeatable)
  describe TRANSACTIONAL_ID   state, producer id and epoch, timeout, start time and the
                              partitions of the open transaction
  abort TRANSACTIONAL_ID      fence the id's producer, which aborts its open transaction (for a
                              producer that is gone; a live one fails with ProducerFencedError)

Options:
  -b, --brokers LIST    host:port,... (default: $KAFKA_BROKERS)
      --json            machine-readable output and errors (ids as strings)
`;

const ACTIONS = {
  list: {
    state: { type: 'string', multiple: true },
    'older-than-ms': { type: 'string' },
    pattern: { type: 'string' },
  },
  describe: {},
  abort: {},
} as const;

export async function transactions(args: string[], ctx: Context): Promise<number> {
  const { before, name: action, after } = splitAtCommand(args);
  if (action === undefined) throw new UsageError('missing action: list, describe or abort', 'transactions');
  if (!Object.hasOwn(ACTIONS, action)) throw new UsageError(`unknown action '${action}'`, 'transactions');
  const cmd = `transactions ${action}`;
  const rest = [...before, ...after];
  const out = (human: string, machine: unknown) =>
    ctx.stdout.write(ctx.json ? `${toJson(machine, 2)}\n` : human);

  switch (action as keyof typeof ACTIONS) {
    case 'list': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.list, 'transactions');
      positionals(pos, [], cmd);
      const olderThan = intFlag(values['older-than-ms'], '--older-than-ms', cmd, 0);
      const list = await withAdmin(brokersOf(ctx, values.brokers), (admin) =>
        admin.listTransactions({
          states: values.state,
          durationMs: olderThan,
          transactionalIdPattern: values.pattern,
        }),
      );
      await out(
        list.length === 0
          ? ''
          : table([
              ['TRANSACTIONAL-ID', 'PRODUCER-ID', 'STATE', 'COORDINATOR'],
              ...list.map((t) => [t.transactionalId, t.producerId, t.state, t.coordinator]),
            ]),
        list,
      );
      return 0;
    }
    case 'describe': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.describe, 'transactions');
      const [id] = positionals(pos, ['TRANSACTIONAL_ID'], cmd);
      const [d] = await withAdmin(brokersOf(ctx, values.brokers), (admin) =>
        admin.describeTransactions([id]),
      );
      if (d.error) {
        throw d.error.code === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND
          ? new KafkaError(d.error.code, {}, `transactional id '${id}' does not exist`)
          : d.error;
      }
      const started =
        d.transactionStartTimeMs === null ? '-' : new Date(d.transactionStartTimeMs).toISOString();
      const open = d.transactionStartTimeMs === null ? '-' : `${Date.now() - d.transactionStartTimeMs} ms`;
      let s =
        `Transactional id: ${d.transactionalId}  State: ${d.state}  Coordinator: ${d.coordinator}\n` +
        `Producer id: ${d.producerId}  Epoch: ${d.producerEpoch}  Timeout: ${d.transactionTimeoutMs} ms  Started: ${started}  Open for: ${open}\n`;
      if (d.partitions.length > 0) {
        s += table([['TOPIC', 'PARTITION'], ...d.partitions.map((p) => [p.topic, p.partition])]);
      }
      await out(s, { ...d, error: null });
      return 0;
    }
    case 'abort': {
      const { values, positionals: pos } = parseCommand(rest, ACTIONS.abort, 'transactions');
      const [id] = positionals(pos, ['TRANSACTIONAL_ID'], cmd);
      const [f] = await withAdmin(brokersOf(ctx, values.brokers), async (admin) => {
        const [d] = await admin.describeTransactions([id]);
        if (d.error?.code === ErrorCode.TRANSACTIONAL_ID_NOT_FOUND)
          throw new KafkaError(d.error.code, {}, `transactional id '${id}' does not exist`);
        return admin.fenceProducers([id]);
      });
      if (f.error) throw f.error;
      await out(
        `Fenced the producers of ${id} (producer id ${f.producerId}, new epoch ${f.producerEpoch}); its open transaction is aborted\n`,
        f,
      );
      return 0;
    }
  }
}
