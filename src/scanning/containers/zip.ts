import { createRequire } from "node:module";
import type { SourceFile } from "../source-file.js";
import { InflateBudget } from "./budget.js";
import { Crc32 } from "./crc32.js";
import { memberOf } from "./member.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";
import { unscannedWarning, type Remedy } from "./unscanned.js";
import { readCentralDirectory, type RandomAccess, type ZipDirectory, type ZipEntry } from "./zip-directory.js";

export type { RandomAccess } from "./zip-directory.js";

/**
 * Zip archives and every zip-based format (`.jar .whl .docx .xlsx .nupkg .vsix .epub` …,
 * recognised by their first bytes whatever their name): every entry is scanned under the name
 * `package.zip!inner/path`, through `openPlain`, which opens an archive inside in turn (to a
 * bounded depth; see containers/index.ts).
 *
 * The central directory (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT, 4.3.12)
 * says where each entry is. What it says of sizes is not trusted: a deflated entry is inflated
 * until its deflate stream ends — past the compressed size it claims, if need be — so an entry
 * that claims 64 bytes and holds more is scanned whole; the CRC-32 of what inflated is checked
 * against the directory's, and a mismatch, an unsupported method, an encrypted entry or a budget
 * hit is a warning naming the entry. Entries are inflated one at a time through fflate's
 * synchronous streaming inflater, in small slices, so memory stays bounded whatever an entry
 * inflates to.
 */
const SLICE = 4 << 10;
const LOCAL = 0x04034b50;

/** Scans every entry of an archive the loop can read at any offset (a file on disk, or bytes held). */
/**
 * `openPlain` opens each entry (and may open an archive inside); `asBytes`, when given, opens the
 * archive itself as plain bytes when its directory cannot be read (never as an archive again).
 */
export function scanZip(file: SourceFile, archive: RandomAccess, hooks: SinkHooks, openPlain: OpenPlain, spent: { inflated: number } = { inflated: 0 }, asBytes: OpenPlain = openPlain): void {
  const warn = (message: string) => hooks.warn({ code: "archive", message: `${file.path}: ${message}`, file: file.path });
  // Content left unscanned: a gate fails closed on it.
  const unscanned = (message: string, remedy: Remedy) => hooks.warn(unscannedWarning(file, "archive", message, remedy));
  let base = crxOffset(archive);
  let directory: ZipDirectory;
  try {
    directory = readCentralDirectory(archive, base);
    base = directory.base;
  } catch (error) {
    // Bytes that start like a zip hold entries that were not read; a zip's name on other bytes is only a name.
    if (startsWithLocalHeader(archive, base)) unscanned(`${(error as Error).message}; its entries were not read, its bytes were scanned as they are`, "unpack");
    else warn(`${(error as Error).message}; scanned as it is`);
    scanWhole(file, archive, asBytes);
    return;
  }
  const regionEnd = regionEnds(directory, archive.size - base);
  for (const entry of directory.entries) {
    if (entry.name.endsWith("/")) continue;
    const inner = memberOf(file, entry.name);
    if (spent.inflated > hooks.limits.archiveBytes) {
      unscanned(`${entry.name} and the entries after it were not scanned: the archive inflates to more than ${hooks.limits.archiveBytes >> 20} MiB in all`, "budget");
      return;
    }
    scanEntry(inner, entry, regionEnd(entry.localOffset), archive, base, hooks, openPlain, spent, (message) => warn(`${entry.name}: ${message}`), (message, remedy) => hooks.warn(unscannedWarning(inner, "archive", message, remedy)));
  }
}

/**
 * Each entry's data ends where the next structure of the archive starts: the next local header
 * or the central directory (sorted once; each lookup is a binary search, so an archive of
 * 100,000 entries costs no quadratic time).
 */
function regionEnds(directory: ZipDirectory, zipSize: number): (localOffset: number) => number {
  const starts = [...new Set([...directory.entries.map((entry) => entry.localOffset), directory.offset])].sort((a, b) => a - b);
  return (localOffset) => {
    let low = 0;
    let high = starts.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((starts[middle] as number) > localOffset) high = middle;
      else low = middle + 1;
    }
    return starts[low] ?? zipSize;
  };
}

/**
 * An archive that arrives as a stream (a git blob, an entry of another archive): held up to the
 * buffered-bytes limit — halved at each level of nesting, so that a nest of archives holds less
 * than twice the limit in all — then read.
 */
export function zipSink(file: SourceFile, hooks: SinkHooks, openPlain: OpenPlain, nesting: { depth: number; spent: { inflated: number } } = { depth: 0, spent: { inflated: 0 } }, asBytes: OpenPlain = openPlain): FileSink {
  const chunks: Buffer[] = [];
  const limit = Math.floor(hooks.limits.bufferedBytes / 2 ** nesting.depth);
  let held = 0;
  let overflow = false;
  return {
    push(chunk, final = false) {
      if (!overflow) {
        held += chunk.length;
        if (held > limit) {
          overflow = true;
          chunks.length = 0;
          const size = limit >= 1 << 20 ? `${Math.round(limit / (1 << 20))} MiB` : `${limit} bytes`;
          const where = nesting.depth > 0 ? ` (the limit for an archive inside another, ${nesting.depth} deep)` : "";
          hooks.warn(unscannedWarning(file, "decompress-limit", `an archive larger than ${size}${where}; its entries were not scanned`, "unpack"));
        } else {
          chunks.push(Buffer.from(chunk));
        }
      }
      if (!final || overflow) return;
      const bytes = Buffer.concat(chunks);
      chunks.length = 0;
      scanZip(file, { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) }, hooks, openPlain, nesting.spent, asBytes);
    },
  };
}

