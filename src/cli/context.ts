/**
 * What every sub-command shares: the parsed global state, opening an Admin that fails fast when
 * no broker answers, topic checks done before producing or consuming, and Ctrl-C handling.
 *
 * Invariant: a client opened here is connected (its first metadata request answered) before a
 * command uses it, so "no broker" is one immediate ConnectionError rather than retries until a
 * request timeout.
 */
import { Admin, type TopicDescription } from '../admin/admin.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { KafkaError } from '../protocol/errors.js';
import { resolveBrokers } from './args.js';
import { adminConfig, clientOptions } from './client-options.js';
import type { Stdout } from './output.js';

/** client.id of every CLI connection, so brokers' logs and quotas can tell the tool apart. */
export const CLIENT_ID = 'kafkawire-cli';

export interface Context {
  /** `--json` anywhere on the command line. */
  json: boolean;
  /** `--brokers` given before the command name, if any. */
  brokersFlag: string | undefined;
  stdout: Stdout;
}

/**
 * Broker list: the command's own --brokers, else the global one, else bootstrap.servers from
 * --command-config or -X, else KAFKA_BROKERS.
 */
export function brokersOf(ctx: Context, flag: string | undefined): string {
  return resolveBrokers(flag ?? ctx.brokersFlag ?? clientOptions().bootstrapServers);
}

/** A connected Admin; closed again if connecting fails. */
export async function openAdmin(brokers: string): Promise<Admin> {
  const admin = new Admin(adminConfig({ bootstrapServers: brokers, clientId: CLIENT_ID }));
  try {
    await admin.connect();
  } catch (err) {
    await admin.close().catch(() => {});
    throw err;
  }
  return admin;
}

/** Runs `fn` with a connected Admin and closes it afterwards, whatever happens. */
export async function withAdmin<T>(brokers: string, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = await openAdmin(brokers);
  try {
    return await fn(admin);
  } finally {
    await admin.close().catch(() => {});
  }
}

/**
 * The topic's description, failing at once when the topic does not exist (the clients
 * themselves would wait up to max.block.ms for it to appear). A partition without a leader,
 * as right after creation, is waited for up to `leaderWaitMs`; with `justCreated` so is the
 * topic itself (the broker answering may not have applied the controller's record yet).
 */
export async function describeExisting(
  admin: Admin,
  topic: string,
  leaderWaitMs = 10_000,
  justCreated = false,
): Promise<TopicDescription> {
  const deadline = Date.now() + leaderWaitMs;
  for (;;) {
    const [d] = await admin.describeTopics([topic]);
    if (d.error?.code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && !(justCreated && Date.now() < deadline)) {
      throw new KafkaError(
        ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        { topic },
        `topic '${topic}' does not exist`,
      );
    }
    const leaderless = d.error !== null || d.partitions.some((p) => p.leader < 0);
    if (!leaderless) return d;
    if (Date.now() >= deadline) {
      throw d.error ?? new KafkaError(ErrorCode.LEADER_NOT_AVAILABLE, { topic }, 'a partition has no leader');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Checks an explicit partition against the topic's partition count (a runtime fact: exit 1). */
export function checkPartition(d: TopicDescription, partition: number | undefined): void {
  if (partition === undefined || partition < d.partitions.length) return;
  throw new KafkaError(
    ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    { topic: d.name, partition },
    `topic '${d.name}' has partitions 0..${d.partitions.length - 1}, not ${partition}`,
  );
}

/**
 * Calls `stop` on the first SIGINT/SIGTERM so the command can finish cleanly (flush, commit,
 * close); a second one exits at once with 130. Returns the function that removes the handlers.
 */
export function onInterrupt(stop: () => void): () => void {
  let count = 0;
  const listener = () => {
    if (++count > 1) process.exit(130);
    stop();
  };
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}
