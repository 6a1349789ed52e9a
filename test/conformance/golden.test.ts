/**
 * Golden vectors: kafkawire's encoders and decoders against bytes made by Kafka's own generated
 * message classes (fixtures/*.json, written by scripts/gen-golden-vectors.sh from
 * java/GoldenVectors.java; the JSON is Java's `XxxDataJsonConverter` output for that version).
 *
 * - request: Java's JSON, read into our request type, must encode to Java's bytes exactly;
 * - response: our decoder must consume all of Java's bytes and yield Java's JSON, with every field
 *   that version lacks at the default our response types document; unknown tagged fields (some
 *   vectors plant them, as a newer broker would send them) must be skipped cleanly, and where our
 *   type keeps them, be exactly the planted ones;
 * - request/response headers: writeRequestHeader and the response-header reader likewise.
 * A failure here is a bug in src/protocol (or a stale fixture), never something to relax here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type ApiDescriptor,
  responseHeaderIsFlexible,
  skipResponseHeaderRest,
  writeRequestHeader,
} from '../../src/protocol/api.js';
import { IMPLEMENTED_APIS } from '../../src/protocol/apis/index.js';
import {
  ConsumerProtocol,
  readAssignment,
  readSubscription,
  writeAssignment,
  writeSubscription,
} from '../../src/protocol/consumer-protocol.js';
import { Reader } from '../../src/protocol/reader.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { type TaggedField, Writer } from '../../src/protocol/writer.js';
import { loadSchema, REPO_ROOT, type SchemaField } from './schema-files.js';

type Json = null | boolean | number | bigint | string | Json[] | { [key: string]: Json };

interface Vector {
  name: string;
  kind: 'request' | 'response' | 'requestHeader' | 'responseHeader' | 'subscription' | 'assignment';
  /** The message version; for headers, the header version. */
  version: number;
  /** Headers only: the API and API version the header belongs to. */
  apiKey?: number;
  apiVersion?: number;
  hex: string;
  json: { [key: string]: Json };
  /** Responses only: tagged fields unknown to Kafka, planted as a newer peer would send them. */
  unknownTaggedFields?: { path: string; tag: number; hex: string }[];
}

interface Fixture {
  generator: string;
  kafka: string;
  api: string;
  apiKey?: number;
  /** The version range the Java classes accept (they may know more versions than we do). */
  javaVersions?: [number, number];
  vectors: Vector[];
}

const FIXTURES_DIR = join(REPO_ROOT, 'test', 'conformance', 'fixtures');
const INT32_MIN = -2147483648;

/**
 * What our decoders give for a field a version does not carry (Java's JSON then omits it, and
 * also omits tagged fields at their default). Keys are field paths, arrays left out. These mirror
 * the `// vN+, X before` notes on the response types in src/protocol/apis.
 */
