/**
 * "Did you mean" for option names: the closest known name by edit distance, and pointers from
 * the names other clients use (KafkaJS's options, Kafka's own command-line flags) to ours.
 * Shared by the clients' config checks and the CLI's flag parsing.
 */

/** Levenshtein distance, case-insensitive, with `.`, `_` and `-` ignored (Java names vs camelCase). */
export function editDistance(a: string, b: string): number {
  const x = normalize(a);
  const y = normalize(b);
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[y.length]!;
}

function normalize(s: string): string {
  return s.toLowerCase().replace(/[._-]/g, '');
}

/**
 * The known name closest to `word`, if it is close enough to be a typo: at most a third of the
 * word's length in edits (at least 1, at most 3). Ties go to the first in `known`.
 */
export function closest(word: string, known: readonly string[]): string | undefined {
  const limit = Math.min(3, Math.max(1, Math.floor(normalize(word).length / 3)));
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = editDistance(word, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** KafkaJS option names, and what a kafkawire client takes instead. */
export const KAFKAJS_OPTIONS: Readonly<Record<string, string>> = {
  brokers: "bootstrapServers (a 'host:port,...' string or an array)",
  fromBeginning: "autoOffsetReset: 'earliest'",
  idempotent: 'enableIdempotence',
  sessionTimeout: 'sessionTimeoutMs',
  heartbeatInterval: 'heartbeatIntervalMs',
  rebalanceTimeout: 'maxPollIntervalMs',
  maxBytesPerPartition: 'maxPartitionFetchBytes',
  minBytes: 'fetchMinBytes',
  maxBytes: 'fetchMaxBytes',
  maxWaitTimeInMs: 'fetchMaxWaitMs',
  readUncommitted: "isolationLevel: 'read_uncommitted'",
  metadataMaxAge: 'metadataMaxAgeMs',
  maxInFlightRequests: 'maxInFlightRequestsPerConnection',
  createPartitioner: 'partitioner',
  partitionAssigners: 'partitionAssignmentStrategy',
  requestTimeout: 'requestTimeoutMs',
  connectionTimeout: 'connectTimeoutMs',
  retry: 'retries, retryBackoffMs and retryBackoffMaxMs',
  compression: 'compressionType',
  autoCommit: 'enableAutoCommit',
  autoCommitInterval: 'autoCommitIntervalMs',
  allowAutoTopicCreation: 'nothing: kafkawire never creates topics on the side (use Admin.createTopics)',
  logLevel: 'nothing: kafkawire does not log (errors and events carry what happens)',
  logCreator: 'nothing: kafkawire does not log (errors and events carry what happens)',
};

/**
 * Why `name` is not an option, as a parenthesized hint: a pointer from a KafkaJS name, else the
 * closest known name, else ''. `kafkawire/kafkajs` is mentioned for KafkaJS names.
 */
export function optionHint(name: string, known: readonly string[]): string {
  const kafkajs = KAFKAJS_OPTIONS[name];
  if (kafkajs !== undefined) {
    return ` (KafkaJS's ${name}; kafkawire takes ${kafkajs}, or import from 'kafkawire/kafkajs' to keep KafkaJS's options)`;
  }
  const near = closest(name, known);
  return near ? ` (did you mean ${near}?)` : '';
}
