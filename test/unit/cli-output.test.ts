/**
 * How the CLI classifies failures: configuration and command-line mistakes exit 2 (usage), every
 * run-time failure exits 1 — a call in the wrong state too (a partition not assigned, a closed
 * consumer), which was a ConfigError, and so exit 2, before IllegalStateError existed.
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { errorObject, exitCodeOf } from '../../src/cli/output.js';
import { Consumer } from '../../src/consumer/consumer.js';
import { ConfigError, IllegalStateError } from '../../src/protocol/errors.js';

describe('CLI exit codes', () => {
  it('a wrong-state call from the consumer is a run-time failure: exit 1, kind "state"', async () => {
    const consumer = new Consumer({ bootstrapServers: '127.0.0.1:1' });
    let err: unknown;
    try {
      consumer.seek({ topic: 'orders', partition: 3 }, 0);
    } catch (e) {
      err = e;
    }
    await consumer.close();
    expect(err).toBeInstanceOf(IllegalStateError);
    expect(exitCodeOf(err)).toBe(1);
    expect(errorObject(err)).toMatchObject({
      error: { kind: 'state', name: 'IllegalStateError', exitCode: 1, retriable: false },
    });
  });

  it('configuration and usage mistakes stay exit 2', () => {
    expect(exitCodeOf(new ConfigError('lingerMs', 'must be >= 0'))).toBe(2);
    expect(exitCodeOf(new UsageError('unknown option', 'consume'))).toBe(2);
    expect(errorObject(new ConfigError('lingerMs', 'x'))).toMatchObject({
      error: { kind: 'usage', option: 'lingerMs' },
    });
  });
});