const RESPONSE_DEFAULTS: Record<string, Record<string, unknown>> = {
  Produce: {
    'responses.partitionResponses.logStartOffset': -1n,
    'responses.partitionResponses.recordErrors': [],
    'responses.partitionResponses.errorMessage': null,
    'responses.partitionResponses.currentLeader': null,
    nodeEndpoints: [],
  },
  Fetch: {
    errorCode: 0,
    sessionId: 0,
    'responses.topic': '',
    'responses.topicId': ZERO_UUID,
    'responses.partitions.logStartOffset': -1n,
    'responses.partitions.divergingEpoch': null,
    'responses.partitions.currentLeader': null,
    'responses.partitions.snapshotId': null,
    'responses.partitions.preferredReadReplica': -1,
    nodeEndpoints: [],
  },
  ListOffsets: {
    throttleTimeMs: 0,
    'topics.partitions.leaderEpoch': -1,
  },
  ApiVersions: {
    throttleTimeMs: 0,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
    finalizedFeatures: [],
    zkMigrationReady: false,
  },
  Metadata: {
    throttleTimeMs: 0,
    'brokers.rack': null,
    clusterId: null,
    controllerId: -1,
    'topics.topicId': ZERO_UUID,
    'topics.isInternal': false,
    'topics.partitions.leaderEpoch': -1,
    'topics.partitions.offlineReplicas': [],
    'topics.topicAuthorizedOperations': INT32_MIN,
    clusterAuthorizedOperations: INT32_MIN,
  },
  CreateTopics: {
    'topics.topicId': ZERO_UUID,
    'topics.topicConfigErrorCode': 0,
    'topics.numPartitions': -1,
    'topics.replicationFactor': -1,
    'topics.configs': null,
  },
  OffsetCommit: {
    throttleTimeMs: 0,
  },
  OffsetFetch: {
    throttleTimeMs: 0,
    topics: [],
    'topics.partitions.committedLeaderEpoch': -1,
    errorCode: 0,
    groups: [],
  },
  FindCoordinator: {
    throttleTimeMs: 0,
    errorCode: 0,
    errorMessage: null,
    nodeId: -1,
    host: '',
    port: -1,
    coordinators: [],
  },
  JoinGroup: {
    protocolType: null,
    skipAssignment: false,
    'members.groupInstanceId': null,
  },
  Heartbeat: {
    throttleTimeMs: 0,
  },
  LeaveGroup: {
    throttleTimeMs: 0,
    members: [],
  },
  SyncGroup: {
    throttleTimeMs: 0,
    protocolType: null,
    protocolName: null,
  },
  DescribeGroups: {
    throttleTimeMs: 0,
    'groups.members.groupInstanceId': null,
    'groups.authorizedOperations': INT32_MIN,
  },
  ListGroups: {
    throttleTimeMs: 0,
    'groups.groupState': '',
    'groups.groupType': '',
  },
  DeleteTopics: {
    'responses.topicId': ZERO_UUID,
    'responses.errorMessage': null,
  },
  DescribeConfigs: {
    'results.configs.configType': 0,
    'results.configs.documentation': null,
  },
  DescribeCluster: {
    endpointType: 1,
  },
  SaslAuthenticate: {
    sessionLifetimeMs: 0n,
  },
  EndTxn: {
    producerId: -1n,
    producerEpoch: -1,
  },
  ShareAcknowledge: { acquisitionLockTimeoutMs: 0 },
  DescribeShareGroupOffsets: { 'groups.topics.partitions.lag': -1n },
};

/** Module file names are kebab-case API names: ApiVersions → api-versions(.json). */
function fixtureFile(apiName: string): string {
  return join(FIXTURES_DIR, `${apiName.replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())}.json`);
}

/** JSON.parse keeping integers beyond 2^53 exact (as bigint), e.g. an int64 epoch. */
function loadFixture(file: string): Fixture {
  return JSON.parse(readFileSync(file, 'utf8'), (_key, value, context?: { source?: string }) => {
    if (typeof value !== 'number' || Number.isSafeInteger(value) || !Number.isInteger(value)) return value;
    if (context?.source === undefined)
      throw new Error('Reading int64 fixtures needs JSON.parse source access (Node 21+)');
    return BigInt(context.source);
  }) as Fixture;
}

function camel(schemaName: string): string {
  return schemaName[0].toLowerCase() + schemaName.slice(1);
}

/**
 * Java's request JSON as our request type, typed by the request schema: field names are the
 * schema's in camelCase already; int64 become bigint, bytes and records Buffers. Nothing is filled
 * in, so an encoder that reads a field the version does not carry fails here rather than passing
 * by luck.
 */
function toRequest(
  json: { [key: string]: Json },
  fields: SchemaField[],
  structs: Map<string, SchemaField[]>,
) {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = fields.find((f) => camel(f.name) === key);
    if (!field) throw new Error(`Java's JSON has "${key}", which the request schema does not`);
    out[key] = toRequestValue(
      value,
      field.type,
      field.fields ?? structs.get(field.type.replace(/^\[\]/, '')),
      structs,
    );
  }
  return out;
}

function toRequestValue(
  value: Json,
  type: string,
  fields: SchemaField[] | undefined,
  structs: Map<string, SchemaField[]>,
): unknown {
  if (value === null) return null;
  if (type.startsWith('[]'))
    return (value as Json[]).map((e) => toRequestValue(e, type.slice(2), fields, structs));
  if (type === 'int64') return BigInt(value as number | bigint);
  if (type === 'bytes') return Buffer.from(value as string, 'base64');
  // GoldenVectors.java puts a records field's bytes back as base64 (Java's converter writes "").
  if (type === 'records') return Buffer.from(value as string, 'base64');
  if (fields) return toRequest(value as { [key: string]: Json }, fields, structs);
  return value;
}

interface ExpectContext {
  defaults: Record<string, unknown>;
  version: number;
  /** Unknown tagged fields Java planted, by the concrete path of the struct carrying them. */
  planted: Map<string, TaggedField[]>;
}

