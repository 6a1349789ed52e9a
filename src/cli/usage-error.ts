/** The CLI's usage error, in a file of its own so every CLI module can import it without a cycle. */

/** Something wrong with the command line: exit 2, with a pointer to the command's --help. */
export class UsageError extends Error {
  /** The command whose --help explains the fix (`produce`, `topics create`, ...); '' for the top level. */
  readonly command: string;
  constructor(message: string, command = '') {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
