import { existsSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { FileFacts } from "../engine/rule.js";

/**
 * Source-map tracing (issue #4 item 3): a key found in a bundle is mapped back through its
 * map to the original file, line and column. The map is the bundle's `//# sourceMappingURL=`
 * (a file beside it, or an inline `data:` URL) or, failing that, `<bundle>.map`. Decoding is
 * left to @jridgewell/trace-mapping, loaded only when a bundle has a map.
 */
export type OriginalMapper = NonNullable<FileFacts["original"]>;

const MAX_MAP_BYTES = 64 << 20;
const URL_COMMENT = /\/[/*][#@]\s*sourceMappingURL=([^\s'"*]+)\s*(?:\*\/)?\s*$/;

type TraceMapping = typeof import("@jridgewell/trace-mapping");
let traceMapping: TraceMapping | undefined;

function load(): TraceMapping {
  traceMapping ??= createRequire(import.meta.url)("@jridgewell/trace-mapping") as TraceMapping;
  return traceMapping;
}

/**
 * A mapper from bundle positions (1-based line and column) to original ones, or null when there
 * is no usable map. Relative sources are resolved against the map's folder and named relative to
 * `root` (the scan root), so `../../src/a.ts` reads `src/a.ts`; `webpack://` and other URLs stay.
 */
export function mapperFromJson(json: string, mapDir?: string, root?: string): OriginalMapper | null {
  try {
    const { TraceMap, originalPositionFor } = load();
    const map = new TraceMap(json);
    return (line, column) => {
      const position = originalPositionFor(map, { line, column: column - 1 });
      if (position.source === null || position.line === null || position.column === null) return null;
      return { file: sourceName(position.source, mapDir, root), line: position.line, column: position.column + 1 };
    };
  } catch {
    return null;
  }
}

/**
 * Finds the map of a bundle: its sourceMappingURL comment (read from the file's last 4 KiB),
 * else `<file>.map`. A lazy function: the map is only read when a finding needs it.
 */
export function lazyMapperFor(bundlePath: string, root?: string): OriginalMapper {
  let mapper: OriginalMapper | null | undefined;
  return (line, column) => {
    if (mapper === undefined) mapper = findMapper(bundlePath, root);
    return mapper ? mapper(line, column) : null;
  };
}

export function sourceName(source: string, mapDir: string | undefined, root: string | undefined): string {
  if (!mapDir || !root || /^[a-z][a-z0-9+.-]*:/i.test(source)) return source;
  return relative(root, resolve(mapDir, source)).split(sep).join("/");
}

function findMapper(bundlePath: string, root?: string): OriginalMapper | null {
  const url = sourceMappingUrl(bundlePath);
  if (url?.startsWith("data:")) {
    const comma = url.indexOf(",");
    const payload = url.slice(comma + 1);
    const json = /;base64$/i.test(url.slice(0, comma)) ? Buffer.from(payload, "base64").toString("utf8") : decodeURIComponent(payload);
    return mapperFromJson(json, dirname(bundlePath), root);
  }
  const candidates = url && !/^[a-z]+:\/\//i.test(url) ? [join(dirname(bundlePath), decodeURI(url))] : [];
  candidates.push(`${bundlePath}.map`);
  for (const candidate of candidates) {
    if (!existsSync(candidate) || statSync(candidate).size > MAX_MAP_BYTES) continue;
    const mapper = mapperFromJson(readFileSync(candidate, "utf8"), dirname(candidate), root);
    if (mapper) return mapper;
  }
  return null;
}

function sourceMappingUrl(path: string): string | null {
  try {
    const bytes = readFileSync(path);
    // An inline map can be megabytes long: search for the comment, then read the whole line.
    const at = bytes.lastIndexOf("sourceMappingURL=");
    if (at === -1) return null;
    const lineStart = bytes.lastIndexOf(10, at) + 1;
    let lineEnd = bytes.indexOf(10, at);
    if (lineEnd === -1) lineEnd = bytes.length;
    const match = URL_COMMENT.exec(bytes.toString("utf8", lineStart, lineEnd).trim());
    return match?.[1] ?? null;
  } catch {
    return null;
  }
}
