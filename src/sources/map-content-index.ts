/**
 * One streaming pass over a source map's JSON (https://tc39.es/ecma426/) that finds where each
 * string of its top-level `"sourcesContent"` array lies, without parsing or holding the map: a
 * 400 MB map costs a 1 MiB read buffer and a few checkpoints. It also collects the `sources`
 * names and `sourceRoot`. Positions are counted as the engine counts them in the map file
 * (1-based lines; columns in UTF-16 code units) and, inside a string, as the decoded source
 * text counts them. Malformed JSON never throws: whatever was recognised is indexed.
 */
export interface MapReader {
  size: number;
  /** `length` bytes at `offset` (fewer at the end). */
  read(offset: number, length: number): Buffer;
}

/** A place in the map file and, inside a sourcesContent string, in the source it holds. */
export interface Checkpoint {
  /** Byte offset in the map file, never inside an escape sequence. */
  at: number;
  /** Line (1-based) and UTF-16 units into it (0-based) in the map file. */
  mapLine: number;
  mapColumn: number;
  /** Line (1-based) and UTF-16 units into it (0-based) in the decoded source. */
  line: number;
  column: number;
}

/** One sourcesContent string: where it starts and ends, and checkpoints every {@link CHECKPOINT_BYTES}. */
export interface ContentSpan {
  /** Its index in the array, which is the index of its name in `sources`. */
  index: number;
  checkpoints: Checkpoint[];
  /** The map position of its closing quote (or of the end of the file, if it never closes). */
  endLine: number;
  endColumn: number;
}

export interface MapContentIndex {
  spans: ContentSpan[];
  sources: Array<string | null>;
  sourceRoot: string;
  /** Byte offsets of the top-level `"mappings"` string's body (between its quotes), when there is one. */
  mappings: { start: number; end: number } | null;
}

export const CHECKPOINT_BYTES = 256 << 10;
/** Strings indexed at most: beyond, a map's sources are not traced (the caller says so). */
export const MAX_SPANS = 200_000;
const CHUNK = 1 << 20;
/** Bytes kept of a key, a `sources` entry or `sourceRoot`. */
const MAX_NAME_BYTES = 4096;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

/** UTF-16 code units of UTF-8 bytes: every byte that starts a character, twice for 4-byte ones. */
export function utf16Units(buf: Buffer, from: number, to: number): number {
  let units = 0;
  for (let i = from; i < to; i++) {
    const b = buf[i] as number;
    if (b < 0x80) units++;
    else if (b >= 0xc0) units += b >= 0xf0 ? 2 : 1;
  }
  return units;
}

type Role = "key" | "content" | "source" | "root" | "mappings" | "other";

export class MapContentScanner {
  readonly index: MapContentIndex = { spans: [], sources: [], sourceRoot: "", mappings: null };
  private at = 0;
  private mapLine = 1;
  private mapColumn = 0;
  private depth = 0;
  private inString = false;
  private role: Role = "other";
  /** 0: not in an escape; 1: after a backslash; 2–5: hex digits of `\u` still to come. */
  private escape = 0;
  private hex = 0;
  private expectKey = false;
  private key = "";
  private arrayOf = "";
  private element = 0;
  private name: number[] = [];
  private line = 1;
  private column = 0;
  private span: ContentSpan | null = null;
  private lastCheckpoint = 0;
  private searched: Buffer | null = null;
  private quoteAt = -1;
  private slashAt = -1;
  private newlineAt = -1;

  /** Reads the whole map. @throws Error when it holds more sourcesContent strings than {@link MAX_SPANS}. */
  static scan(reader: MapReader): MapContentIndex {
    const scanner = new MapContentScanner();
    for (let offset = 0; offset < reader.size; offset += CHUNK) scanner.push(reader.read(offset, CHUNK));
    scanner.finish();
    return scanner.index;
  }

