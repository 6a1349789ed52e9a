/**
 * Kafka's key hash: murmur2 exactly as Java's `org.apache.kafka.common.utils.Utils.murmur2`
 * computes it, so a keyed record lands on the same partition whichever client produced it.
 *
 * Java works in signed 32-bit ints with wrap-around multiplication: `Math.imul` and `| 0`
 * reproduce that, `>>>` is Java's `>>>`. The result is a signed int like Java's; the partition
 * is `toPositive(hash) % numPartitions` (Java `BuiltInPartitioner.partitionForKey`), which is
 * not `Math.abs` (`Math.abs(Integer.MIN_VALUE)` stays negative). Test vectors come from
 * kafka-clients itself (test/conformance/java/Murmur2Vectors.java).
 */

const SEED = 0x9747b28c | 0;
const M = 0x5bd1e995;
const R = 24;

/** Java `Utils.murmur2(byte[])`: a signed 32-bit hash of `data`. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = SEED ^ length;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  // Java's switch on length % 4 falls through 3 -> 2 -> 1.
  const rest = length & 3;
  if (rest !== 0) {
    if (rest === 3) h ^= data[length4 + 2] << 16;
    if (rest >= 2) h ^= data[length4 + 1] << 8;
    h ^= data[length4];
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Java `Utils.toPositive`: clears the sign bit (not `Math.abs`). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/**
 * The partition of a keyed record, as Java's default partitioner picks it
 * (`BuiltInPartitioner.partitionForKey`): `toPositive(murmur2(key)) % numPartitions`.
 */
export function partitionForKey(keyBytes: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(keyBytes)) % numPartitions;
}
