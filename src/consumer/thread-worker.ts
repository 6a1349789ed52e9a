/**
 * The code each worker thread of `run({ threads })` runs (thread-pool.ts is the other side):
 * imports the application's module (workerData.module, a file URL), takes its `eachMessage`
 * export (or the default export), and handles the records the pool posts, any number at once.
 *
 * Messages in: `{ id, payload }` — an EachMessagePayload whose key, value and header values came
 * across as Uint8Arrays (made Buffers again here). Out: `{ ready: true }` once the module is
 * loaded, `{ fatal }` if it cannot be, and `{ id }` / `{ id, error }` when a handler settles.
 *
 * Invariant: imports Node's built-ins only, so that the file runs as it is in a thread (also as
 * TypeScript, with Node's type stripping, when the package runs from its sources).
 */
import { parentPort, workerData } from 'node:worker_threads';

interface WireError {
  name: string;
  message: string;
  stack?: string;
}

interface WireRecord {
  key: unknown;
  value: unknown;
  headers: { key: string; value: unknown }[];
  [field: string]: unknown;
}

function toWire(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { name: 'Error', message: String(err) };
}

/** Uint8Arrays from the pool back to Buffers, so the handler sees what a run() handler sees. */
function revive(v: unknown): unknown {
  return v instanceof Uint8Array ? Buffer.from(v.buffer, v.byteOffset, v.byteLength) : v;
}

const port = parentPort;
if (!port) throw new Error('thread-worker.ts runs in a worker thread of run({ threads })');

try {
  const mod = (await import((workerData as { module: string }).module)) as {
    eachMessage?: unknown;
    default?: unknown;
  };
  const handler = typeof mod.eachMessage === 'function' ? mod.eachMessage : mod.default;
  if (typeof handler !== 'function')
    throw new TypeError('the module exports no eachMessage function (a named export, or the default)');
  port.on('message', (m: { id: number; payload: { message: WireRecord } }) => {
    const record = m.payload.message;
    record.key = revive(record.key);
    record.value = revive(record.value);
    for (const h of record.headers) h.value = revive(h.value);
    Promise.resolve()
      .then(() => (handler as (p: unknown) => unknown)(m.payload))
      .then(
        () => port.postMessage({ id: m.id }),
        (err: unknown) => port.postMessage({ id: m.id, error: toWire(err) }),
      );
  });
  port.postMessage({ ready: true });
} catch (err) {
  port.postMessage({ fatal: toWire(err) });
}
