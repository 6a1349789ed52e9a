/**
 * KafkaJS's partitioners (`Partitioners.DefaultPartitioner`, `LegacyPartitioner`) and its
 * partition assigner (`PartitionAssigners.roundRobin`), on kafkawire's pieces.
 *
 * - DefaultPartitioner: a message's own partition; else murmur2 of the key as the Java client
 *   hashes it (kafkawire's own hash, so keys land where Java and KafkaJS 2.x put them); else
 *   round-robin over the partitions that have a leader, from a random start per topic.
 * - LegacyPartitioner: KafkaJS 1.x's default, for data partitioned by it: the same rules with
 *   that version's hash, which computes murmur2 in floating point and so differs from Java's.
 * - roundRobin: kafkawire's round-robin assignor advertised under KafkaJS's protocol name
 *   (`RoundRobinAssigner`), so consumers of this entry and KafkaJS consumers can share a group
 *   while an application moves from one to the other.
 */
import { randomInt } from 'node:crypto';
import type { Assignor } from '../group/assignors/assignor.js';
import { RoundRobinAssignor } from '../group/assignors/round-robin.js';
import { partitionForKey } from '../producer/murmur2.js';

/** A partition as a partitioner sees it (KafkaJS: `PartitionMetadata`). */
export interface PartitionMetadata {
  partitionErrorCode: number;
  partitionId: number;
  /** Node id of the leader, -1 when it has none. */
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas?: number[];
}

/** What a partitioner is given (KafkaJS: `PartitionerArgs`). */
export interface PartitionerArgs {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  /** The message: its key and value as sent (serialized), and its partition if it named one. */
  message: { key?: Buffer | string | null; value?: Buffer | string | null; partition?: number | null };
}

/** A partitioner factory (KafkaJS: `ICustomPartitioner`): called once per producer. */
export type ICustomPartitioner = () => (args: PartitionerArgs) => number;

const toPositive = (x: number) => x & 0x7fffffff;

function keyBytes(key: Buffer | string): Buffer {
  return Buffer.isBuffer(key) ? key : Buffer.from(String(key));
}

/** The shared rules; only the hash of a key differs between the two partitioners. */
function roundRobinOr(hash: (key: Buffer, partitions: number) => number): ICustomPartitioner {
  return () => {
    const counters = new Map<string, number>();
    return ({ topic, partitionMetadata, message }) => {
      if (message.partition !== null && message.partition !== undefined) return message.partition;
      const count = partitionMetadata.length;
      if (message.key !== null && message.key !== undefined) return hash(keyBytes(message.key), count);
      const next = (counters.get(topic) ?? randomInt(0x7fffffff)) + 1;
      counters.set(topic, next);
      const available = partitionMetadata.filter((p) => p.leader >= 0);
      if (available.length > 0) return available[toPositive(next) % available.length]!.partitionId;
      return toPositive(next) % count;
    };
  };
}

/**
 * murmur2 as KafkaJS 1.x computes it. Its multiplications run on JavaScript numbers (doubles),
 * so products above 2^53 lose low bits before the 32-bit conversions that follow; the result is
 * a deterministic but different hash from Java's. Its word loop also runs to length / 4
 * rounded up, so the last, partial word is mixed in (its missing bytes as 0) before the tail
 * bytes are mixed in again. Each step below keeps that order of float and 32-bit operations,
 * since changing it changes the partition of existing keys.
 */
export function legacyMurmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const words = Math.ceil(length / 4);
  const byte = (i: number) => (i < length ? data[i]! : 0);
  for (let i = 0; i < words; i++) {
    const at = i * 4;
    let k: number = byte(at) + (byte(at + 1) << 8) + (byte(at + 2) << 16) + (byte(at + 3) << 24);
    k = k * m; // a double: the exactness of this product is what the 1.x hash depends on
    k = k ^ (k >>> 24);
    k = k * m;
    h = h * m;
    h = h ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h = h ^ (data[tail + 2]! << 16);
  if (rest >= 2) h = h ^ (data[tail + 1]! << 8);
  if (rest >= 1) {
    h = h ^ data[tail]!;
    h = h * m;
  }
  h = h ^ (h >>> 13);
  h = h * m;
  h = h ^ (h >>> 15);
  return h;
}

/** KafkaJS's default since 2.0: Java-compatible key hashing, round-robin without a key. */
const DefaultPartitioner: ICustomPartitioner = roundRobinOr((key, n) => partitionForKey(key, n));

/** KafkaJS 1.x's default partitioner, for topics it partitioned. */
const LegacyPartitioner: ICustomPartitioner = roundRobinOr((key, n) => toPositive(legacyMurmur2(key)) % n);

/** KafkaJS's partitioners (KafkaJS: `Partitioners`). */
export const Partitioners: {
  DefaultPartitioner: ICustomPartitioner;
  LegacyPartitioner: ICustomPartitioner;
  /** @deprecated KafkaJS's older name of DefaultPartitioner. */
  JavaCompatiblePartitioner: ICustomPartitioner;
} = { DefaultPartitioner, LegacyPartitioner, JavaCompatiblePartitioner: DefaultPartitioner };

/** A partition assigner for `consumer({ partitionAssigners })` (KafkaJS: `PartitionAssigner`). */
export type PartitionAssigner = (() => unknown) & { readonly assignor: Assignor };

const roundRobin: PartitionAssigner = Object.assign(() => roundRobinAssignor, {
  assignor: { ...RoundRobinAssignor, name: 'RoundRobinAssigner' } as Assignor,
});
const roundRobinAssignor = roundRobin.assignor;

/** KafkaJS's assigners (KafkaJS: `PartitionAssigners`); `roundRobin` is KafkaJS's default. */
export const PartitionAssigners: { roundRobin: PartitionAssigner } = { roundRobin };
