import { brotliSink } from "./brotli.js";
import { gzipSink } from "./gzip.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";
import { zipSink } from "./zip.js";
import type { SourceFile } from "../source-file.js";

/**
 * Compressed files and archives, in every source alike (working tree, index, history, client
 * output): gzip and brotli files are scanned as the text they decompress to, zip-based packages
 * entry by entry, one level deep, all under the budgets of limits.ts.
 */
export type ContainerKind = "gzip" | "brotli" | "zip";

const GZIP = /\.(?:gz|tgz)$/i;
const BROTLI = /\.br$/i;
const ZIP = /\.(?:zip|crx|xpi|apk|aab|ipa|jar)$/i;

/** The container format a file's name says, or null for a plain file. */
export function containerOf(path: string): ContainerKind | null {
  if (GZIP.test(path)) return "gzip";
  if (BROTLI.test(path)) return "brotli";
  if (ZIP.test(path)) return "zip";
  return null;
}

/** A sink that decompresses what its name says, feeding plain sinks made by `openPlain`. */
export function containerSink(kind: ContainerKind, file: SourceFile, hooks: SinkHooks, openPlain: OpenPlain): FileSink {
  if (kind === "gzip") return gzipSink(file, hooks, openPlain);
  if (kind === "brotli") return brotliSink(file, hooks, openPlain);
  return zipSink(file, hooks, openPlain);
}

export { scanZip, type RandomAccess } from "./zip.js";
export type { FileSink, ScannedFile, SinkHooks } from "./types.js";
