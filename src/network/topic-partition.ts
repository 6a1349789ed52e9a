/**
 * The one map key of a topic-partition, shared by every client (consumer cursors, group
 * assignments, committed offsets, transactions, admin lag, the CLI): `${topic}\0${partition}`.
 * A topic name never holds a NUL (Kafka allows `[a-zA-Z0-9._-]` only), so no two partitions
 * share a key, and the key reads back with `fromPartitionKey`.
 */

/** The map key of `topic`-`partition`. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\0${partition}`;
}

/** The topic and partition a `partitionKey` was made of. */
export function fromPartitionKey(key: string): { topic: string; partition: number } {
  const at = key.lastIndexOf('\0');
  return { topic: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}
