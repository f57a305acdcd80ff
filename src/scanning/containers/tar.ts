import type { SourceFile } from "../source-file.js";
import { memberOf } from "./member.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";
import { unscannedWarning } from "./unscanned.js";

/**
 * A tar stream (`.tar`, and what a `.tar.gz` / `.tgz` decompresses to), read as it streams in:
 * each regular file's bytes go to a sink of its own, named `release.tar.gz!inner/path`, and an
 * archive inside is opened in turn. Only 512-byte headers (and pax or GNU long-name records, at
 * most {@link MAX_META} bytes) are held: memory stays bounded whatever the archive holds.
 *
 * Format: POSIX ustar and pax (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html,
 * "ustar Interchange Format" and "pax Interchange Format"), with GNU's `L` long names. A header
 * whose checksum does not add up, or a stream that ends inside a member, is a warning naming
 * the archive; what was read before it is kept.
 *
 * (The tar libraries on npm stream asynchronously; every sink here is synchronous, so a source
 * that compares what it found at once — the staged source — works the same for every format.
 * The framing read here is the headers' few fixed fields.)
 */
const BLOCK = 512;
/** A pax or GNU long-name record longer than this is skipped (its member keeps its short name). */
const MAX_META = 1 << 20;

/** Whether a 512-byte header's checksum (bytes 148–155, octal) is the sum of its bytes, the checksum field counted as spaces. */
export function tarChecksumOk(header: Uint8Array): boolean {
  const stored = parseOctal(header.subarray(148, 156));
  if (stored === null) return false;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
  return sum === stored;
}

function parseOctal(field: Uint8Array): number | null {
  const text = Buffer.from(field).toString("latin1").replace(/[\0 ]+$/, "").replace(/^[ ]+/, "");
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : text === "" ? 0 : null;
}

/** A size field: octal, or GNU's base-256 (high bit of the first byte set) for sizes of 8 GiB and more. */
function parseSize(field: Uint8Array): number | null {
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return Number.isSafeInteger(value) ? value : null;
  }
  return parseOctal(field);
}

function cString(field: Uint8Array): string {
  const end = field.indexOf(0);
  return Buffer.from(end === -1 ? field : field.subarray(0, end)).toString("utf8");
}

/** `path=` of pax extended header records (`<length> <key>=<value>\n` each). */
function paxPath(records: Buffer): string | null {
  let path: string | null = null;
  for (let at = 0; at < records.length; ) {
    const space = records.indexOf(0x20, at);
    if (space === -1) break;
    const length = Number(records.toString("latin1", at, space));
    if (!Number.isSafeInteger(length) || length <= 0 || at + length > records.length) break;
    const record = records.toString("utf8", space + 1, at + length - 1);
    if (record.startsWith("path=")) path = record.slice(5);
    at += length;
  }
  return path;
}

type State = "header" | "data" | "padding" | "end";

class TarSink implements FileSink {
  private state: State = "header";
  private readonly header = Buffer.alloc(BLOCK);
  private filled = 0;
  /** Bytes of the current member's data still to come, and the padding after them. */
  private remaining = 0;
  private padding = 0;
  /** Where the current member's data goes: a sink, a meta record being collected, or nowhere. */
  private member: FileSink | null = null;
  private meta: { kind: "pax" | "gnu"; chunks: Buffer[]; held: number; skip: boolean } | null = null;
  /** A name given by the record before this header (pax `path=`, GNU `L`). */
  private nextName: string | null = null;
  private offset = 0;

  /**
   * `raw`, when given, receives the archive's own bytes in order, to be scanned as plain bytes
   * (file-sink.ts RawScan): each header with its type flag (byte 156) as NUL, so that a link
   * target (which follows the flag at byte 157) stands apart, as a key in it would in text.
   */
  constructor(
    private readonly file: SourceFile,
    private readonly hooks: SinkHooks,
    private readonly open: OpenPlain,
    private readonly raw?: FileSink,
  ) {}

