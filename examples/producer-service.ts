/**
 * A producer service with graceful shutdown: it produces orders until SIGINT or SIGTERM, then
 * stops taking new work, lets every record in flight settle (acknowledged, or failed after the
 * delivery timeout), and exits 0 only if none failed.
 *
 *   KAFKA_BROKERS=localhost:9092 node examples/producer-service.ts [topic]
 *
 * (Node 22.18+ or 24 runs TypeScript as is; on older Node use `npx tsx`.) EXAMPLE_RECORDS=N
 * stops by itself after N orders.
 */
import { Admin, KafkaError, Producer, type RecordMetadata } from 'kafkawire';

const bootstrapServers = process.env.KAFKA_BROKERS ?? 'localhost:9092';
const topic = process.argv[2] ?? 'orders';
const limit = Number(process.env.EXAMPLE_RECORDS ?? Number.POSITIVE_INFINITY);

// The topic, if it is not there yet (kafkawire never creates topics as a side effect).
const admin = new Admin({ bootstrapServers });
const [created] = await admin.createTopics([{ name: topic, numPartitions: 3 }]);
if (created?.error && created.error.type !== 'TOPIC_ALREADY_EXISTS') throw created.error;
await admin.close();

// Idempotent and acks=all by default: a retry never duplicates or reorders a partition.
const producer = new Producer({ bootstrapServers, compressionType: 'lz4', lingerMs: 10 });
await producer.connect();

let sent = 0;
let acknowledged = 0;
let failed = 0;
const pending = new Set<Promise<RecordMetadata | undefined>>();

function produceOrder(): void {
  const id = sent++;
  const order = {
    id,
    customer: `customer-${id % 50}`,
    amount: (id % 97) + 0.5,
    at: new Date().toISOString(),
  };
  const p = producer
    .send({ topic, key: order.customer, value: JSON.stringify(order), headers: { source: 'example' } })
    .then(
      (md) => {
        acknowledged++;
        return md;
      },
      (err: unknown) => {
        failed++;
        // Typed errors name what failed: KafkaError has the broker's code, topic and partition.
        const where = err instanceof KafkaError ? ` (${err.type}, partition ${err.partition})` : '';
        console.error(`order ${id} failed${where}: ${(err as Error).message}`);
        return undefined;
      },
    );
  pending.add(p);
  void p.finally(() => pending.delete(p));
}

// The "service": a burst of orders every 10 ms.
const timer = setInterval(() => {
  for (let i = 0; i < 50 && sent < limit; i++) produceOrder();
  if (sent >= limit) void shutdown('done');
}, 10);
console.log(`producing to ${topic}; Ctrl-C (SIGINT) or SIGTERM stops`);

let stopping = false;
async function shutdown(reason: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  clearInterval(timer); // 1. no new work
  console.log(`${reason}: stopping with ${pending.size} orders in flight`);
  await producer.close({ timeoutMs: 30_000 }); // 2. flush what lingers, wait for the acknowledgements
  await Promise.allSettled(pending); // 3. every send has settled now
  console.log(`stopped: ${sent} sent, ${acknowledged} acknowledged, ${failed} failed`);
  process.exitCode = failed === 0 ? 0 : 1;
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
