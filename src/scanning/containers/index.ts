import { arSink } from "./ar.js";
import { brotliSink } from "./brotli.js";
import { gzipSink } from "./gzip.js";
import { pdfSink } from "./pdf.js";
import { tarChecksumOk, tarSink } from "./tar.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";
import { zipSink } from "./zip.js";
import type { SourceFile } from "../source-file.js";

/**
 * Compressed files and archives, in every source alike (working tree, index, history, client
 * output). A file is recognised by its first bytes (its magic number), whatever its name: a zip
 * (`PK\x03\x04`, so every zip-based format — `.docx .xlsx .whl .war .nupkg .vsix .epub` … — and
 * any file that starts like one), gzip (`\x1f\x8b`), tar (`ustar` at offset 257), `ar`
 * (`!<arch>\n`: `.deb`, `.ipk`, static libraries), PDF (`%PDF-`: its FlateDecode streams). Brotli has no
 * magic number: it is recognised by its name (`.br`). Archives inside are opened in turn, to
 * {@link MAX_NESTING} levels, all under the budgets of limits.ts. Formats lumenguard cannot
 * decompress (bzip2, xz, zstd, 7-Zip, RAR, LZ4, lzip, compress) are a warning naming the file.
 */
export type ContainerKind = "gzip" | "brotli" | "zip" | "tar" | "ar" | "pdf";

/**
 * Levels of containers opened: a file, and archives inside it to three levels down (a zip in a
 * tar in a gzip is three levels). A container inside four others is scanned as bytes, with a
 * warning naming it.
 */
export const MAX_NESTING = 4;

/** Bytes of a file's start that decide its format (tar's magic ends at 262). */
export const SNIFF_BYTES = 265;

const GZIP = /\.(?:gz|tgz|gzip|svgz|emz|wmz)$/i;
const BROTLI = /\.br$/i;
/** Zip-based formats by name: opened even when damaged at the start (the directory is at the end). */
const ZIP =
  /\.(?:zip|crx|xpi|apk|aab|ipa|jar|war|ear|aar|whl|egg|nupkg|snupkg|vsix|epub|docx|docm|dotx|xlsx|xlsm|xltx|pptx|pptm|potx|odt|ods|odp|odg|ott|kmz|sketch|appx|msix|xap)$/i;
const TAR = /\.tar$/i;
const AR = /\.(?:deb|udeb|ipk)$/i;
const PDF = /\.pdf$/i;
/** Formats lumenguard cannot decompress, by name: the file is said, never passed in silence. */
const UNREADABLE_NAMES: ReadonlyArray<[RegExp, string]> = [
  [/\.(?:bz2|tbz2?)$/i, "bzip2"],
  [/\.(?:xz|txz)$/i, "xz"],
  [/\.(?:lzma|tlz)$/i, "lzma"],
  [/\.(?:zst|tzst)$/i, "zstd"],
  [/\.7z$/i, "7-Zip"],
  [/\.rar$/i, "RAR"],
  [/\.lz4$/i, "LZ4"],
  [/\.lz$/i, "lzip"],
  [/\.(?:Z|taz)$/, "compress (LZW)"],
];

/**
 * The container format a file's name says, or null for a plain name. Names only decide what a
 * literal search must not skip (scanning/prefilter.ts) and brotli; the bytes decide the rest.
 */
export function containerOf(path: string): ContainerKind | "unreadable" | null {
  if (GZIP.test(path)) return "gzip";
  if (BROTLI.test(path)) return "brotli";
  if (ZIP.test(path)) return "zip";
  if (TAR.test(path)) return "tar";
  if (AR.test(path)) return "ar";
  if (PDF.test(path)) return "pdf";
  if (UNREADABLE_NAMES.some(([name]) => name.test(path))) return "unreadable";
  return null;
}

/** Magic numbers of formats lumenguard cannot decompress. */
const UNREADABLE_MAGIC: ReadonlyArray<[number[], string, number?]> = [
  [[0x42, 0x5a, 0x68], "bzip2"],
  [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], "xz"],
  [[0x28, 0xb5, 0x2f, 0xfd], "zstd"],
  [[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], "7-Zip"],
  [[0x52, 0x61, 0x72, 0x21, 0x1a, 0x07], "RAR"],
  [[0x04, 0x22, 0x4d, 0x18], "LZ4"],
  [[0x4c, 0x5a, 0x49, 0x50, 0x01], "lzip"],
  [[0x1f, 0x9d], "compress (LZW)"],
];

/**
 * Byte strings (one char a byte) that a file of a container format holds (at its start): a
 * literal search must return such files whatever their name, or a key inside would be missed.
 * None may hold a line break: a line-based search (git grep) would take the part after it as a
 * pattern of its own, and an empty pattern matches every file.
 */
export const CONTAINER_MAGIC: readonly string[] = ["%PDF-", "!<arch>", "PK\x03\x04", "\x1f\x8b\x08", "ustar", "BZh", "\xfd7zXZ", "\x28\xb5\x2f\xfd", "7z\xbc\xaf\x27\x1c", "Rar!\x1a\x07", "\x04\x22\x4d\x18", "LZIP\x01", "\x1f\x9d"];

