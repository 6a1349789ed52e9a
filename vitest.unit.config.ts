import { defineConfig } from 'vitest/config';

/** Unit and conformance tests only: no broker. `npm test` runs everything with vitest.config.ts. */
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/conformance/**/*.test.ts'],
  },
});
