import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { TraceSpec } from "../scanning/source-file.js";
import type { OriginalPosition } from "../types.js";
import { sourcesContentFileMapper, sourcesContentMapper } from "./sources-content.js";
import { mapperFromJson, mapperFromMapFile, MAX_MAP_BYTES, type OriginalMapper } from "./trace-through-map.js";

export { mapperFromJson, type OriginalMapper } from "./trace-through-map.js";

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
const MAPPED = /\.(?:m?js|cjs|css)$/i;
const URL_COMMENT = /\/[/*][#@]\s*sourceMappingURL=([^\s'"*]+)\s*(?:\*\/)?\s*$/;
/** How far from the end of a built file its sourceMappingURL comment is looked for. */
const TAIL_BYTES = 64 << 10;

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
      return sourcesContentFileMapper(spec.absPath, dirname(spec.absPath), spec.root);
    case "map-json":
      return mapperFromJson(spec.json, spec.mapDir, spec.root);
    case "sources-content-json":
      return sourcesContentMapper(spec.json, spec.mapDir, spec.root);
  }
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
    return mapperFromMapFile(candidate, dirname(candidate), root);
  }
  return null;
}

/** An inline map: `data:application/json;base64,…` or percent-encoded JSON. */
function decodeDataUrl(url: string): Buffer | string {
  const comma = url.indexOf(",");
  if (comma === -1) throw new Error("its inline source map has no data");
  const payload = url.slice(comma + 1);
  if (/;base64$/i.test(url.slice(0, comma))) return Buffer.from(payload, "base64");
  try {
    return decodeURIComponent(payload);
  } catch {
    throw new Error("its inline source map is not valid percent-encoding");
  }
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
