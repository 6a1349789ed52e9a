/**
 * kafkawire with every diagnostics channel subscribed (each request traced on `kafkawire:request`,
 * commits on `kafkawire:consumer:commit`, batches, fetches, rebalances and connections on the
 * plain channels), the subscribers doing what a metrics exporter does: count and sum per API.
 * Beside plain kafkawire in the same run, it shows what observing costs; plain kafkawire, with
 * nothing subscribed, does strictly less (one `hasSubscribers` read where these build messages).
 * The client code itself is clients/kafkawire.ts, unchanged.
 */
import { channel, tracingChannel } from 'node:diagnostics_channel';
import { DIAGNOSTICS_CHANNELS, type RequestMessage } from '../../src/index.js';

const perApi = new Map<string, { count: number; ms: number; bytes: number }>();
let events = 0;
const count = () => {
  events++;
};
for (const name of [
  DIAGNOSTICS_CHANNELS.connect,
  DIAGNOSTICS_CHANNELS.close,
  DIAGNOSTICS_CHANNELS.authenticated,
  DIAGNOSTICS_CHANNELS.featureFallback,
  DIAGNOSTICS_CHANNELS.produceBatch,
  DIAGNOSTICS_CHANNELS.fetch,
  DIAGNOSTICS_CHANNELS.rebalance,
]) {
  channel(name).subscribe(count);
}
const onRequest = (m: unknown) => {
  const r = m as RequestMessage;
  let s = perApi.get(r.api);
  if (!s) {
    s = { count: 0, ms: 0, bytes: 0 };
    perApi.set(r.api, s);
  }
  s.count++;
  s.ms += r.durationMs ?? 0;
  s.bytes += r.requestBytes + (r.responseBytes ?? 0);
};
for (const name of [DIAGNOSTICS_CHANNELS.request, DIAGNOSTICS_CHANNELS.commit]) {
  tracingChannel(name).subscribe({
    start: count,
    end: count,
    asyncStart: count,
    asyncEnd: onRequest,
    error: count,
  });
}

// What an exporter would ship, to stderr at exit (the runner keeps stdout for the result line).
process.on('exit', () => {
  const requests = [...perApi.values()].reduce((n, s) => n + s.count, 0);
  process.stderr.write(`observed: ${events} channel events, ${requests} requests over ${perApi.size} APIs\n`);
});

await import('./kafkawire.js');
