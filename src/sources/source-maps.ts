import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { describeBytes, isWithin } from "../files.js";
import type { TraceSpec } from "../scanning/source-file.js";
import type { OriginalPosition } from "../types.js";
import { sourcesContentFileMapper, sourcesContentMapper } from "./sources-content.js";
import { mapperFromJson, mapperFromMapFd, MAX_MAP_BYTES, type OriginalMapper } from "./trace-through-map.js";

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
 *
 * The built file may come from anyone (a cloned repository, a downloaded package), and so may
 * the name its comment gives: a map is followed only to a regular file inside the scanned
 * folder, reached through no symbolic link, and no larger than {@link MAX_FOLLOWED_MAP_BYTES}.
 * Anything else — `sourceMappingURL=../../../var/swapfile`, a committed link to a file outside,
 * a FIFO, a 4 GB file — is not read, and is a warning.
 */
const MAPPED = /\.(?:m?js|cjs|css)$/i;
const URL_COMMENT = /\/[/*][#@]\s*sourceMappingURL=([^\s'"*]+)\s*(?:\*\/)?\s*$/;
/** How far from the end of a built file its sourceMappingURL comment is looked for. */
const TAIL_BYTES = 64 << 10;
/**
 * The largest map file a built file leads to that is read for tracing: it is streamed once to
 * find its `mappings` and `sources`, so its size is time (a few seconds at this size).
 */
export const MAX_FOLLOWED_MAP_BYTES = 256 << 20;

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
  // A built file inside the scanned folder has its maps there too; one the user named outside
  // it (`--bundles ../dist`) has them beside it or below.
  const within = isWithin(bundlePath, root) ? root : dirname(bundlePath);
  for (const candidate of candidates) {
    const fd = openFollowedMap(candidate, within);
    if (fd === null) continue;
    try {
      return mapperFromMapFd(fd, dirname(candidate), root);
    } finally {
      closeSync(fd);
    }
  }
  return null;
}

/**
 * Opens the map file a built file leads to, if it may be read: below `within` by its name
 * (after `..` is resolved), no folder between them a symbolic link, the file itself not a link
 * (O_NOFOLLOW), a regular file (checked on the open descriptor, opened with O_NONBLOCK so a
 * FIFO cannot block), and no larger than {@link MAX_FOLLOWED_MAP_BYTES}.
 * @returns an open descriptor (the caller closes it), or null when nothing is at the name.
 * @throws Error saying why the map was not read; the message never repeats the name, which
 *   comes from the file and could hold anything.
 */
function openFollowedMap(candidate: string, within: string): number | null {
  if (!isWithin(candidate, within) || candidate === within) throw new Error("its source map is outside the scanned folder and was not read");
  let folder = within;
  const path = relative(within, dirname(candidate));
  for (const part of path === "" ? [] : path.split(sep)) {
    folder = join(folder, part);
    let stats;
    try {
      stats = lstatSync(folder);
    } catch {
      return null;
    }
    if (stats.isSymbolicLink()) throw new Error("its source map is reached through a symbolic link, which was not followed");
    if (!stats.isDirectory()) return null;
  }
  let fd: number;
  try {
    fd = openSync(candidate, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    if (code === "ELOOP") throw new Error("its source map is a symbolic link, which was not followed");
    throw new Error(`its source map cannot be opened (${code ?? "unknown error"})`);
  }
  const stats = fstatSync(fd);
  const refusal = !stats.isFile() ? "its source map is not a regular file and was not read" : stats.size > MAX_FOLLOWED_MAP_BYTES ? `its source map is larger than ${describeBytes(MAX_FOLLOWED_MAP_BYTES)} and was not read` : null;
  if (refusal !== null) {
    closeSync(fd);
    throw new Error(refusal);
  }
  return fd;
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
