import { defineConfig } from 'vitest/config';

// One config for unit, conformance and integration tests: they all share the broker that
// test/harness/global-setup.ts finds or starts (starting it costs a few seconds once per run).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/harness/global-setup.ts'],
    testTimeout: 60_000,
    // beforeAll may start a 3-node cluster (test/harness/cluster3.ts).
    hookTimeout: 180_000,
    // Child processes, not threads: each failover file owns JVMs and the process-exit hooks that kill them.
    pool: 'forks',
    // Two cores here; each worker may run its own 3 brokers beside the shared one.
    maxWorkers: 2,
  },
});
