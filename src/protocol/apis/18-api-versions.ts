/**
 * ApiVersions (key 18), v0–v4.
 * v1: +throttleTimeMs · v3: flexible, +clientSoftwareName/Version, tagged supportedFeatures,
 * finalizedFeaturesEpoch, finalizedFeatures, zkMigrationReady (KIP-511, KIP-584) · v4: same as v3
 * (a v4 request lets the broker answer UNSUPPORTED_VERSION with its own key list, KIP-511).
 *
 * The response header is always v0, even for flexible versions (see api.ts). A broker that does
 * not know the requested version answers with version 0's body and UNSUPPORTED_VERSION: the
 * connection then retries at the highest version that list offers.
 */
import type { ApiDescriptor } from '../api.js';
import type { Reader } from '../reader.js';
import type { TaggedField, Writer } from '../writer.js';

export interface ApiVersionsRequest {
  clientSoftwareName: string; // v3+
  clientSoftwareVersion: string; // v3+
}

export interface ApiVersion {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface SupportedFeatureKey {
  name: string;
  minVersion: number;
  maxVersion: number;
}

export interface FinalizedFeatureKey {
  name: string;
  maxVersionLevel: number;
  minVersionLevel: number;
}

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersion[];
  throttleTimeMs: number; // v1+
  supportedFeatures: SupportedFeatureKey[]; // v3+, tag 0
  finalizedFeaturesEpoch: bigint; // v3+, tag 1
  finalizedFeatures: FinalizedFeatureKey[]; // v3+, tag 2
  zkMigrationReady: boolean; // v3+, tag 3
  unknownTaggedFields?: TaggedField[];
}

export const ApiVersions: ApiDescriptor<ApiVersionsRequest, ApiVersionsResponse> = {
  key: 18,
  name: 'ApiVersions',
  min: 0,
  max: 4,
  flexibleFrom: 3,
  encodeRequest(w: Writer, v: number, m: ApiVersionsRequest): void {
    if (v >= 3) {
      w.string(m.clientSoftwareName, true);
      w.string(m.clientSoftwareVersion, true);
      w.emptyTaggedFields();
    }
  },
  decodeResponse(r: Reader, v: number): ApiVersionsResponse {
    const flexible = v >= 3;
    const res: ApiVersionsResponse = {
      errorCode: r.int16(),
      apiKeys: r.array(flexible, flexible ? readApiVersionFlexible : readApiVersion, 6),
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1n,
      finalizedFeatures: [],
      zkMigrationReady: false,
    };
    if (v >= 1) res.throttleTimeMs = r.int32();
    if (flexible) {
      res.unknownTaggedFields = r.taggedFields((tag, t) => {
        switch (tag) {
          case 0:
            res.supportedFeatures = t.array(true, readSupportedFeature, 5);
            return true;
          case 1:
            res.finalizedFeaturesEpoch = t.int64();
            return true;
          case 2:
            res.finalizedFeatures = t.array(true, readFinalizedFeature, 5);
            return true;
          case 3:
            res.zkMigrationReady = t.boolean();
            return true;
          default:
            return false;
        }
      });
    }
    return res;
  },
};

function readApiVersion(r: Reader): ApiVersion {
  const apiKey = r.int16();
  const minVersion = r.int16();
  const maxVersion = r.int16();
  return { apiKey, minVersion, maxVersion };
}

function readApiVersionFlexible(r: Reader): ApiVersion {
  const v = readApiVersion(r);
  r.taggedFields();
  return v;
}

function readSupportedFeature(r: Reader): SupportedFeatureKey {
  const name = r.string(true);
  const minVersion = r.int16();
  const maxVersion = r.int16();
  r.taggedFields();
  return { name, minVersion, maxVersion };
}

function readFinalizedFeature(r: Reader): FinalizedFeatureKey {
  const name = r.string(true);
  const maxVersionLevel = r.int16();
  const minVersionLevel = r.int16();
  r.taggedFields();
  return { name, maxVersionLevel, minVersionLevel };
}
