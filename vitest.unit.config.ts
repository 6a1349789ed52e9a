import { defineConfig } from 'vitest/config';

/** Unit and conformance tests only: no broker. `npm test` runs everything with vitest.config.ts. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/conformance/**/*.test.ts'],
    // Some unit tests poll for seconds against staged peers (consumer-unreachable: 4.5 s of
    // polling by design); vitest's 5 s default cut one off on a loaded CI machine. Their own
    // assertions bound the times that matter.
    testTimeout: 30_000,
  },
});
