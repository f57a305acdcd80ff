import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { TraceSpec } from "../scanning/source-file.js";
import type { OriginalPosition } from "../types.js";
import { sourceName, sourcesContentMapper } from "./sources-content.js";

/**
 * Source-map tracing: a key found in client output is mapped back to the original file, line
 * and column (https://tc39.es/ecma426/). Done by the source layer after the engine has placed a
 * finding, and only for files with a finding: a built file's map is its `//# sourceMappingURL=`
 * (a file beside it, or an inline `data:` URL) or, failing that, `<file>.map`; a map file's own
 * `sourcesContent` strings are copies of its sources. Decoding is left to
 * @jridgewell/trace-mapping, loaded only when a map is read.
 *
 * A map that cannot be read, decoded or traced throws: the scanning loop keeps the finding
 * (untraced) and warns, naming the file. Having no map at all is not an error.
 */
export type OriginalMapper = (line: number, column: number) => OriginalPosition | null;

/** Maps larger than this are not read (a warning says so): tracing must not cost more memory than the scan. */
export const MAX_MAP_BYTES = 64 << 20;
const MAPPED = /\.(?:m?js|cjs|css)$/i;
const URL_COMMENT = /\/[/*][#@]\s*sourceMappingURL=([^\s'"*]+)\s*(?:\*\/)?\s*$/;
/** How far from the end of a built file its sourceMappingURL comment is looked for. */
const TAIL_BYTES = 64 << 10;

type TraceMapping = typeof import("@jridgewell/trace-mapping");
let traceMapping: TraceMapping | undefined;

function load(): TraceMapping {
  traceMapping ??= createRequire(import.meta.url)("@jridgewell/trace-mapping") as TraceMapping;
  return traceMapping;
}

/** How a client file on disk is traced, by its name; null for files that have no map. */
export function traceSpecFor(absPath: string, root: string): TraceSpec | null {
  if (MAPPED.test(absPath)) return { kind: "bundle", absPath, root };
  if (/\.map$/i.test(absPath)) return { kind: "sources-content", absPath, root };
  return null;
}

/**
 * A tracer for one scan: each file's map is read once, when its first finding asks.
 * @throws Error when a map exists but cannot be read, decoded or traced.
 */
export function createTracer(): (spec: TraceSpec, line: number, column: number) => OriginalPosition | null {
  // By file on disk, and by spec object for maps held in memory (one spec per emitted file).
  const onDisk = new Map<string, OriginalMapper | null>();
  const inMemory = new WeakMap<TraceSpec, OriginalMapper | null>();
  return (spec, line, column) => {
    const id = spec.kind === "bundle" || spec.kind === "sources-content" ? `${spec.kind}:${spec.absPath}` : null;
    let mapper = id === null ? inMemory.get(spec) : onDisk.get(id);
    if (mapper === undefined) {
      try {
        mapper = mapperFor(spec);
      } catch (error) {
        // Remembered too: a broken map is read once, and every finding of the file hears why.
        mapper = () => {
          throw error;
        };
      }
      if (id === null) inMemory.set(spec, mapper);
      else onDisk.set(id, mapper);
    }
    return mapper ? mapper(line, column) : null;
  };
}

function mapperFor(spec: TraceSpec): OriginalMapper | null {
  switch (spec.kind) {
    case "bundle":
      return findBundleMap(spec.absPath, spec.root);
    case "sources-content":
      return sourcesContentMapper(readMap(spec.absPath), dirname(spec.absPath), spec.root);
    case "map-json":
      return mapperFromJson(spec.json, spec.mapDir, spec.root);
    case "sources-content-json":
      return sourcesContentMapper(spec.json, spec.mapDir, spec.root);
  }
}

/**
 * A mapper from built positions (1-based line, 1-based column in UTF-16 code units) to original
 * ones, counted the same way. A map's own columns are 0-based UTF-16 code units
 * (https://tc39.es/ecma426/#sec-mappings). A mapping segment starts where a token starts —
 * the quote of a string literal — so a key inside the token is placed at the segment's
 * original column plus the key's offset inside the segment: `"lmnfl_…"` at original column 50
 * puts the key at 51. Index maps (`sections`) are read too. Relative sources are resolved
 * against the map's folder and named relative to `root` (the scan root), so `../../src/a.ts`
 * reads `src/a.ts`; `webpack://` and other URLs stay as they are.
 * @throws Error when the JSON or its mappings are malformed.
 */
export function mapperFromJson(json: string, mapDir: string, root: string): OriginalMapper {
  const { AnyMap, originalPositionFor, traceSegment } = load();
  const map = new AnyMap(json);
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

function findBundleMap(bundlePath: string, root: string): OriginalMapper | null {
  const url = sourceMappingUrl(bundlePath);
  if (url?.startsWith("data:")) return mapperFromJson(decodeDataUrl(url), dirname(bundlePath), root);
  const candidates: string[] = [];
  if (url && !/^[a-z]+:\/\//i.test(url)) {
    let path: string;
    try {
      path = decodeURI(url);
    } catch {
      throw new Error(`its sourceMappingURL is not a valid URL`);
    }
    candidates.push(join(dirname(bundlePath), path));
  }
  candidates.push(`${bundlePath}.map`);
  for (const candidate of candidates) {
    if (!existsSync(candidate) || !statSync(candidate).isFile()) continue;
    return mapperFromJson(readMap(candidate), dirname(candidate), root);
  }
  return null;
}

/** An inline map: `data:application/json;base64,…` or percent-encoded JSON. */
function decodeDataUrl(url: string): string {
  const comma = url.indexOf(",");
  if (comma === -1) throw new Error("its inline source map has no data");
  const payload = url.slice(comma + 1);
  if (/;base64$/i.test(url.slice(0, comma))) return Buffer.from(payload, "base64").toString("utf8");
  try {
    return decodeURIComponent(payload);
  } catch {
    throw new Error("its inline source map is not valid percent-encoding");
  }
}

function readMap(path: string): string {
  const size = statSync(path).size;
  if (size > MAX_MAP_BYTES) throw new Error(`its source map is larger than ${MAX_MAP_BYTES >> 20} MiB and was not read`);
  return readFileSync(path, "utf8");
}

/**
 * The sourceMappingURL of a built file, from its last line — read from the end backwards, so a
 * 1.5 GB bundle costs a few kilobytes here; an inline map's line may be long, up to the map limit.
 */
function sourceMappingUrl(path: string): string | null {
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    let tail = readTail(fd, size, Math.min(size, TAIL_BYTES));
    let at = tail.lastIndexOf("sourceMappingURL=");
    if (at === -1) return null;
    // The comment's line may start before the tail (a long inline map): read further back.
    while (tail.lastIndexOf(10, at) === -1 && tail.length < size && tail.length < MAX_MAP_BYTES) {
      tail = readTail(fd, size, Math.min(size, tail.length * 4, MAX_MAP_BYTES));
      at = tail.lastIndexOf("sourceMappingURL=");
    }
    const lineStart = tail.lastIndexOf(10, at) + 1;
    let lineEnd = tail.indexOf(10, at);
    if (lineEnd === -1) lineEnd = tail.length;
    const match = URL_COMMENT.exec(tail.toString("utf8", lineStart, lineEnd).trim());
    return match?.[1] ?? null;
  } finally {
    closeSync(fd);
  }
}

function readTail(fd: number, size: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, buffer, filled, length - filled, size - length + filled);
    if (read === 0) break;
    filled += read;
  }
  return buffer.subarray(0, filled);
}
