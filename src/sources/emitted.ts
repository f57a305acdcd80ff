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

/** Emitted files that carry a source map of their own (a chunk, a stylesheet). */
const MAPPED = /\.(?:m?js|cjs|css)$/i;

export interface EmittedOptions {
  /** The project root: original sources are named relative to it. */
  root: string;
  /** The build's output folder (absolute): maps' relative sources resolve against it. */
  outDir: string;
}

/**
 * Scans every emitted file, whatever its type: everything in the output folder is served, and a
 * key ships as well in an `.svg`, a `.txt`, a `.webmanifest` or a copied `public/` file as in a
 * chunk. Binary files (images, fonts, wasm) are searched as bytes, as the engine searches any
 * binary file. Config `ignore` globs match the output path.
 */
export function scanEmitted(session: ScanSession, files: Iterable<EmittedFile>, options: EmittedOptions): void {
  for (const emitted of files) {
    const absPath = join(options.outDir, emitted.fileName);
    if (session.isIgnored(absPath)) continue;
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
