import { resolve } from "node:path";
import { ScanError } from "../errors.js";
import type { ScanSession } from "../scanning/session.js";
import { toPosix } from "./paths.js";

/**
 * Standard input (`lumenguard scan -`), streamed through the scanning loop under
 * `--stdin-filename` (default `<stdin>`): the name rules and `ignore` globs see.
 */
export interface StdinOptions {
  cwd: string;
  stdin: AsyncIterable<Uint8Array> | undefined;
  filename?: string | undefined;
}

/** @throws ScanError (exit 3) when there is no standard input to read. */
export async function scanStdin(session: ScanSession, options: StdinOptions): Promise<void> {
  if (!options.stdin) throw new ScanError("'-' was given but no standard input is available");
  const name = options.filename ?? "<stdin>";
  const absPath = resolve(options.cwd, name);
  if (options.filename && session.isIgnored(absPath)) return;
  const sink = session.open({ path: toPosix(name), kind: "stdin", absPath });
  for await (const chunk of options.stdin) sink.push(chunk);
  sink.push(new Uint8Array(0), true);
}
