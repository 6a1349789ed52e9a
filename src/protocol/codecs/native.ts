/**
 * Lazy loading of the optional native codec packages (snappy, lz4-napi).
 *
 * A package is required on first use, not at import, so a platform without a prebuilt binary
 * can still use every other codec; using the missing one then fails with an error that names the
 * package instead of crashing at startup.
 */
import { createRequire } from 'node:module';
import { CodecUnavailableError } from '../errors.js';

const require = createRequire(import.meta.url);

export { CodecUnavailableError };

/** Returns a loader that requires `packageName` once and caches the module (or the failure). */
export function lazyNative<T>(packageName: string, codec: string): () => T {
  let mod: T | undefined;
  let failure: CodecUnavailableError | undefined;
  return () => {
    if (mod !== undefined) return mod;
    if (failure !== undefined) throw failure;
    try {
      mod = require(packageName) as T;
      return mod;
    } catch (err) {
      failure = new CodecUnavailableError(
        `The ${codec} codec needs the npm package "${packageName}", which failed to load`,
        { codec, packageName, cause: err },
      );
      throw failure;
    }
  };
}
