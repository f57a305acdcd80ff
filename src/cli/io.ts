/** A stream the CLI writes to: the real stdout/stderr, or a string collector in tests. */
export interface CliStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/**
 * Everything the CLI knows of its process, passed in (secretlint's `run()`): the CLI is a
 * function of argv and this object, tested without spawning, and `bin/` wires the real process.
 */
export interface CliIO {
  stdout: CliStream;
  stderr: CliStream;
  stdin?: AsyncIterable<Uint8Array>;
  cwd: string;
  env: NodeJS.ProcessEnv;
}