/**
 * One entry: its data runs from after its local header to the next structure of the archive
 * (the next entry's local header, or the central directory) — what the directory claims for its
 * compressed size is not trusted, and a deflate stream that ends earlier simply produces nothing
 * more (a data descriptor after it is ignored).
 */
function scanEntry(file: SourceFile, entry: ZipEntry, regionEnd: number, archive: RandomAccess, base: number, hooks: SinkHooks, openPlain: OpenPlain, spent: { inflated: number }, warn: (message: string) => void, unscanned: (message: string, remedy: Remedy) => void): void {
  if (entry.flags & 1) return unscanned("encrypted; not scanned", "unpack");
  if (entry.method !== 0 && entry.method !== 8) return unscanned(`compression method ${entry.method} is not supported; not scanned`, "unpack");
  const local = archive.read(base + entry.localOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) return unscanned("its local header is missing; not scanned", "unpack");
  const dataStart = base + entry.localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const dataEnd = Math.max(dataStart, Math.min(archive.size, base + regionEnd));
  const sink = openPlain(file);
  const crc = new Crc32();
  const budget = new InflateBudget(hooks.limits, spent);
  let stopped: { why: string; remedy: Remedy } | null = null;
  // Set when the scanner takes no more (the file size limit, said by the scanner itself).
  let truncated = false;
  const take = (data: Uint8Array) => {
    if (stopped || truncated || data.length === 0) return;
    crc.update(data);
    const over = budget.add(data.length);
    sink.push(data, false);
    if (over) stopped = { why: budget.describe(over), remedy: "budget" };
    else if (sink.stopped) truncated = true;
  };
  let hidden = 0;
  if (entry.method === 0) {
    // Stored: the claimed size, unless more than a data descriptor follows before the next structure.
    hidden = dataEnd - dataStart - entry.compressedSize > 16 ? dataEnd - dataStart - entry.compressedSize : 0;
    const end = hidden > 0 ? dataEnd : Math.min(dataEnd, dataStart + entry.compressedSize);
    for (let at = dataStart; at < end && !stopped && !truncated; at += SLICE) {
      const slice = archive.read(at, Math.min(SLICE, end - at));
      budget.consumed += slice.length;
      take(slice);
    }
  } else {
    const { Inflate } = createRequire(import.meta.url)("fflate") as typeof import("fflate");
    const inflater = new Inflate((data) => take(data));
    for (let at = dataStart; at < dataEnd && !stopped && !truncated; at += SLICE) {
      const slice = archive.read(at, Math.min(SLICE, dataEnd - at));
      budget.consumed += slice.length;
      try {
        inflater.push(slice, at + SLICE >= dataEnd);
      } catch (error) {
        stopped = { why: `cannot be inflated (${(error as Error).message}); scanned what inflated before the damage`, remedy: "unpack" };
      }
    }
  }
  sink.push(new Uint8Array(0), true);
  if (stopped) return unscanned(stopped.why, stopped.remedy);
  if (truncated) return;
  if (hidden > 0) warn(`holds ${hidden} bytes after the end its directory entry gives; scanned them too`);
  else if (crc.value() !== entry.crc) warn("its CRC-32 does not match the archive's directory (damaged or altered); scanned what it holds");
  else if (budget.inflated !== entry.size) warn(`the directory says ${entry.size} bytes, and it inflates to ${budget.inflated}; scanned all of it`);
}

/** Whether a zip's local header starts the data (a name alone does not make bytes a zip). */
function startsWithLocalHeader(archive: RandomAccess, base: number): boolean {
  const head = archive.read(base, 4);
  return head.length === 4 && head.readUInt32LE(0) === LOCAL;
}

/** A Chrome extension (`Cr24`) is a header and then a zip: offsets in the zip count after it. */
function crxOffset(archive: RandomAccess): number {
  const head = archive.read(0, 16);
  if (head.length < 16 || head.toString("latin1", 0, 4) !== "Cr24") return 0;
  const version = head.readUInt32LE(4);
  return version === 3 ? 12 + head.readUInt32LE(8) : 16 + head.readUInt32LE(8) + head.readUInt32LE(12);
}

function scanWhole(file: SourceFile, archive: RandomAccess, openPlain: OpenPlain): void {
  const sink = openPlain(file);
  for (let at = 0; at < archive.size; at += 1 << 20) sink.push(archive.read(at, 1 << 20), false);
  sink.push(new Uint8Array(0), true);
}