/**
 * What our decoded response must equal: Java's JSON, int64 as bigint, plus each field Java's
 * JSON lacks at its documented default (a placeholder that cannot match when there is none).
 * `field` is the path for the defaults table (no indices), `at` the concrete one ("topics[0]").
 * Where our type surfaces unknownTaggedFields, they must be exactly those Java planted there.
 */
function expectedResponse(java: Json, ours: unknown, cx: ExpectContext, field = '', at = ''): unknown {
  if (Array.isArray(java)) {
    return java.map((e, i) =>
      expectedResponse(e, Array.isArray(ours) ? ours[i] : undefined, cx, field, `${at}[${i}]`),
    );
  }
  if (java !== null && typeof java === 'object') {
    const out: Record<string, unknown> = {};
    const dot = (base: string, key: string) => (base ? `${base}.${key}` : key);
    const own = ours !== null && typeof ours === 'object' ? (ours as Record<string, unknown>) : undefined;
    for (const [key, value] of Object.entries(java)) {
      out[key] = expectedResponse(value, own?.[key], cx, dot(field, key), dot(at, key));
    }
    for (const [key, value] of Object.entries(own ?? {})) {
      if (key in java) continue;
      if (key === 'unknownTaggedFields') {
        const planted = cx.planted.get(at);
        out[key] =
          planted ?? (value === undefined || (Array.isArray(value) && value.length === 0) ? value : []);
      } else if (dot(field, key) in cx.defaults) {
        out[key] = cx.defaults[dot(field, key)];
      } else {
        out[key] = `<${dot(at, key)}: not in Java's JSON at v${cx.version}, and no documented default>`;
      }
    }
    return out;
  }
  if (typeof ours === 'bigint' && (typeof java === 'number' || typeof java === 'bigint')) return BigInt(java);
  if (ours instanceof Uint8Array && typeof java === 'string') return Buffer.from(java, 'base64');
  return java;
}

function plantedTags(v: Vector): Map<string, TaggedField[]> {
  const out = new Map<string, TaggedField[]>();
  for (const { path, tag, hex } of v.unknownTaggedFields ?? []) {
    out.set(path, [...(out.get(path) ?? []), { tag, data: Buffer.from(hex, 'hex') }]);
  }
  return out;
}

function title(v: Vector): string {
  return `${v.kind} v${v.version}: ${v.name}`;
}

