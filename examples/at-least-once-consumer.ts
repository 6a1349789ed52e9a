/**
 * An at-least-once group consumer with manual commits: each poll's records are handled first
 * and committed after, so a crash before a commit delivers those records again (to this member
 * or whoever gets the partition), and a record is never committed before it was handled. On
 * SIGINT or SIGTERM it finishes the records it holds, commits them, leaves the group, exits 0.
 *
 *   KAFKA_BROKERS=localhost:9092 node examples/at-least-once-consumer.ts [topic] [group]
 *
 * EXAMPLE_RECORDS=N stops by itself after N records.
 */
import { Consumer, type DecodedRecord } from 'kafkawire';

const bootstrapServers = process.env.KAFKA_BROKERS ?? 'localhost:9092';
const topic = process.argv[2] ?? 'orders';
const groupId = process.argv[3] ?? 'billing';
const limit = Number(process.env.EXAMPLE_RECORDS ?? Number.POSITIVE_INFINITY);

const consumer = new Consumer({
  bootstrapServers,
  groupId,
  enableAutoCommit: false, // commits are ours, after the work is done
  autoOffsetReset: 'earliest', // a new group starts at the beginning
});
consumer.subscribe([topic], {
  onPartitionsAssigned: (partitions) =>
    console.log(`assigned ${partitions.map((p) => p.partition).join(', ')}`),
  // Everything handled was committed after its poll, so nothing is left to commit here.
  onPartitionsRevoked: (partitions) =>
    console.log(`revoked ${partitions.map((p) => p.partition).join(', ')}`),
});

const stop = new AbortController();
process.once('SIGINT', () => stop.abort());
process.once('SIGTERM', () => stop.abort());

let total = 0;
const perCustomer = new Map<string, number>();

/** The work: here, a running total per customer. Must tolerate seeing a record twice. */
async function handle(record: DecodedRecord): Promise<void> {
  const order = JSON.parse(record.value?.toString() ?? '{}') as { customer?: string; amount?: number };
  const customer = order.customer ?? 'unknown';
  perCustomer.set(customer, (perCustomer.get(customer) ?? 0) + (order.amount ?? 0));
}

while (!stop.signal.aborted && total < limit) {
  // Returns after timeoutMs with nothing, or at once when stopped.
  const batches = await consumer.poll({ timeoutMs: 1000, signal: stop.signal });
  let handled = 0;
  for (const batch of batches) {
    for (const record of batch.records) {
      await handle(record);
      handled++;
    }
  }
  if (handled === 0) continue;
  // Commits the position after the records this poll handed out: exactly what was handled.
  await consumer.commit();
  total += handled;
  console.log(`handled and committed ${handled} (${total} in all)`);
}

await consumer.close(); // leaves the group at once, so its partitions move without a session timeout
console.log(`stopped: ${total} records handled and committed, ${perCustomer.size} customers`);
