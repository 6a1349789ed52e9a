/**
 * Seeds for the decoder fuzzers (decoder-fuzz.test.ts, decoder-fuzz-scale.test.ts): the
 * Java-built responses of the golden vectors (test/conformance/fixtures), per API, to mutate.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'conformance', 'fixtures');

/** Every golden response of `apiName`, with its version. */
export function seeds(apiName: string): { version: number; bytes: Buffer }[] {
  const out: { version: number; bytes: Buffer }[] = [];
  if (!existsSync(FIXTURES)) return out;
  for (const file of readdirSync(FIXTURES)) {
    if (!file.endsWith('.json')) continue;
    const data = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as unknown;
    // Fixtures are { api, vectors: [...] } (golden vectors) or a bare list (older files).
    const list = Array.isArray(data) ? data : (data as { vectors?: unknown }).vectors;
    const fileApi = Array.isArray(data)
      ? ''
      : String((data as { api?: string; name?: string }).api ?? (data as { name?: string }).name ?? '');
    if (!Array.isArray(list)) continue;
    for (const e of list as {
      api?: string;
      name?: string;
      kind?: string;
      version?: number;
      hex?: string;
    }[]) {
      const api = fileApi || e.api || '';
      if (
        e.kind === 'response' &&
        typeof e.hex === 'string' &&
        typeof e.version === 'number' &&
        api === apiName
      ) {
        out.push({ version: e.version, bytes: Buffer.from(e.hex, 'hex') });
      }
    }
  }
  return out;
}
