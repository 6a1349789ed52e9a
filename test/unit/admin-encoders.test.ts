/**
 * Admin request encoders where a request meets a version that lacks one of its fields: the golden
 * vectors cover what Java can encode; these cover the conversions and refusals around them.
 */
import { describe, expect, it } from 'vitest';
import type { ApiDescriptor } from '../../src/protocol/api.js';
import {
  ConfigResourceType,
  DeleteTopics,
  DescribeCluster,
  DescribeConfigs,
  EndpointType,
} from '../../src/protocol/apis/index.js';
import { UnsupportedVersionError } from '../../src/protocol/errors.js';
import { ZERO_UUID } from '../../src/protocol/uuid.js';
import { Writer } from '../../src/protocol/writer.js';

function hex<Req>(api: ApiDescriptor<Req, unknown>, v: number, m: Req): string {
  const w = new Writer(64);
  api.encodeRequest(w, v, m);
  return w.view().toString('hex');
}

describe('DeleteTopics request', () => {
  it('sends topicNames as by-name topics from v6, and topics as names before', () => {
    expect(hex(DeleteTopics, 6, { topicNames: ['orders'], timeoutMs: 1000 })).toBe(
      hex(DeleteTopics, 6, { topics: [{ name: 'orders', topicId: ZERO_UUID }], timeoutMs: 1000 }),
    );
    for (const v of [1, 4, 5]) {
      expect(hex(DeleteTopics, v, { topics: [{ name: 'orders' }], timeoutMs: 1000 })).toBe(
        hex(DeleteTopics, v, { topicNames: ['orders'], timeoutMs: 1000 }),
      );
    }
  });

  it('refuses a topic given only by id before v6', () => {
    const m = { topics: [{ name: null, topicId: 'AAECAwQFBgcICQoLDA0ODw' }], timeoutMs: 1000 };
    expect(() => hex(DeleteTopics, 5, m)).toThrow(UnsupportedVersionError);
  });
});

describe('DescribeCluster request', () => {
  it('refuses to ask for controllers at v0, which describes brokers only', () => {
    const m = { includeClusterAuthorizedOperations: false, endpointType: EndpointType.controllers };
    expect(() => hex(DescribeCluster, 0, m)).toThrow(UnsupportedVersionError);
    expect(hex(DescribeCluster, 0, { ...m, endpointType: EndpointType.brokers })).toBe('0000');
  });
});

describe('DescribeConfigs request', () => {
  it('refuses documentation before v3 rather than dropping it', () => {
    const m = {
      resources: [{ resourceType: ConfigResourceType.topic, resourceName: 't', configurationKeys: null }],
      includeDocumentation: true,
    };
    expect(() => hex(DescribeConfigs, 2, m)).toThrow(UnsupportedVersionError);
    expect(() => hex(DescribeConfigs, 3, m)).not.toThrow();
  });
});
