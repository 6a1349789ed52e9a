/** Every API module kafkawire implements, for version checks, conformance tests and the demo. */
import type { ApiDescriptor } from '../api.js';
import { Produce } from './00-produce.js';
import { Fetch } from './01-fetch.js';
import { ListOffsets } from './02-list-offsets.js';
import { Metadata } from './03-metadata.js';
import { ApiVersions } from './18-api-versions.js';
import { CreateTopics } from './19-create-topics.js';
import { InitProducerId } from './22-init-producer-id.js';

export type * from './00-produce.js';
export { Produce } from './00-produce.js';
export type * from './01-fetch.js';
export { Fetch, IsolationLevel } from './01-fetch.js';
export type * from './02-list-offsets.js';
export { ListOffsets, ListOffsetsTimestamp } from './02-list-offsets.js';
export type * from './03-metadata.js';
export { Metadata } from './03-metadata.js';
export type * from './18-api-versions.js';
export { ApiVersions } from './18-api-versions.js';
export type * from './19-create-topics.js';
export { CreateTopics } from './19-create-topics.js';
export type * from './22-init-producer-id.js';
export { InitProducerId } from './22-init-producer-id.js';

export const IMPLEMENTED_APIS: readonly ApiDescriptor<never, unknown>[] = [
  Produce,
  Fetch,
  ListOffsets,
  Metadata,
  ApiVersions,
  CreateTopics,
  InitProducerId,
];
