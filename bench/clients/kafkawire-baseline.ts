/**
 * kafkawire as of another commit, beside this checkout's in the same run, for a before/after
 * measurement (e.g. that observability costs nothing when unused):
 *
 *   git worktree add /tmp/kw-base <commit> && ln -s "$PWD/node_modules" /tmp/kw-base/node_modules
 *   KAFKAWIRE_BASELINE=/tmp/kw-base npm run bench -- --clients kafkawire,kafkawire-baseline
 *
 * The client code is clients/kafkawire.ts, unchanged; only the library it imports differs.
 * Without KAFKAWIRE_BASELINE the client is reported unavailable.
 */
import { join } from 'node:path';

const dir = process.env.KAFKAWIRE_BASELINE;
if (!dir) throw new Error('Cannot find module: set KAFKAWIRE_BASELINE to a kafkawire checkout');
process.env.KAFKAWIRE_BENCH_LIB = join(dir, 'src/index.ts');
await import('./kafkawire.js');
