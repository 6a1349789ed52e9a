/** Every API module kafkawire implements, for version checks and conformance tests. */
import type { ApiDescriptor } from '../api.js';
import { Metadata } from './03-metadata.js';
import { ApiVersions } from './18-api-versions.js';

export { Metadata } from './03-metadata.js';
export type * from './03-metadata.js';
export { ApiVersions } from './18-api-versions.js';
export type * from './18-api-versions.js';

export const IMPLEMENTED_APIS: readonly ApiDescriptor<never, unknown>[] = [Metadata, ApiVersions];
