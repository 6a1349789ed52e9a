#!/usr/bin/env node
/**
 * kafkawire, the command-line tool: entry point and dispatch to the sub-commands.
 *
 * Exit codes scripts can rely on: 0 success; 1 a runtime failure (a broker refused, a topic is
 * missing, no broker answers, bad input data); 2 a usage error (unknown flag or command, missing
 * or bad argument, no brokers configured); 130 produce or bench stopped by Ctrl-C. Every failure
 * is one `kafkawire: error: ...` line on stderr, or one JSON object with --json.
 *
 * Invariant: the process exits only after stdout has been flushed, and through this file, so a
 * client left with timers or sockets cannot keep it alive after the command is done.
 */
import { closest } from '../network/suggest.js';
import { CLIENT_SOFTWARE_VERSION } from '../version.js';
import { acls, aclsHelp } from './acls.js';
import {
  GLOBAL_OPTIONS,
  parseCommand,
  scanClientFlags,
  splitAtCommand,
  UsageError,
  wantsHelp,
  wantsJson,
} from './args.js';
import { bench, benchHelp } from './bench.js';
import { CLIENT_OPTIONS_HELP, resolveClientOptions, setClientOptions } from './client-options.js';
import { cluster, clusterHelp } from './cluster.js';
import { configs, configsHelp } from './configs.js';
import { consume, consumeHelp } from './consume.js';
import type { Context } from './context.js';
import { groups, groupsHelp } from './groups.js';
import { exitCodeOf, flushed, oneLine, printError, Stdout } from './output.js';
import { produce, produceHelp } from './produce.js';
import { shareGroups, shareGroupsHelp } from './share-groups.js';
import { topics, topicsHelp } from './topics.js';
import { transactions, transactionsHelp } from './transactions.js';
import { worker, workerHelp } from './worker.js';

const USAGE = `Usage: kafkawire [--brokers LIST] COMMAND [options]

Apache Kafka from the command line.

Commands:
  produce    send lines of stdin or a file as records
  consume    print records of a topic
  topics     list, describe, create, delete topics, add partitions
  configs    describe and alter the configs of a topic or a broker
  groups     list, describe, lag and reset consumer groups
  share-groups  describe and delete share groups (KIP-932)
  transactions  list and describe transactions, abort a hanging one
  cluster    brokers, controller, cluster id and API versions
  acls       list, create and delete ACLs
  bench      produce / consume throughput and latency
  worker     run a handler module as a group consumer, under a supervisor

Global options:
  -b, --brokers LIST    bootstrap brokers host:port,... (default: $KAFKA_BROKERS; required)
      --json            machine-readable output (JSON lines: one compact object per
                        line), and errors as one JSON object on stderr
  -h, --help            help of kafkawire or of a command
  -V, --version         print the version

${CLIENT_OPTIONS_HELP}
Exit codes: 0 success, 1 runtime failure, 2 usage error, 130 interrupted (produce, bench;
worker: a second signal).
Run 'kafkawire COMMAND --help' for a command's options.
`;

const COMMANDS: Record<string, { run: (args: string[], ctx: Context) => Promise<number>; help: string }> = {
  produce: { run: produce, help: produceHelp },
  consume: { run: consume, help: consumeHelp },
  topics: { run: topics, help: topicsHelp },
  configs: { run: configs, help: configsHelp },
  groups: { run: groups, help: groupsHelp },
  'share-groups': { run: shareGroups, help: shareGroupsHelp },
  transactions: { run: transactions, help: transactionsHelp },
  cluster: { run: cluster, help: clusterHelp },
  acls: { run: acls, help: aclsHelp },
  bench: { run: bench, help: benchHelp },
  worker: { run: worker, help: workerHelp },
};

/** Runs the command line and returns the exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const json = wantsJson(argv);
  const stdout = new Stdout();
  try {
    const { before, name, after } = splitAtCommand(argv, GLOBAL_OPTIONS);
    const global = parseCommand(before, {}, '').values;
    if (global.version) {
      await stdout.write(`kafkawire ${CLIENT_SOFTWARE_VERSION}\n`);
      return 0;
    }
    if (name === 'help') {
      const topic = after[0];
      if (topic !== undefined && !Object.hasOwn(COMMANDS, topic))
        throw new UsageError(`unknown command '${topic}'`);
      await stdout.write(topic === undefined ? USAGE : COMMANDS[topic].help);
      return 0;
    }
    if (name === undefined) {
      if (global.help) {
        await stdout.write(USAGE);
        return 0;
      }
      throw new UsageError(
        'missing command: produce, consume, topics, configs, groups, share-groups, transactions, cluster, acls, bench or worker',
      );
    }
    if (!Object.hasOwn(COMMANDS, name)) {
      const near = closest(name, Object.keys(COMMANDS));
      throw new UsageError(`unknown command '${name}'${near ? ` (did you mean ${near}?)` : ''}`);
    }
    const command = COMMANDS[name];
    if (global.help || wantsHelp(after)) {
      await stdout.write(command.help);
      return 0;
    }
    const client = await resolveClientOptions(scanClientFlags(argv));
    for (const key of client.ignored) {
      process.stderr.write(
        `kafkawire: warning: ignoring ${key} from --command-config (not a kafkawire client option)\n`,
      );
    }
    setClientOptions(client);
    return await command.run(after, { json, brokersFlag: global.brokers, stdout });
  } catch (err) {
    printError(err, json);
    return exitCodeOf(err);
  }
}

// A promise nobody awaited that failed is a bug in this tool or the library: say so, as any
// other failure, rather than let Node print a stack trace.
process.on('unhandledRejection', (err) => {
  printError(
    new Error(`internal error (unhandled rejection): ${oneLine(err)}`),
    wantsJson(process.argv.slice(2)),
  );
  process.exit(1);
});

// A reader that closed stderr must not turn the last error message into a crash.
process.stderr.on('error', () => {});
const code = await main(process.argv.slice(2));
await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
process.exit(code);
