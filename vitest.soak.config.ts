import { defineConfig } from 'vitest/config';

// `npm run test:soak`: the reliability scenarios of issue 15 at full size (KAFKAWIRE_SOAK=1; each
// file states its soak size beside its CI size). The README's Reliability section has the figures
// of a run and how long it takes.
// The same broker set-up and pool as vitest.config.ts (not merged with it: its include would add
// every other file).
export default defineConfig({
  test: {
    globalSetup: ['test/harness/global-setup.ts'],
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    include: [
      'test/integration/leader-kills.test.ts',
      'test/integration/chaos-connections.test.ts',
      'test/integration/producer-kill.test.ts',
      'test/integration/exactly-once-kill.test.ts',
      'test/integration/worker-pool.test.ts',
      'test/integration/outage.test.ts',
      'test/unit/bad-peers.test.ts',
      'test/integration/producer-memory.test.ts',
      'test/integration/consumer-memory.test.ts',
      'test/integration/group-churn.test.ts',
      'test/unit/decoder-fuzz-scale.test.ts',
    ],
    env: { KAFKAWIRE_SOAK: '1' },
    testTimeout: 1_200_000,
  },
});
