// A handler module for `kafkawire worker` (README, "Running the worker"):
//
//   kafkawire worker examples/worker-handler.mjs --group billing --topic orders --dlq orders.dlq
//
// Each record's value is an order as JSON. A value that is not JSON, or an order without an id,
// throws: with --dlq the record goes to the dead-letter topic and the worker goes on; without it
// the worker stops (exit 1) and the record is redelivered when it starts again.

let billed = 0;

/** Called once before consuming starts: open connections, warm caches. */
export async function setup({ log }) {
  log.info({ module: 'billing' }, 'Billing handler ready');
}

/** Called for each record, one at a time per partition; the record is committed once this resolves. */
export async function handle({ topic, partition, message }, { log, signal }) {
  const order = JSON.parse(message.value?.toString() ?? 'null');
  if (!order || typeof order.id !== 'string') throw new TypeError('an order needs a string id');
  // Real work goes here (an HTTP call, a database write). `signal` aborts when the worker starts
  // to stop: a handler may use it to cut a long wait short, but a record it then fails is not
  // committed (and, with --dlq, goes to the dead-letter topic), so finishing is usually better.
  void signal;
  billed++;
  log.debug({ topic, partition, offset: message.offset, orderId: order.id }, 'Order billed');
}

/** Called once after the consumer committed and left the group. */
export async function teardown() {
  process.stderr.write(`billed ${billed} orders\n`);
}