  push(buf: Buffer): void {
    // The buffer may be one reused for every chunk: forget where things were found in it.
    this.searched = null;
    let i = 0;
    while (i < buf.length) i = this.inString ? this.stringBytes(buf, i) : this.structureByte(buf, i);
    this.at += buf.length;
  }

  finish(): void {
    if (this.span) this.closeSpan();
  }

  /** One byte outside strings: structure, keys, array elements. */
  private structureByte(buf: Buffer, i: number): number {
    const b = buf[i] as number;
    if (b === NEWLINE) {
      this.mapLine++;
      this.mapColumn = 0;
      return i + 1;
    }
    this.mapColumn += b < 0x80 || b >= 0xc0 ? (b >= 0xf0 ? 2 : 1) : 0;
    if (b === QUOTE) this.openString(i);
    else if (b === 0x7b || b === 0x5b) {
      this.depth++;
      if (this.depth === 1 && b === 0x7b) this.expectKey = true;
      if (this.depth === 2 && b === 0x5b) {
        this.arrayOf = this.key;
        this.element = 0;
      }
    } else if (b === 0x7d || b === 0x5d) {
      if (this.depth === 2) this.arrayOf = "";
      this.depth = Math.max(0, this.depth - 1);
    } else if (b === 0x2c) {
      if (this.depth === 1) this.expectKey = true;
      if (this.depth === 2) this.element++;
    }
    return i + 1;
  }

  private openString(i: number): void {
    this.inString = true;
    this.escape = 0;
    this.name = [];
    if (this.depth === 1 && this.expectKey) this.role = "key";
    else if (this.depth === 1 && this.key === "sourceRoot") this.role = "root";
    else if (this.depth === 1 && this.key === "mappings") this.role = "mappings";
    else if (this.depth === 2 && this.arrayOf === "sources") this.role = "source";
    else if (this.depth === 2 && this.arrayOf === "sourcesContent") this.role = "content";
    else this.role = "other";
    if (this.role === "content") {
      if (this.index.spans.length >= MAX_SPANS) throw new Error(`it holds more than ${MAX_SPANS} sourcesContent strings, which are not traced`);
      this.line = 1;
      this.column = 0;
      this.span = { index: this.element, checkpoints: [], endLine: 0, endColumn: 0 };
      this.checkpoint(this.at + i + 1);
    }
    if (this.role === "mappings") this.index.mappings = { start: this.at + i + 1, end: this.at + i + 1 };
  }

  /** Bytes inside a string, from `i`: raw runs are skipped whole, escapes read one by one. */
  private stringBytes(buf: Buffer, i: number): number {
    if (this.escape > 0) return this.escapeByte(buf, i);
    // Checkpoints every CHECKPOINT_BYTES of a content string, so that a query never walks far.
    if (this.role === "content" && this.at + i - this.lastCheckpoint >= CHECKPOINT_BYTES) this.checkpoint(this.at + i);
    let end = this.nextSpecial(buf, i);
    if (this.role === "content") end = Math.min(end, Math.max(i + 1, this.lastCheckpoint + CHECKPOINT_BYTES - this.at));
    this.raw(buf, i, end);
    if (end >= buf.length) return end;
    const b = buf[end] as number;
    if (b !== QUOTE && b !== BACKSLASH) return end;
    this.mapColumn++;
    if (b === BACKSLASH) {
      this.escape = 1;
      if (this.capturing()) this.name.push(b);
      return end + 1;
    }
    this.closeString(this.at + end);
    return end + 1;
  }

  private raw(buf: Buffer, from: number, to: number): void {
    if (to <= from) return;
    for (let nl = this.nextNewline(buf, from); nl < to; nl = this.nextNewline(buf, from)) {
      this.countRaw(buf, from, nl);
      this.mapLine++;
      this.mapColumn = 0;
      this.decodedNewline();
      from = nl + 1;
    }
    this.countRaw(buf, from, to);
  }

