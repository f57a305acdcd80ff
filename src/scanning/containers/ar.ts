import type { SourceFile } from "../source-file.js";
import { memberOf } from "./member.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";

/**
 * A Unix `ar` archive (`!<arch>\n`: Debian packages `.deb` — whose members `control.tar.*` and
 * `data.tar.*` are opened in turn —, `.ipk`, static libraries), read as it streams in: each
 * member's bytes go to a sink of its own, named `app.deb!data.tar.gz`. Only one 60-byte header
 * (and the GNU long-name table, at most {@link MAX_NAMES} bytes) is held.
 *
 * Format (https://man.freebsd.org/cgi/man.cgi?query=ar&sektion=5, "ar — format of archive
 * files"): the 8-byte magic, then per member a 60-byte header — name (16), date (12), uid (6),
 * gid (6), mode (8), size in decimal (10), and the two bytes `` `\n `` — then its data, padded to
 * an even length with `\n`. GNU names end with `/`; `//` holds the long names that `/<offset>`
 * refers to; `/` and `/SYM64/` are symbol tables (scanned as the archive's own bytes only). BSD
 * `#1/<length>` names are the first `<length>` bytes of the data. A header that does not parse
 * is a warning naming the archive; what came before it is kept.
 */
export const AR_MAGIC = "!<arch>\n";
const HEADER = 60;
/** A GNU long-name table longer than this is skipped (members keep their short names). */
const MAX_NAMES = 1 << 20;

type State = "magic" | "header" | "name" | "data" | "padding" | "end";

class ArSink implements FileSink {
  private state: State = "magic";
  private readonly header = Buffer.alloc(HEADER);
  private filled = 0;
  private remaining = 0;
  private padding = 0;
  private member: FileSink | null = null;
  /** The GNU long-name table while it is read, then kept. */
  private names: Buffer | null = null;
  private namesChunks: Buffer[] | null = null;
  /** A BSD name being read from the start of the data. */
  private bsdName: { bytes: Buffer[]; left: number } | null = null;
  private offset = 0;

  constructor(
    private readonly file: SourceFile,
    private readonly hooks: SinkHooks,
    private readonly open: OpenPlain,
  ) {}

  push(chunk: Uint8Array, final = false): void {
    let at = 0;
    while (at < chunk.length && this.state !== "end") {
      if (this.state === "magic" || this.state === "header") {
        const size = this.state === "magic" ? AR_MAGIC.length : HEADER;
        const take = Math.min(size - this.filled, chunk.length - at);
        this.header.set(chunk.subarray(at, at + take), this.filled);
        this.filled += take;
        at += take;
        this.offset += take;
        if (this.filled < size) continue;
        this.filled = 0;
        if (this.state === "magic") this.state = "header";
        else this.readHeader();
      } else if (this.state === "name") {
        const bsd = this.bsdName!;
        const take = Math.min(bsd.left, chunk.length - at);
        bsd.bytes.push(Buffer.from(chunk.subarray(at, at + take)));
        bsd.left -= take;
        this.remaining -= take;
        at += take;
        this.offset += take;
        if (bsd.left === 0) {
          this.bsdName = null;
          this.startMember(Buffer.concat(bsd.bytes).toString("utf8").replace(/\0+$/, ""));
        }
      } else if (this.state === "data") {
        const take = Math.min(this.remaining, chunk.length - at);
        const piece = chunk.subarray(at, at + take);
        if (this.member && !this.member.stopped) this.member.push(piece, false);
        else if (this.namesChunks) this.namesChunks.push(Buffer.from(piece));
        this.remaining -= take;
        at += take;
        this.offset += take;
        if (this.remaining === 0) this.endMember();
      } else {
        const take = Math.min(this.padding, chunk.length - at);
        this.padding -= take;
        at += take;
        this.offset += take;
        if (this.padding === 0) this.state = "header";
      }
    }
    if (!final) return;
    if (this.state === "data" || this.state === "name" || (this.state === "header" && this.filled > 0)) {
      this.member?.push(new Uint8Array(0), true);
      this.member = null;
      this.warn("ends inside a member (a damaged or cut-short archive); scanned what was there");
    }
    this.state = "end";
  }

  private readHeader(): void {
    const header = this.header;
    const size = /^\d+$/.test(header.toString("latin1", 48, 58).trim()) ? Number(header.toString("latin1", 48, 58).trim()) : null;
    if (header[58] !== 0x60 || header[59] !== 0x0a || size === null) {
      this.warn(`holds a damaged member header at byte ${this.offset - HEADER}; the members after it were not opened`);
      this.state = "end";
      return;
    }
    const rawName = header.toString("utf8", 0, 16).trimEnd();
    this.remaining = size;
    this.padding = size % 2;
    this.member = null;
    this.namesChunks = null;
    const bsd = /^#1\/(\d+)$/.exec(rawName);
    if (bsd) {
      const length = Math.min(Number(bsd[1]), size);
      this.bsdName = { bytes: [], left: length };
      this.state = length > 0 ? "name" : "data";
      if (length === 0) this.startMember("");
      return;
    }
    if (rawName === "//") {
      if (size <= MAX_NAMES) this.namesChunks = [];
      else this.warn(`holds a long-name table over ${MAX_NAMES >> 20} MiB; members keep their short names`);
    } else if (rawName !== "/" && rawName !== "/SYM64/" && rawName !== "__.SYMDEF" && rawName !== "__.SYMDEF SORTED") {
      this.startMember(this.nameOf(rawName), false);
    }
    this.state = size > 0 ? "data" : this.padding > 0 ? "padding" : "header";
    if (size === 0) this.endMember();
  }

  /** A GNU name: `name/`, or `/<offset>` into the long-name table. */
  private nameOf(raw: string): string {
    const long = /^\/(\d+)$/.exec(raw);
    if (long && this.names) {
      const start = Number(long[1]);
      const end = this.names.indexOf("/\n", start);
      return this.names.toString("utf8", start, end === -1 ? this.names.length : end);
    }
    return raw.endsWith("/") ? raw.slice(0, -1) : raw;
  }

  private startMember(name: string, setState = true): void {
    this.member = this.open(memberOf(this.file, name || `member@${this.offset}`));
    if (setState) this.state = this.remaining > 0 ? "data" : "header";
    if (setState && this.remaining === 0) this.endMember();
  }

  private endMember(): void {
    this.member?.push(new Uint8Array(0), true);
    this.member = null;
    if (this.namesChunks) {
      this.names = Buffer.concat(this.namesChunks);
      this.namesChunks = null;
    }
    this.state = this.padding > 0 ? "padding" : "header";
  }

  private warn(message: string): void {
    this.hooks.warn({ code: "archive", message: `${this.file.path}: ${message}`, file: this.file.path });
  }
}

/** A sink that reads an `ar` stream, each member scanned through a sink made by `open`. */
export function arSink(file: SourceFile, hooks: SinkHooks, open: OpenPlain): FileSink {
  return new ArSink(file, hooks, open);
}