  push(chunk: Uint8Array, final = false): void {
    let at = 0;
    while (at < chunk.length && this.state !== "end") {
      if (this.state === "header") {
        const take = Math.min(BLOCK - this.filled, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.filled);
        this.filled += take;
        at += take;
        if (this.filled === BLOCK) {
          this.filled = 0;
          if (this.raw) {
            const shown = Buffer.from(this.header);
            shown[156] = 0;
            this.raw.push(shown, false);
          }
          this.readHeader();
          this.offset += BLOCK;
        }
      } else if (this.state === "data") {
        const take = Math.min(this.remaining, chunk.length - at);
        this.raw?.push(chunk.subarray(at, at + take), false);
        this.data(chunk.subarray(at, at + take));
        this.remaining -= take;
        at += take;
        this.offset += take;
        if (this.remaining === 0) this.endMember();
      } else {
        const take = Math.min(this.padding, chunk.length - at);
        this.raw?.push(chunk.subarray(at, at + take), false);
        this.padding -= take;
        at += take;
        this.offset += take;
        if (this.padding === 0) this.state = "header";
      }
    }
    // What follows the end marker (and a header cut short) is raw bytes too.
    if (this.raw) {
      if (at < chunk.length) this.raw.push(chunk.subarray(at), false);
      if (final) {
        if (this.state !== "end" && this.filled > 0) this.raw.push(this.header.subarray(0, this.filled), false);
        this.raw.push(new Uint8Array(0), true);
      }
    }
    if (!final) return;
    if (this.state === "data" || this.state === "padding" || this.filled > 0) {
      if (this.member) this.member.push(new Uint8Array(0), true);
      this.member = null;
      this.warn("ends inside a member (a damaged or cut-short archive); scanned what was there");
    }
    this.state = "end";
  }

  private readHeader(): void {
    const header = this.header;
    if (header.every((byte) => byte === 0)) {
      // The end-of-archive marker (two zero blocks); what may follow is padding.
      this.state = "end";
      return;
    }
    if (!tarChecksumOk(header)) {
      this.hooks.warn(unscannedWarning(this.file, "archive", `holds a damaged header at byte ${this.offset}; the members after it were not opened`, "unpack"));
      this.state = "end";
      return;
    }
    const size = parseSize(header.subarray(124, 136));
    if (size === null) {
      this.hooks.warn(unscannedWarning(this.file, "archive", `a member's size cannot be read at byte ${this.offset}; the members after it were not opened`, "unpack"));
      this.state = "end";
      return;
    }
    const type = String.fromCharCode(header[156]!);
    let name = cString(header.subarray(0, 100));
    // POSIX ustar ("ustar\0") keeps the leading directories in the prefix field; GNU ("ustar  ") does not.
    if (header.toString("latin1", 257, 263) === "ustar\0") {
      const prefix = cString(header.subarray(345, 500));
      if (prefix) name = `${prefix}/${name}`;
    }
    if (this.nextName !== null && type !== "x" && type !== "L") {
      name = this.nextName;
      this.nextName = null;
    }
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.member = null;
    this.meta = null;
    if (type === "x" || type === "L") this.meta = { kind: type === "x" ? "pax" : "gnu", chunks: [], held: 0, skip: size > MAX_META };
    // Regular files (`0`, NUL in old archives, `7` contiguous); links, folders and devices hold no data of their own.
    else if (type === "0" || type === "\0" || type === "7") this.member = this.open(memberOf(this.file, name.replace(/^(?:\.\/)+/, "")));
    this.state = size > 0 ? "data" : this.padding > 0 ? "padding" : "header";
    if (size === 0) this.endMember();
  }

  private data(bytes: Uint8Array): void {
    if (this.member) {
      if (!this.member.stopped) this.member.push(bytes, false);
    } else if (this.meta && !this.meta.skip) {
      this.meta.chunks.push(Buffer.from(bytes));
      this.meta.held += bytes.length;
    }
  }

  private endMember(): void {
    if (this.member) this.member.push(new Uint8Array(0), true);
    this.member = null;
    if (this.meta) {
      if (this.meta.skip) this.warn(`holds a ${this.meta.kind === "pax" ? "pax" : "GNU long-name"} record over ${MAX_META >> 20} MiB; the next member keeps its short name`);
      else {
        const records = Buffer.concat(this.meta.chunks);
        this.nextName = this.meta.kind === "pax" ? paxPath(records) : cString(records);
      }
      this.meta = null;
    }
    this.state = this.padding > 0 ? "padding" : "header";
  }

  private warn(message: string): void {
    this.hooks.warn({ code: "archive", message: `${this.file.path}: ${message}`, file: this.file.path });
  }
}

/** A sink that reads a tar stream, each regular member scanned through a sink made by `open`. */
export function tarSink(file: SourceFile, hooks: SinkHooks, open: OpenPlain, raw?: FileSink): FileSink {
  return new TarSink(file, hooks, open, raw);
}
