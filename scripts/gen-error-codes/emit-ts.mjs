// Turns the JSON printed by GenErrorCodes.java (stdin) into src/protocol/error-codes.ts (stdout).
// Usage: node emit-ts.mjs <kafka-version> < codes.json > error-codes.ts
// Plain Node, no dependencies; the same input always gives the same bytes.
import { readFileSync } from 'node:fs';

const version = process.argv[2];
if (!version) throw new Error('usage: node emit-ts.mjs <kafka-version> < codes.json');
const rows = JSON.parse(readFileSync(0, 'utf8'));
if (!Array.isArray(rows) || rows.length === 0) throw new Error('expected a non-empty JSON array');

const seen = new Set();
for (const r of rows) {
  if (!Number.isInteger(r.code) || typeof r.name !== 'string' || !/^[A-Z][A-Z0-9_]*$/.test(r.name)) {
    throw new Error(`bad row ${JSON.stringify(r)}`);
  }
  if (seen.has(r.code)) throw new Error(`duplicate code ${r.code}`);
  seen.add(r.code);
}
rows.sort((a, b) => a.code - b.code);

/** A single-quoted TS string literal (the house quote style). */
const sq = (s) => `'${JSON.stringify(s).slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;

const out = [];
out.push(`/**
 * Every error code Apache Kafka ${version} knows: name, default message, and the two flags the retry
 * policy branches on (retriable, refresh metadata first).
 *
 * GENERATED — do not edit. Source: org.apache.kafka.common.protocol.Errors in kafka-clients
 * ${version}; \`retriable\` is \`exception() instanceof RetriableException\`, \`refreshMetadata\` is
 * \`exception() instanceof InvalidMetadataException\`, exactly as the Java client decides.
 * Regenerate: bash scripts/gen-error-codes.sh
 *
 * Plain data, no Java at run time. Lookup is O(1), an array indexed by code + 1. A code newer
 * than this table gets a non-retriable placeholder.
 */

/** What kafkawire knows about one Kafka error code. */
export interface ErrorCodeInfo {
  /** The numeric code on the wire, e.g. 6. */
  code: number;
  /** Kafka's name for it (\`Errors.name()\`), e.g. \`NOT_LEADER_OR_FOLLOWER\`. */
  name: string;
  /** Kafka's default message (\`Errors.message()\`). */
  message: string;
  /** True when the Java client treats it as retriable (\`RetriableException\`). */
  retriable: boolean;
  /** True when metadata should be refreshed before retrying (\`InvalidMetadataException\`). */
  refreshMetadata: boolean;
}

/** The Kafka version this table was generated from. */
export const ERROR_CODES_KAFKA_VERSION = '${version}';

/** Named error codes, as \`org.apache.kafka.common.protocol.Errors\` spells them. */
export const ErrorCode = {`);
for (const r of rows) out.push(`  ${r.name}: ${r.code},`);
out.push(`} as const;

/** The name of a known error code, e.g. \`'NOT_LEADER_OR_FOLLOWER'\`. */
export type ErrorCodeName = keyof typeof ErrorCode;

/** The number of a known error code, e.g. \`6\` for \`ErrorCode.NOT_LEADER_OR_FOLLOWER\`. */
export type ErrorCode = (typeof ErrorCode)[ErrorCodeName];

type Row = readonly [
  code: number,
  name: string,
  retriable: boolean,
  refreshMetadata: boolean,
  message: string,
];

// biome-ignore format: generated table, one code per line
const ROWS: readonly Row[] = [`);
for (const r of rows) {
  const message = r.message ?? r.name; // Errors.message() falls back to the name when there is no exception
  out.push(`  [${r.code}, ${sq(r.name)}, ${r.retriable}, ${r.refreshMetadata}, ${sq(message)}],`);
}
out.push(`];

const MIN_CODE = ${rows[0].code};
const BY_INDEX: (ErrorCodeInfo | undefined)[] = [];
for (const [code, name, retriable, refreshMetadata, message] of ROWS) {
  BY_INDEX[code - MIN_CODE] = Object.freeze({ code, name, message, retriable, refreshMetadata });
}

/**
 * What is known about \`code\`. A code this table does not know (a broker newer than Kafka
 * ${version}) gets a placeholder that is neither retriable nor asks for a metadata refresh.
 */
export function errorCodeInfo(code: number): ErrorCodeInfo {
  return (
    BY_INDEX[code - MIN_CODE] ?? {
      code,
      name: \`UNKNOWN_ERROR_CODE_\${code}\`,
      message: \`Unknown error code \${code} (newer broker?)\`,
      retriable: false,
      refreshMetadata: false,
    }
  );
}
`);
process.stdout.write(out.join('\n'));
