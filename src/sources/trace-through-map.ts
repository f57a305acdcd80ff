import { fstatSync } from "node:fs";
import { readAt } from "./disk.js";
import { createRequire } from "node:module";
import type { OriginalPosition } from "../types.js";
import { MapContentScanner, type MapReader } from "./map-content-index.js";
import { sourceName } from "./sources-content.js";

/**
 * Tracing a built position through a source map's `mappings` (https://tc39.es/ecma426/), with
 * @jridgewell/trace-mapping (loaded only when a map is read). Decoded mappings cost memory per
 * line of the built file, so what is traced is capped: maps whose `mappings` exceed
 * {@link MAX_MAP_BYTES} or {@link MAX_MAPPED_LINES} lines are not traced (the caller warns, and
 * the finding stays where it is in the built file). A map file on disk is streamed once to find
 * its `mappings` and `sources`; its `sourcesContent`, usually most of it, is never held.
 */
export type OriginalMapper = (line: number, column: number) => OriginalPosition | null;

export const MAX_MAP_BYTES = 64 << 20;
/** About 60 MB of decoded mappings. */
export const MAX_MAPPED_LINES = 200_000;

type TraceMapping = typeof import("@jridgewell/trace-mapping");
let traceMapping: TraceMapping | undefined;

function load(): TraceMapping {
  traceMapping ??= createRequire(import.meta.url)("@jridgewell/trace-mapping") as TraceMapping;
  return traceMapping;
}

interface MapParts {
  sources: Array<string | null>;
  sourceRoot?: string;
  mappings: string;
}

/**
 * A mapper from built positions (1-based line, 1-based column in UTF-16 code units) to original
 * ones, counted the same way. A map's own columns are 0-based UTF-16 code units
 * (https://tc39.es/ecma426/#sec-mappings). A mapping segment starts where a token starts — the
 * quote of a string literal — so a key inside the token is placed at the segment's original
 * column plus the key's offset inside the segment: `"lmnfl_…"` at original column 50 puts the
 * key at 51. Index maps (`sections`) are not read. Relative sources are resolved against the
 * map's folder and named relative to `root` (the scan root), so `../../src/a.ts` reads
 * `src/a.ts`; `webpack://` and other URLs stay as they are.
 * The JSON is read without being parsed whole (map-content-index.ts): a map's `sourcesContent`
 * is never held in memory here.
 * @throws Error when its mappings are missing or malformed, or too large to trace.
 */
export function mapperFromJson(json: string | Buffer, mapDir: string, root: string): OriginalMapper {
  const bytes = typeof json === "string" ? Buffer.from(json, "utf8") : json;
  return mapperFromReader({ size: bytes.length, read: (at, length) => bytes.subarray(at, at + length) }, mapDir, root);
}

/**
 * {@link mapperFromJson} for a map file on disk, open as `fd` (the caller opened it, checked it,
 * and closes it), streamed: only `mappings` and `sources` are held.
 */
export function mapperFromMapFd(fd: number, mapDir: string, root: string): OriginalMapper {
  const size = fstatSync(fd).size;
  return mapperFromReader({ size, read: (at, length) => readAt(fd, at, Math.min(length, size - at)) }, mapDir, root);
}

/** The map is streamed once for its `mappings`, `sources` and `sourceRoot`; `sourcesContent` is never held. */
function mapperFromReader(reader: MapReader, mapDir: string, root: string): OriginalMapper {
  const index = MapContentScanner.scan(reader);
  if (!index.mappings) throw new Error("its source map has no mappings");
  const { start, end } = index.mappings;
  if (end - start > MAX_MAP_BYTES) throw new Error(`its source map's mappings are larger than ${MAX_MAP_BYTES >> 20} MiB and were not traced`);
  let mappings: unknown;
  try {
    mappings = JSON.parse(`"${reader.read(start, end - start).toString("utf8")}"`);
  } catch {
    throw new Error("its source map's mappings are not a valid JSON string");
  }
  return mapperFromParts({ sources: index.sources, mappings: String(mappings), sourceRoot: index.sourceRoot }, mapDir, root);
}

function mapperFromParts(parts: MapParts, mapDir: string, root: string): OriginalMapper {
  let lines = 1;
  for (let at = parts.mappings.indexOf(";"); at !== -1; at = parts.mappings.indexOf(";", at + 1)) {
    if (++lines > MAX_MAPPED_LINES) throw new Error(`its source map covers more than ${MAX_MAPPED_LINES} lines and was not traced`);
  }
  const { TraceMap, originalPositionFor, traceSegment } = load();
  // Not AnyMap: an index map's section offsets (`"line": 2147483647`) would make it allocate that many lines.
  const map = new TraceMap({ version: 3, names: [], sources: parts.sources.map((source) => source ?? ""), mappings: parts.mappings, ...(parts.sourceRoot ? { sourceRoot: parts.sourceRoot } : {}) });
  return (line, column) => {
    const position = originalPositionFor(map, { line, column: column - 1 });
    if (position.source === null || position.line === null || position.column === null) return null;
    const segment = traceSegment(map, line - 1, column - 1);
    const offset = segment ? column - 1 - segment[0] : 0;
    const original = position.column + Math.max(0, offset) + 1;
    if (!Number.isSafeInteger(original) || position.line < 1) throw new Error("its mappings point outside any source");
    return { file: sourceName(position.source, mapDir, root), line: position.line, column: original };
  };
}
