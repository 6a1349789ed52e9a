/**
 * What every API module describes, and the request/response headers around its bodies.
 *
 * An API module (src/protocol/apis/NN-name.ts) exports an `ApiDescriptor`: its key, the version
 * range it implements, its first flexible version, a request encoder and a response decoder.
 * Header versions follow from the flexible-version rule: request header v2 and response header
 * v1 for flexible versions, v1 and v0 otherwise — except ApiVersions, whose response header is
 * always v0 so that a client can read it before it knows what the broker speaks (KIP-511).
 */
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export interface ApiDescriptor<Req, Res> {
  /** The API key (e.g. 18 for ApiVersions). */
  readonly key: number;
  /** The API's name as in Kafka's schemas. */
  readonly name: string;
  /** Lowest version this module implements. */
  readonly min: number;
  /** Highest version this module implements. */
  readonly max: number;
  /** First flexible version (compact strings/arrays, tagged fields); Infinity if none. */
  readonly flexibleFrom: number;
  encodeRequest(w: Writer, version: number, request: Req): void;
  decodeResponse(r: Reader, version: number): Res;
}

export type RequestOf<A> = A extends ApiDescriptor<infer Req, unknown> ? Req : never;
export type ResponseOf<A> = A extends ApiDescriptor<unknown, infer Res> ? Res : never;

const API_VERSIONS_KEY = 18;

/** Request header v1 (non-flexible) or v2 (flexible: adds a tagged-field section). */
export function writeRequestHeader(
  w: Writer,
  api: ApiDescriptor<unknown, unknown>,
  version: number,
  correlationId: number,
  clientId: string | null,
): void {
  w.int16(api.key);
  w.int16(version);
  w.int32(correlationId);
  // The client id stays a classic nullable string in header v2 too ("flexibleVersions": "none").
  w.nullableString(clientId, false);
  if (version >= api.flexibleFrom) w.emptyTaggedFields();
}

/** True when the response to `api` at `version` has header v1 (a tagged-field section). */
export function responseHeaderIsFlexible(apiKey: number, flexibleFrom: number, version: number): boolean {
  return apiKey !== API_VERSIONS_KEY && version >= flexibleFrom;
}

/**
 * Reads the rest of a response header after the correlation id (already read by the
 * connection to route the frame): the tagged-field section of header v1, if any.
 */
export function skipResponseHeaderRest(
  r: Reader,
  apiKey: number,
  flexibleFrom: number,
  version: number,
): void {
  if (responseHeaderIsFlexible(apiKey, flexibleFrom, version)) r.taggedFields();
}
