/** POSIX shell quoting for the remote commands labforge sends over SSH. */

/** Quotes one argument for a POSIX shell: wrapped in single quotes, each `'` written as `'\''`. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Joins argv into one command line in which every element, the command included, is quoted. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
