/**
 * Every API module's key, version range and first flexible version against Kafka's request schema
 * (see schema-files.ts for where the schemas come from). A module may implement fewer versions
 * than the schema defines, never more, and must turn flexible exactly where the schema does.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IMPLEMENTED_APIS } from '../../src/protocol/apis/index.js';
import {
  COPIED_SCHEMAS_DIR,
  loadSchema,
  NEWER_SCHEMAS_DIR,
  parseVersions,
  SCHEMAS_DIR,
  SIBLING_SCHEMAS_DIR,
  schemaPath,
  stripComments,
} from './schema-files.js';

const HEADER_SCHEMAS = ['RequestHeader', 'ResponseHeader'];
/**
 * APIs newer than the 2024 tree: their schema is only in test/conformance/schemas/kafka-4.3.1
 * (taken from kafka-clients-4.3.1.jar), so there is no 2024 copy to hold or compare.
 */
const NEWER_ONLY = ['DescribeShareGroupOffsetsRequest'];
const COPIED_SCHEMAS = [
  ...IMPLEMENTED_APIS.map((api) => `${api.name}Request`).filter((n) => !NEWER_ONLY.includes(n)),
  ...HEADER_SCHEMAS,
];

describe.each(IMPLEMENTED_APIS.map((api) => [api.name, api] as const))('%s module', (name, api) => {
  const schema = loadSchema(`${name}Request`);
  const valid = parseVersions(schema.validVersions);
  const flexible = parseVersions(schema.flexibleVersions);

  it("has the request schema's api key", () => {
    expect(schema.type).toBe('request');
    expect(api.key).toBe(schema.apiKey);
  });

  it('implements only versions the schema defines', () => {
    expect(valid, `validVersions of ${name}Request`).not.toBeNull();
    expect(api.min).toBeLessThanOrEqual(api.max);
    expect(api.min).toBeGreaterThanOrEqual(valid!.min);
    expect(api.max).toBeLessThanOrEqual(valid!.max);
  });

  it("turns flexible at the schema's first flexible version", () => {
    expect(api.flexibleFrom).toBe(flexible ? flexible.min : Number.POSITIVE_INFINITY);
  });
});

describe('header schemas', () => {
  it('keep the client id a classic nullable string in flexible request headers', () => {
    // api.ts writes it with nullableString(clientId, false) even in header v2.
    const schema = loadSchema('RequestHeader');
    expect(parseVersions(schema.flexibleVersions)).toEqual({ min: 2, max: Number.POSITIVE_INFINITY });
    const clientId = schema.fields.find((f) => f.name === 'ClientId');
    expect(clientId).toMatchObject({ type: 'string', nullableVersions: '1+', flexibleVersions: 'none' });
  });

  it('make response header v1 the flexible one', () => {
    const schema = loadSchema('ResponseHeader');
    expect(parseVersions(schema.validVersions)).toEqual({ min: 0, max: 1 });
    expect(parseVersions(schema.flexibleVersions)).toEqual({ min: 1, max: Number.POSITIVE_INFINITY });
  });
});

describe('schema copy in test/conformance/schemas', () => {
  it.each(COPIED_SCHEMAS)('holds %s, so the tests run without ../shared', (name) => {
    expect(
      existsSync(schemaPath(name, COPIED_SCHEMAS_DIR)),
      `copy ${name}.json from ${SIBLING_SCHEMAS_DIR ?? 'shared/kafka-protocol/messages'}`,
    ).toBe(true);
    expect(() =>
      JSON.parse(stripComments(readFileSync(schemaPath(name, COPIED_SCHEMAS_DIR), 'utf8'))),
    ).not.toThrow();
  });
});

// Registered only where the full set exists (beside a checkout, or above a worktree): the copy
// is then held to it byte for byte. Elsewhere there is nothing to compare with, and no test
// claims to.
const sibling = SIBLING_SCHEMAS_DIR;
if (sibling !== null) {
  describe(`schema copy against ${sibling}`, () => {
    it.each(COPIED_SCHEMAS)('has %s byte for byte as in the full set', (name) => {
      const copy = schemaPath(name, COPIED_SCHEMAS_DIR);
      expect(existsSync(copy), `copy ${name}.json from ${sibling}`).toBe(true);
      expect(readFileSync(copy, 'utf8')).toBe(readFileSync(schemaPath(name, sibling), 'utf8'));
    });
  });
}

describe('stripComments', () => {
  it('keeps // inside strings and drops it elsewhere', () => {
    const text = '{ // a comment\n "about": "see https://kafka.apache.org \\" // not one" }';
    expect(JSON.parse(stripComments(text))).toEqual({ about: 'see https://kafka.apache.org " // not one' });
  });
});

describe('Kafka 4.3.1 schemas in test/conformance/schemas/kafka-4.3.1', () => {
  const names = readdirSync(NEWER_SCHEMAS_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
  it.each(NEWER_ONLY)('%s is there, and not in the 2024 tree', (name) => {
    expect(names).toContain(name);
    expect(existsSync(schemaPath(name, SCHEMAS_DIR))).toBe(false);
  });
  it.each(names.filter((n) => !NEWER_ONLY.includes(n)))('%s extends the schema of the 2024 tree', (name) => {
    const newer = loadSchema(name, NEWER_SCHEMAS_DIR);
    const older = loadSchema(name, SCHEMAS_DIR);
    expect(newer.apiKey).toBe(older.apiKey);
    expect(newer.flexibleVersions).toBe(older.flexibleVersions);
    expect(parseVersions(newer.validVersions)!.max).toBeGreaterThan(parseVersions(older.validVersions)!.max);
  });
});
