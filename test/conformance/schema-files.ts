/**
 * Kafka's JSON message schemas for the conformance tests.
 *
 * Read from `shared/kafka-protocol/messages` beside the repository when that folder exists (the
 * full set, apache/kafka trunk 1eb7644 of 2024-10-25), else from the copy in
 * `test/conformance/schemas/`: the request schemas of the APIs in `src/protocol/apis/index.ts` plus
 * RequestHeader and ResponseHeader, unchanged byte for byte with their ASF headers (Apache-2.0).
 * The copy keeps the tests independent of the sibling folder; schemas.test.ts checks that it holds
 * every implemented API and that it still matches the sibling where both exist.
 *
 * `test/conformance/schemas/kafka-4.3.1/` holds the few schemas where kafkawire implements
 * versions newer than that 2024 tree (Produce v12 and TxnOffsetCommit v5 for transaction
 * version 2, ListTransactions v2), taken unchanged from `common/message/` inside
 * kafka-clients-4.3.1.jar, the release the tests run against; `loadSchema` prefers them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/**
 * `shared/kafka-protocol/messages` in the nearest folder above the repository that has one: a
 * checkout beside `shared/` finds it at `../shared`, a git worktree deeper down (`wt/<branch>`)
 * one level further up. It used to be looked for at `../shared` only, so in a worktree the
 * comparisons with the full set were skipped without a word.
 */
function findSiblingSchemas(): string | null {
  for (let dir = resolve(REPO_ROOT, '..'); ; dir = dirname(dir)) {
    const candidate = join(dir, 'shared', 'kafka-protocol', 'messages');
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** The full set of Kafka's schemas beside the repository, or null where there is none. */
export const SIBLING_SCHEMAS_DIR: string | null = findSiblingSchemas();
export const COPIED_SCHEMAS_DIR = resolve(REPO_ROOT, 'test', 'conformance', 'schemas');
export const SCHEMAS_DIR = SIBLING_SCHEMAS_DIR ?? COPIED_SCHEMAS_DIR;
/** Schemas of the Kafka release under test where they define versions the 2024 tree lacks. */
export const NEWER_SCHEMAS_DIR = resolve(COPIED_SCHEMAS_DIR, 'kafka-4.3.1');

export interface SchemaField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  flexibleVersions?: string;
  tag?: number;
  default?: string;
  ignorable?: boolean;
  fields?: SchemaField[];
}

export interface MessageSchema {
  apiKey?: number;
  type: 'request' | 'response' | 'header' | 'data';
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: SchemaField[];
  commonStructs?: { name: string; versions: string; fields: SchemaField[] }[];
}

/** An inclusive version range; `max` is Infinity for an open one ("9+"). */
export interface VersionRange {
  min: number;
  max: number;
}

/** Removes `//` comments (outside string literals), which Kafka's schema files carry. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else {
      if (c === '"') inString = true;
      out += c;
    }
  }
  return out;
}

/** Parses a schema's version spec: "0-12", "9+", "3", or "none" (null). */
export function parseVersions(spec: string): VersionRange | null {
  if (spec === 'none') return null;
  const open = /^(\d+)\+$/.exec(spec);
  if (open) return { min: Number(open[1]), max: Number.POSITIVE_INFINITY };
  const range = /^(\d+)(?:-(\d+))?$/.exec(spec);
  if (!range) throw new Error(`Unreadable version spec "${spec}"`);
  return { min: Number(range[1]), max: Number(range[2] ?? range[1]) };
}

export function schemaPath(name: string, dir = SCHEMAS_DIR): string {
  return join(dir, `${name}.json`);
}

/**
 * Loads `<name>.json` (e.g. "MetadataRequest") from `dir`; by default the Kafka 4.3.1 schema
 * where there is one (see NEWER_SCHEMAS_DIR), else the one of SCHEMAS_DIR.
 */
export function loadSchema(name: string, dir?: string): MessageSchema {
  const newer = schemaPath(name, NEWER_SCHEMAS_DIR);
  const file = dir === undefined && existsSync(newer) ? newer : schemaPath(name, dir ?? SCHEMAS_DIR);
  return JSON.parse(stripComments(readFileSync(file, 'utf8'))) as MessageSchema;
}