const AR_MAGIC_BYTES = [...Buffer.from("!<arch>\n", "latin1")];
const PDF_MAGIC_BYTES = [...Buffer.from("%PDF-", "latin1")];

const startsWith = (head: Uint8Array, magic: readonly number[], at = 0) => head.length >= at + magic.length && magic.every((byte, index) => head[at + index] === byte);

/** A zip's first bytes: a local header, an empty archive's end record, or a Chrome extension's header. */
export function startsLikeZip(head: Uint8Array): boolean {
  // Chrome's header: "Cr24" and format version 2 or 3 (a little-endian 32-bit number).
  return startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || startsWith(head, [0x50, 0x4b, 0x05, 0x06]) || startsWith(head, [0x43, 0x72, 0x32, 0x34, 0x03, 0, 0, 0]) || startsWith(head, [0x43, 0x72, 0x32, 0x34, 0x02, 0, 0, 0]);
}

/** A tar header: `ustar` at offset 257, and a header checksum that adds up when the whole header is there. */
function startsLikeTar(head: Uint8Array): boolean {
  if (!startsWith(head, [0x75, 0x73, 0x74, 0x61, 0x72], 257)) return false;
  return head.length < 512 || tarChecksumOk(head.subarray(0, 512));
}

/** What the first bytes of a file are: a container it can be opened as, a format it cannot be, or null (scanned as bytes). */
export type Sniffed = { kind: ContainerKind } | { unreadable: string } | null;

/**
 * Decides a file's format from its first bytes ({@link SNIFF_BYTES} of them, or all of a
 * shorter file) and, for brotli and damaged zips, its name. `byName`: false for the output of
 * a decompressor, which has no name of its own (a `.br` file's content is not brotli again).
 */
export function sniff(path: string, head: Uint8Array, byName: boolean): Sniffed {
  if (startsLikeZip(head)) return { kind: "zip" };
  if (startsWith(head, [0x1f, 0x8b])) return { kind: "gzip" };
  if (startsLikeTar(head)) return { kind: "tar" };
  if (startsWith(head, AR_MAGIC_BYTES)) return { kind: "ar" };
  if (startsWith(head, PDF_MAGIC_BYTES)) return { kind: "pdf" };
  // bzip2: "BZh", a block size digit, then a block or end-of-stream magic.
  for (const [magic, format] of UNREADABLE_MAGIC) {
    if (!startsWith(head, magic)) continue;
    if (format === "bzip2" && !(head[3]! >= 0x31 && head[3]! <= 0x39 && (startsWith(head, [0x31, 0x41, 0x59, 0x26, 0x53, 0x59], 4) || startsWith(head, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90], 4)))) continue;
    return { unreadable: format };
  }
  if (!byName) return null;
  // Raw LZMA has no magic number: its name, and the usual first byte of its properties (0x5D).
  if (/\.(?:lzma|tlz)$/i.test(path) && head[0] === 0x5d) return { unreadable: "lzma" };
  const named = containerOf(path);
  // A name is not a format: a `.gz` that does not start like gzip is scanned as it is.
  if (named === "brotli" || named === "zip") return { kind: named };
  return null;
}

/** How deep a container is, and what all containers of one file have inflated to so far (one budget for the whole nest). */
export interface Nesting {
  depth: number;
  spent: { inflated: number };
}

/** Opens what is inside a container: `byName` false for a decompressor's output. */
export type OpenInner = (file: SourceFile, byName: boolean) => FileSink;

/**
 * A sink that decompresses or unpacks a container of `kind`, feeding sinks made by `open` (which
 * may open a container inside in turn); `asBytes` scans bytes as they are (a zip whose
 * directory cannot be read); `raw`: the container's own bytes are scanned as plain bytes — for a
 * tar, through this sink (its headers marked apart); a brotli file then leaves bytes that are not
 * brotli to it. The defaults suit a caller whose `open` opens every file as plain
 * bytes (a container at the top, nothing opened inside it).
 */
export function containerSink(
  kind: ContainerKind,
  file: SourceFile,
  hooks: SinkHooks,
  open: OpenInner,
  nesting: Nesting = { depth: 0, spent: { inflated: 0 } },
  asBytes: OpenPlain = (self) => open(self, false),
  raw?: FileSink,
): FileSink {
  if (kind === "gzip") return gzipSink(file, hooks, (inner) => open(inner, false), nesting.spent);
  if (kind === "brotli") return brotliSink(file, hooks, (inner) => open(inner, false), nesting.spent, raw !== undefined);
  if (kind === "tar") return tarSink(file, hooks, (inner) => open(inner, true), raw);
  if (kind === "ar") return arSink(file, hooks, (inner) => open(inner, true));
  if (kind === "pdf") return pdfSink(file, hooks, (inner) => open(inner, false), nesting.spent);
  return zipSink(file, hooks, (inner) => open(inner, true), nesting, asBytes);
}

export type { OpenPlain };
export { memberOf } from "./member.js";
export { scanZip, type RandomAccess } from "./zip.js";
export type { FileSink, ScannedFile, SinkHooks } from "./types.js";