for (const api of IMPLEMENTED_APIS) {
  const file = fixtureFile(api.name);
  if (!existsSync(file)) {
    it.todo(`${api.name}: golden vectors (add it to test/conformance/java/GoldenVectors.java)`);
    continue;
  }
  const fixture = loadFixture(file);
  const schema = loadSchema(`${api.name}Request`);
  const structs = new Map((schema.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const defaults = RESPONSE_DEFAULTS[api.name] ?? {};

  describe(`${api.name} golden vectors (Kafka ${fixture.kafka})`, () => {
    it('cover every version we implement that Kafka does', () => {
      expect(fixture.apiKey).toBe(api.key);
      const [javaMin, javaMax] = fixture.javaVersions!;
      const missing: string[] = [];
      for (let v = Math.max(api.min, javaMin); v <= Math.min(api.max, javaMax); v++) {
        for (const kind of ['request', 'response'] as const) {
          if (!fixture.vectors.some((x) => x.kind === kind && x.version === v)) missing.push(`${kind} v${v}`);
        }
      }
      expect(missing, 'regenerate with scripts/gen-golden-vectors.sh').toEqual([]);
    });

    const requests = fixture.vectors.filter((v) => v.kind === 'request');
    it.each(requests.map((v) => [title(v), v] as const))('encodes %s as Java does', (_, v) => {
      const request = toRequest(v.json, schema.fields, structs);
      const w = new Writer(64);
      api.encodeRequest(w, v.version, request as never);
      expect(w.view().toString('hex')).toBe(v.hex);
    });

    const responses = fixture.vectors.filter((v) => v.kind === 'response');
    it.each(responses.map((v) => [title(v), v] as const))('decodes %s as Java does', (_, v) => {
      const r = new Reader(Buffer.from(v.hex, 'hex'));
      const ours = api.decodeResponse(r, v.version);
      expect(r.remaining, 'bytes left after the response body').toBe(0);
      expect(ours).toEqual(
        expectedResponse(v.json, ours, { defaults, version: v.version, planted: plantedTags(v) }),
      );
    });
  });
}

describe('request and response header golden vectors', () => {
  const fixture = loadFixture(join(FIXTURES_DIR, 'headers.json'));
  const byKey = new Map<number, ApiDescriptor<never, unknown>>(IMPLEMENTED_APIS.map((a) => [a.key, a]));
  const implemented = fixture.vectors.filter((v) => byKey.has(v.apiKey!));

  it.each(implemented.filter((v) => v.kind === 'requestHeader').map((v) => [title(v), v] as const))(
    'writes %s as Java does',
    (_, v) => {
      const api = byKey.get(v.apiKey!)!;
      const { requestApiVersion, correlationId, clientId } = v.json as {
        requestApiVersion: number;
        correlationId: number;
        clientId: string | null;
      };
      expect(requestApiVersion).toBe(v.apiVersion);
      const w = new Writer(64);
      writeRequestHeader(w, api, requestApiVersion, correlationId, clientId);
      expect(w.view().toString('hex')).toBe(v.hex);
    },
  );

  it.each(implemented.filter((v) => v.kind === 'responseHeader').map((v) => [title(v), v] as const))(
    'reads %s as Java wrote it',
    (_, v) => {
      const api = byKey.get(v.apiKey!)!;
      const r = new Reader(Buffer.from(v.hex, 'hex'));
      expect(r.int32()).toBe(v.json.correlationId);
      expect(responseHeaderIsFlexible(api.key, api.flexibleFrom, v.apiVersion!)).toBe(v.version >= 1);
      skipResponseHeaderRest(r, api.key, api.flexibleFrom, v.apiVersion!);
      expect(r.remaining, 'bytes left after the response header').toBe(0);
    },
  );
});

/**
 * The ConsumerProtocol bytes inside JoinGroup/SyncGroup (src/protocol/consumer-protocol.ts),
 * version prefix included: each known version must encode to Java's bytes and decode to Java's
 * JSON; a newer version must decode as Java's ConsumerProtocol reads it (the fields we know).
 */
describe('ConsumerProtocol golden vectors', () => {
  const fixture = loadFixture(join(FIXTURES_DIR, 'consumer-protocol.json'));
  const kinds = {
    subscription: {
      schema: loadSchema('ConsumerProtocolSubscription'),
      range: ConsumerProtocol.subscription,
      write: writeSubscription as (w: Writer, m: never, version: number) => void,
      read: readSubscription as (r: Reader) => { version: number },
      defaults: { ownedPartitions: [], generationId: -1, rackId: null } as Record<string, unknown>,
    },
    assignment: {
      schema: loadSchema('ConsumerProtocolAssignment'),
      range: ConsumerProtocol.assignment,
      write: writeAssignment as (w: Writer, m: never, version: number) => void,
      read: readAssignment as (r: Reader) => { version: number },
      defaults: {} as Record<string, unknown>,
    },
  };

  for (const [kind, k] of Object.entries(kinds)) {
    const vectors = fixture.vectors.filter((v) => v.kind === kind);

    it(`cover every ${kind} version we implement, and a newer one`, () => {
      const [schemaMin, schemaMax] = k.schema.validVersions.split('-').map(Number);
      expect([k.range.min, k.range.max]).toEqual([schemaMin, schemaMax]);
      for (let v = k.range.min; v <= k.range.max; v++) {
        expect(
          vectors.some((x) => x.version === v),
          `${kind} v${v}`,
        ).toBe(true);
      }
      expect(vectors.some((x) => x.version > k.range.max)).toBe(true);
    });

    const known = vectors.filter((v) => v.version <= k.range.max);
    it.each(known.map((v) => [title(v), v] as const))('writes %s as Java does', (_, v) => {
      const w = new Writer(64);
      k.write(w, toRequest(v.json, k.schema.fields, new Map()) as never, v.version);
      expect(w.view().toString('hex')).toBe(v.hex);
    });

    it.each(vectors.map((v) => [title(v), v] as const))('reads %s as Java does', (_, v) => {
      const r = new Reader(Buffer.from(v.hex, 'hex'));
      const { version, ...ours } = k.read(r);
      expect(version).toBe(v.version);
      // Fields of versions we do not know are left unread, as Java leaves them.
      if (v.version <= k.range.max) expect(r.remaining, 'bytes left after the message').toBe(0);
      expect(ours).toEqual(
        expectedResponse(v.json, ours, { defaults: k.defaults, version: v.version, planted: new Map() }),
      );
    });
  }
});
