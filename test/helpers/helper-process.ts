/**
 * The process harness of the kill tests (issue 15, scenario 3): a test/helpers/*.ts program run
 * as a child process (`node --import tsx`), its stdout split into lines for the test, its stdin
 * for commands, and SIGKILL for real kills. Keeps the last 200 lines (stderr too) for failure
 * messages. A helper that reads its stdin exits when the test process goes (the pipe closes).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export class HelperProcess {
  readonly child: ChildProcess;
  /** The last 200 lines of output, stderr prefixed. */
  readonly log: string[] = [];
  readonly exited: Promise<number | null>;
  private buffered = '';

  /** Starts `test/helpers/<script>` with `env` added to the test's own. */
  constructor(script: string, env: Record<string, string>, onLine: (line: string) => void = () => {}) {
    const path = fileURLToPath(new URL(`./${script}`, import.meta.url));
    this.child = spawn(process.execPath, ['--import', 'tsx', path], {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (d: Buffer) => {
      this.buffered += d.toString();
      let nl = this.buffered.indexOf('\n');
      while (nl >= 0) {
        const line = this.buffered.slice(0, nl);
        this.buffered = this.buffered.slice(nl + 1);
        this.keep(line);
        onLine(line);
        nl = this.buffered.indexOf('\n');
      }
    });
    this.child.stderr?.on('data', (d: Buffer) => this.keep(`stderr: ${d.toString().trim()}`));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  private keep(line: string): void {
    this.log.push(line);
    if (this.log.length > 200) this.log.shift();
  }

  /** Writes one command line to its stdin. */
  send(line: string): void {
    this.child.stdin?.write(`${line}\n`);
  }

  /** SIGKILL; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
}
