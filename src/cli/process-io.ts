import type { CliIO, CliStream } from "./io.js";

/**
 * The real process as the CLI's io object, for bin/lumenguard.js. When the reader of standard
 * output or standard error goes away (`lumenguard --help | head -1`, `scan | head`), writing
 * fails with EPIPE, which Node reports as an `'error'` event that, unhandled, ends the process
 * with a stack trace. Here that stream is closed quietly instead: later writes to it are dropped,
 * and the command runs to its end and returns its exit code as usual (a hook still fails when
 * it should, whoever stopped reading).
 */
export function processIO(process: NodeJS.Process): CliIO {
  return {
    stdout: quietOnClose(process.stdout),
    stderr: quietOnClose(process.stderr),
    // Read only by the commands that take standard input (`scan -`, `--pre-push`, `--pre-receive`):
    // Node makes the stream, and opens the descriptor, on first access of process.stdin.
    get stdin() {
      return process.stdin;
    },
    cwd: process.cwd(),
    env: process.env,
  };
}

/** A stream whose write never throws and whose EPIPE (or any later error) ends its output, not the process. */
export function quietOnClose(stream: NodeJS.WriteStream): CliStream {
  let closed = false;
  stream.on("error", () => {
    // The reader is gone (EPIPE), or the descriptor was closed under us: nothing more can be said there.
    closed = true;
  });
  return {
    get isTTY() {
      return stream.isTTY === true;
    },
    write(chunk: string) {
      if (closed) return false;
      try {
        return stream.write(chunk);
      } catch {
        closed = true;
        return false;
      }
    },
  };
}
