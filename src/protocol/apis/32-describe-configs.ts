/**
 * DescribeConfigs (key 32), v1–v4 (v0 is gone from 4.x brokers, KIP-896).
 * v1: +includeSynonyms; results carry configSource and synonyms (KIP-226) · v2: throttled
 * responses come before the throttle · v3: +includeDocumentation; results carry configType and
 * documentation (KIP-569) · v4: flexible.
 *
 * Topic configs go to any broker; broker configs (resourceName = the node id) and broker-logger
 * configs to that broker. Java: `Admin.describeConfigs`.
 */
import type { ApiDescriptor } from '../api.js';
import { UnsupportedVersionError } from '../errors.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

/** Java `ConfigResource.Type`: what a config belongs to. */
export const ConfigResourceType = {
  unknown: 0,
  topic: 2,
  broker: 4,
  brokerLogger: 8,
  clientMetrics: 16,
  group: 32,
} as const;

/** Java `DescribeConfigsResponse.ConfigSource`: where a config's value comes from. */
export const ConfigSource = {
  unknown: 0,
  topicConfig: 1,
  dynamicBrokerConfig: 2,
  dynamicDefaultBrokerConfig: 3,
  staticBrokerConfig: 4,
  defaultConfig: 5,
  dynamicBrokerLoggerConfig: 6,
  clientMetricsConfig: 7,
  groupConfig: 8,
} as const;

/** Java `DescribeConfigsResponse.ConfigType`: a config's data type (v3+). */
export const ConfigType = {
  unknown: 0,
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
} as const;

export interface DescribeConfigsResource {
  /** See `ConfigResourceType`. */
  resourceType: number;
  resourceName: string;
  /** The keys to describe, or null for all. */
  configurationKeys: string[] | null;
}

export interface DescribeConfigsRequest {
  resources: DescribeConfigsResource[];
  includeSynonyms?: boolean; // v1+, default false
  includeDocumentation?: boolean; // v3+, default false
}

export interface DescribeConfigsSynonym {
  name: string;
  value: string | null;
  /** See `ConfigSource`. */
  source: number;
}

export interface DescribeConfigsResourceResult {
  name: string;
  value: string | null;
  readOnly: boolean;
  /** See `ConfigSource`. */
  configSource: number; // v1+
  isSensitive: boolean;
  synonyms: DescribeConfigsSynonym[]; // v1+
  /** See `ConfigType`. */
  configType: number; // v3+, 0 before
  documentation: string | null; // v3+, null before
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribeConfigsResourceResult[];
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
}

export const DescribeConfigs: ApiDescriptor<DescribeConfigsRequest, DescribeConfigsResponse> = {
  key: 32,
  name: 'DescribeConfigs',
  min: 1,
  max: 4,
  flexibleFrom: 4,
  encodeRequest(w: Writer, v: number, m: DescribeConfigsRequest): void {
    const flexible = v >= 4;
    w.arrayLength(m.resources.length, flexible);
    for (const res of m.resources) {
      w.int8(res.resourceType);
      w.string(res.resourceName, flexible);
      const keys = res.configurationKeys;
      w.arrayLength(keys === null ? null : keys.length, flexible);
      if (keys !== null) for (const k of keys) w.string(k, flexible);
      if (flexible) w.emptyTaggedFields();
    }
    w.boolean(m.includeSynonyms ?? false);
    if (v >= 3) w.boolean(m.includeDocumentation ?? false);
    else if (m.includeDocumentation)
      throw new UnsupportedVersionError(`DescribeConfigs v${v} cannot include documentation`);
    if (flexible) w.emptyTaggedFields();
  },
  decodeResponse(r: Reader, v: number): DescribeConfigsResponse {
    const flexible = v >= 4;
    const throttleTimeMs = r.int32();
    // Smallest result: error code, null message, type, empty name, empty configs.
    const results = r.array(flexible, (t) => readResult(t, v, flexible), 6);
    if (flexible) r.taggedFields();
    return { throttleTimeMs, results };
  },
};

function readResult(r: Reader, v: number, flexible: boolean): DescribeConfigsResult {
  const errorCode = r.int16();
  const errorMessage = r.nullableString(flexible);
  const resourceType = r.int8();
  const resourceName = r.string(flexible);
  // Smallest config: empty name, null value, three flags and an empty synonym list.
  const configs = r.array(flexible, (c) => readConfig(c, v, flexible), 6);
  if (flexible) r.taggedFields();
  return { errorCode, errorMessage, resourceType, resourceName, configs };
}

function readConfig(r: Reader, v: number, flexible: boolean): DescribeConfigsResourceResult {
  const name = r.string(flexible);
  const value = r.nullableString(flexible);
  const readOnly = r.boolean();
  const configSource = r.int8();
  const isSensitive = r.boolean();
  const synonyms = r.array(flexible, (s) => readSynonym(s, flexible), 3);
  const configType = v >= 3 ? r.int8() : ConfigType.unknown;
  const documentation = v >= 3 ? r.nullableString(flexible) : null;
  if (flexible) r.taggedFields();
  return { name, value, readOnly, configSource, isSensitive, synonyms, configType, documentation };
}

function readSynonym(r: Reader, flexible: boolean): DescribeConfigsSynonym {
  const name = r.string(flexible);
  const value = r.nullableString(flexible);
  const source = r.int8();
  if (flexible) r.taggedFields();
  return { name, value, source };
}
