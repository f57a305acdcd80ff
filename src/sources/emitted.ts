import { dirname, join } from "node:path";
import type { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";

/**
 * The bundler source (`lumenguard/vite`, `lumenguard/webpack`): the files a build is about to
 * write, scanned in memory as code shipped to users — before anything reaches a disk or a CDN.
 * A key found in a chunk is traced through the chunk's own source map to the source file that
 * put it there; a key in a map's `sourcesContent` names the source it is a copy of.
 */
export interface EmittedFile {
  /** Its name in the output folder, `/`-separated, as the bundler names it. */
  fileName: string;
  contents: string | Uint8Array;
  /** The file's source map (JSON text or the parsed object), when the build made one. */
  map?: string | object | null;
}

/** The client files a build emits that can carry a key. */
const SCANNED = /\.(?:m?js|cjs|css|html|json|map)$/i;
const MAPPED = /\.(?:m?js|cjs|css)$/i;

export function isScannedFile(fileName: string): boolean {
  return SCANNED.test(fileName);
}

export interface EmittedOptions {
  /** The project root: original sources are named relative to it. */
  root: string;
  /** The build's output folder (absolute): maps' relative sources resolve against it. */
  outDir: string;
}

/** Scans the emitted files that can hold a key; the others (images, fonts, wasm) are skipped. */
export function scanEmitted(session: ScanSession, files: Iterable<EmittedFile>, options: EmittedOptions): void {
  for (const emitted of files) {
    const absPath = join(options.outDir, emitted.fileName);
    if (!isScannedFile(emitted.fileName) || session.isIgnored(absPath)) continue;
    const bytes = typeof emitted.contents === "string" ? Buffer.from(emitted.contents, "utf8") : emitted.contents;
    const file: SourceFile = { path: emitted.fileName, kind: "emitted", absPath };
    const mapDir = dirname(absPath);
    if (emitted.map && MAPPED.test(emitted.fileName)) {
      file.trace = { kind: "map-json", json: typeof emitted.map === "string" ? emitted.map : JSON.stringify(emitted.map), mapDir, root: options.root };
    } else if (/\.map$/i.test(emitted.fileName)) {
      file.trace = { kind: "sources-content-json", json: Buffer.from(bytes).toString("utf8"), mapDir, root: options.root };
    }
    session.open(file).push(bytes, true);
  }
}
