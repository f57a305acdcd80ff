import { closeSync, constants, fstatSync, openSync } from "node:fs";
import { readAt } from "./disk.js";
import { relative, resolve, sep } from "node:path";
import type { OriginalPosition } from "../types.js";
import { CHECKPOINT_BYTES, MapContentScanner, type Checkpoint, type ContentSpan, type MapContentIndex, type MapReader } from "./map-content-index.js";

/**
 * For a source map file: a position inside one of its `sourcesContent` strings, traced to the
 * source it holds (file, 1-based line, column in UTF-16 code units). The map is indexed in one
 * streaming pass when its first finding asks (map-content-index.ts), never parsed or held whole;
 * each position is then decoded from the nearest checkpoint, at most
 * {@link CHECKPOINT_BYTES} before it.
 */
export type ContentMapper = (line: number, column: number) => OriginalPosition | null;

/** A mapper for a map file on disk; its sources are named relative to `root` like every finding. */
export function sourcesContentFileMapper(path: string, mapDir: string, root: string): ContentMapper {
  return contentMapper(() => withFile(path, (reader) => MapContentScanner.scan(reader)), (at, length) => withFile(path, (reader) => reader.read(at, length)), mapDir, root);
}

/** A mapper for a map held in memory (a bundler's emitted `.map`). */
export function sourcesContentMapper(text: string, mapDir?: string, root?: string): ContentMapper {
  const bytes = Buffer.from(text, "utf8");
  const reader: MapReader = { size: bytes.length, read: (at, length) => bytes.subarray(at, at + length) };
  return contentMapper(() => MapContentScanner.scan(reader), (at, length) => reader.read(at, length), mapDir, root);
}

function contentMapper(scan: () => MapContentIndex, read: (at: number, length: number) => Buffer, mapDir: string | undefined, root: string | undefined): ContentMapper {
  let index: MapContentIndex | null = null;
  return (line, column) => {
    index ??= scan();
    const span = spanAt(index.spans, line, column - 1);
    if (!span) return null;
    const start = lastAtOrBefore(span.checkpoints, line, column - 1);
    const place = walk(read(start.at, CHECKPOINT_BYTES * 2), start, line, column - 1);
    if (!place) return null;
    const name = index.sources[span.index];
    const prefix = index.sourceRoot ? index.sourceRoot.replace(/\/?$/, "/") : "";
    return { file: typeof name === "string" ? sourceName(prefix + name, mapDir, root) : `sourcesContent[${span.index}]`, line: place.line, column: place.column + 1 };
  };
}

const before = (line: number, column: number, than: { mapLine: number; mapColumn: number }) => line < than.mapLine || (line === than.mapLine && column < than.mapColumn);

/** The string holding map position (line, 0-based column), by binary search over the spans' starts. */
function spanAt(spans: readonly ContentSpan[], line: number, column: number): ContentSpan | null {
  let low = 0;
  let high = spans.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (before(line, column, spans[middle]!.checkpoints[0]!)) high = middle;
    else low = middle + 1;
  }
  const span = spans[low - 1];
  if (!span || !before(line, column, { mapLine: span.endLine, mapColumn: span.endColumn })) return null;
  return span;
}

function lastAtOrBefore(checkpoints: readonly Checkpoint[], line: number, column: number): Checkpoint {
  let found = checkpoints[0]!;
  for (const checkpoint of checkpoints) {
    if (before(line, column, checkpoint)) break;
    found = checkpoint;
  }
  return found;
}

/** Decodes from a checkpoint up to the map position (line, 0-based column): where in the source that is. */
function walk(bytes: Buffer, from: Checkpoint, line: number, column: number): { line: number; column: number } | null {
  let mapLine = from.mapLine;
  let mapColumn = from.mapColumn;
  let decodedLine = from.line;
  let decodedColumn = from.column;
  for (let i = 0; i < bytes.length; ) {
    if (mapLine === line && mapColumn === column) return { line: decodedLine, column: decodedColumn };
    if (mapLine > line || (mapLine === line && mapColumn > column)) return null;
    const b = bytes[i] as number;
    if (b === 0x22) return null;
    if (b === 0x0a) {
      mapLine++;
      mapColumn = 0;
      decodedLine++;
      decodedColumn = 0;
      i++;
      continue;
    }
    if (b === 0x5c) {
      const kind = bytes[i + 1];
      const length = kind === 0x75 ? 6 : 2;
      const code = kind === 0x75 ? Number.parseInt(bytes.toString("latin1", i + 2, i + 6), 16) : kind === 0x6e ? 0x0a : -1;
      mapColumn += length;
      if (code === 0x0a) {
        decodedLine++;
        decodedColumn = 0;
      } else decodedColumn++;
      i += length;
      continue;
    }
    const units = b < 0x80 || b >= 0xc0 ? (b >= 0xf0 ? 2 : 1) : 0;
    mapColumn += units;
    decodedColumn += units;
    i++;
  }
  return null;
}

/** Reads the map at `path` — never through a link, never a FIFO or device (it was scanned as a regular file). */
function withFile<T>(path: string, use: (reader: MapReader) => T): T {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error("the map is not a regular file and was not read");
    const size = stats.size;
    return use({
      size,
      read: (at, length) => readAt(fd, at, length, size),
    });
  } finally {
    closeSync(fd);
  }
}

/**
 * A map's source as the report names it: relative sources are resolved against the map's folder
 * and named relative to `root`, so `../../src/a.ts` reads `src/a.ts`; URLs (`webpack://…`) stay.
 */
export function sourceName(source: string, mapDir: string | undefined, root: string | undefined): string {
  if (!mapDir || !root || /^[a-z][a-z0-9+.-]*:/i.test(source)) return source;
  return relative(root, resolve(mapDir, source)).split(sep).join("/");
}