  private countRaw(buf: Buffer, from: number, to: number): void {
    const units = utf16Units(buf, from, to);
    this.mapColumn += units;
    this.column += units;
    if (this.capturing()) for (let i = from; i < to && this.name.length < MAX_NAME_BYTES; i++) this.name.push(buf[i] as number);
  }

  private escapeByte(buf: Buffer, i: number): number {
    const b = buf[i] as number;
    this.mapColumn += b < 0x80 || b >= 0xc0 ? (b >= 0xf0 ? 2 : 1) : 0;
    if (this.capturing()) this.name.push(b);
    if (this.escape === 1) {
      if (b === 0x75 /* u */) {
        this.escape = 5;
        this.hex = 0;
        return i + 1;
      }
      this.escape = 0;
      if (b === 0x6e /* n */) this.decodedNewline();
      else this.column++;
      return i + 1;
    }
    this.hex = this.hex * 16 + Number.parseInt(String.fromCharCode(b), 16);
    if (--this.escape === 1) {
      this.escape = 0;
      if (this.hex === 0x0a) this.decodedNewline();
      else this.column++;
    }
    return i + 1;
  }

  /** Keys, `sources` entries and `sourceRoot` are kept (up to MAX_NAME_BYTES) to be decoded when they end. */
  private capturing(): boolean {
    return (this.role === "key" || this.role === "source" || this.role === "root") && this.name.length < MAX_NAME_BYTES;
  }

  private decodedNewline(): void {
    this.line++;
    this.column = 0;
  }

  private closeString(end: number): void {
    this.inString = false;
    if (this.role === "content") this.closeSpan();
    else if (this.role === "mappings") this.index.mappings!.end = end;
    else if (this.role !== "other") {
      const text = decodeJsonString(Buffer.from(this.name));
      if (this.role === "key") {
        this.key = text ?? "";
        this.expectKey = false;
      } else if (this.role === "root") this.index.sourceRoot = text ?? "";
      else this.index.sources[this.element] = text;
    }
    this.role = "other";
  }

  private closeSpan(): void {
    const span = this.span!;
    span.endLine = this.mapLine;
    span.endColumn = this.mapColumn;
    this.index.spans.push(span);
    this.span = null;
  }

  /**
   * The first quote or backslash at or after `from`, or the end of `buf` (raw newlines are
   * counted by `raw`). Where each was last found is kept, so that a string with an escape on
   * every line does not search to its far end again at every escape.
   */
  private nextSpecial(buf: Buffer, from: number): number {
    if (buf !== this.searched) {
      this.searched = buf;
      this.quoteAt = -1;
      this.slashAt = -1;
      this.newlineAt = -1;
    }
    if (this.quoteAt !== buf.length && this.quoteAt < from) this.quoteAt = foundOrEnd(buf, QUOTE, from);
    if (this.slashAt !== buf.length && this.slashAt < from) this.slashAt = foundOrEnd(buf, BACKSLASH, from);
    return Math.min(this.quoteAt, this.slashAt);
  }

  /** The first raw newline at or after `from` (remembered like the quotes and backslashes). */
  private nextNewline(buf: Buffer, from: number): number {
    this.nextSpecial(buf, from);
    if (this.newlineAt !== buf.length && this.newlineAt < from) this.newlineAt = foundOrEnd(buf, NEWLINE, from);
    return this.newlineAt;
  }

  private checkpoint(at: number): void {
    this.lastCheckpoint = at;
    this.span!.checkpoints.push({ at, mapLine: this.mapLine, mapColumn: this.mapColumn, line: this.line, column: this.column });
  }
}

function foundOrEnd(buf: Buffer, byte: number, from: number): number {
  const found = buf.indexOf(byte, from);
  return found === -1 ? buf.length : found;
}

/** A JSON string's body (between its quotes) decoded, or null when it is not valid JSON. */
function decodeJsonString(body: Buffer): string | null {
  try {
    const value: unknown = JSON.parse(`"${body.toString("utf8")}"`);
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}
