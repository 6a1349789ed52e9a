/** A password prompt on the terminal, for the CLI's SASL password (client-options.ts). */
import { closeSync, openSync } from 'node:fs';
import { ReadStream } from 'node:tty';
import { UsageError } from './usage-error.js';

/**
 * Reads a password from the terminal without echo (/dev/tty, so it works while stdin carries
 * records). Null when there is no terminal.
 */
export async function promptPassword(question: string): Promise<string | null> {
  let fd: number;
  try {
    fd = openSync('/dev/tty', 'r+');
  } catch {
    return null;
  }
  const input = new ReadStream(fd);
  try {
    input.setRawMode(true);
    process.stderr.write(question);
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      input.on('data', (chunk: Buffer) => {
        for (const ch of chunk.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            process.stderr.write('\n');
            resolve(typed);
            return;
          }
          if (ch === '\u0003') {
            process.stderr.write('\n');
            reject(new UsageError('password prompt interrupted'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else typed += ch;
        }
      });
    });
  } finally {
    input.setRawMode(false);
    input.destroy();
    try {
      closeSync(fd);
    } catch {
      // Already closed by the stream.
    }
  }
}
