import { createRequire } from "node:module";
import type { SourceFile } from "../source-file.js";
import { InflateBudget } from "./budget.js";
import { memberOf } from "./member.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";
import { unscannedWarning } from "./unscanned.js";

/**
 * A PDF (`%PDF-`): its FlateDecode streams — how nearly every PDF stores page text — are
 * inflated as the file streams in, each scanned under `runbook.pdf!obj-4` (the object that holds
 * it; `stream@<offset>` when none is named), under the same budgets as gzip. The file's own bytes
 * are scanned as plain bytes beside this (file-sink.ts RawScan): uncompressed streams, metadata
 * and strings are found there.
 *
 * Format: ISO 32000-1 (https://opensource.adobe.com/dc-acrobat-sdk-docs/pdfstandards/PDF32000_2008.pdf)
 * 7.3.8 "Stream objects": a dictionary, the keyword `stream` and an end of line, the data, then
 * `endstream`; 7.4.4 "LZW and Flate": FlateDecode data is zlib (RFC 1950). Only streams whose
 * dictionary names `/FlateDecode` as their only filter are inflated, images (`/Subtype /Image`:
 * pixels, not text) excepted; a stream with a chain of
 * filters (`[/ASCII85Decode /FlateDecode]`) or another compression (LZW, JBIG2, JPX, DCT — the
 * image ones hold pictures) is not, and for a chain that ends in text a warning names the file.
 * The data runs to the first `endstream`; the `/Length` a dictionary claims is not trusted.
 * Memory: the last {@link LOOKBACK} bytes before a stream (to read its dictionary) and fflate's
 * inflater, fed {@link SLICE} bytes at a time.
 */
const LOOKBACK = 4 << 10;
const SLICE = 4 << 10;
const STREAM = Buffer.from("stream");
const END = Buffer.from("endstream");

interface Pusher {
  push(chunk: Uint8Array, final?: boolean): void;
}

class PdfSink implements FileSink {
  /** Bytes before the current position, while searching (a dictionary and `stream` may cross chunks). */
  private recent = Buffer.alloc(0);
  private offset = 0;
  /** The stream being inflated, with what is held back in case `endstream` crosses a chunk. */
  private current: { sink: FileSink; inflater: Pusher | null; budget: InflateBudget; carry: Buffer; halted: boolean; file: SourceFile } | null = null;
  private chained = false;

  constructor(
    private readonly file: SourceFile,
    private readonly hooks: SinkHooks,
    private readonly open: OpenPlain,
    private readonly spent: { inflated: number },
  ) {}

  push(chunk: Uint8Array, final = false): void {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (bytes.length > 0) {
      if (this.current) bytes = this.feed(bytes);
      else bytes = this.search(bytes);
    }
    if (final) {
      if (this.current) this.finish();
      if (this.chained) this.hooks.warn(unscannedWarning(this.file, "archive", "holds streams compressed by a chain of filters (such as ASCII85 then Flate), which lumenguard does not decode; their text was not scanned", "unpack"));
    }
  }

  /** Looks for the next `stream` keyword; returns what follows the data's start (or nothing). */
  private search(bytes: Buffer): Buffer {
    const joined = Buffer.concat([this.recent, bytes]);
    const base = this.offset - this.recent.length;
    let from = 0;
    for (;;) {
      const at = joined.indexOf(STREAM, from);
      if (at === -1) break;
      from = at + STREAM.length;
      // Not "endstream", and followed by an end of line (7.3.8.1): CRLF or LF.
      if (at >= 3 && joined.toString("latin1", at - 3, at) === "end") continue;
      let dataStart = at + STREAM.length;
      if (joined[dataStart] === 0x0d && joined[dataStart + 1] === 0x0a) dataStart += 2;
      else if (joined[dataStart] === 0x0a) dataStart += 1;
      else if (dataStart >= joined.length - 1) {
        // The end of line is in the next chunk: look again then.
        this.keep(joined.subarray(at), base + joined.length);
        return Buffer.alloc(0);
      } else continue;
      const dictionary = joined.toString("latin1", Math.max(0, at - LOOKBACK), at);
      const open = dictionary.lastIndexOf("<<");
      const dict = open === -1 ? dictionary : dictionary.slice(open);
      const filter = /\/Filter\s*(\/[A-Za-z0-9]+|\[[^\]]*\])/.exec(dict)?.[1] ?? null;
      const only = filter?.startsWith("[") ? filter.slice(1, -1).trim().split(/\s+/).filter(Boolean) : filter ? [filter] : [];
      // An image's samples hold pixels, not text (and a plain picture inflates far past the ratio budget).
      const image = /\/Subtype\s*\/Image\b/.test(dict);
      if (!image && only.length === 1 && (only[0] === "/FlateDecode" || only[0] === "/Fl")) {
        const object = /(\d+)\s+\d+\s+obj\b(?![\s\S]*\bobj\b)/.exec(dictionary)?.[1];
        this.begin(object ? `obj-${object}` : `stream@${base + dataStart}`);
        this.offset = base + dataStart;
        this.recent = Buffer.alloc(0);
        return joined.subarray(dataStart);
      }
      if (!image && only.length > 1 && only[only.length - 1] === "/FlateDecode") this.chained = true;
    }
    this.keep(joined, base + joined.length);
    return Buffer.alloc(0);
  }

  private keep(joined: Buffer, end: number): void {
    this.recent = Buffer.from(joined.subarray(Math.max(0, joined.length - LOOKBACK)));
    this.offset = end;
  }

  private begin(name: string): void {
    const file = memberOf(this.file, name);
    const sink = this.open(file);
    const budget = new InflateBudget(this.hooks.limits, this.spent);
    const { Unzlib } = createRequire(import.meta.url)("fflate") as typeof import("fflate");
    const current = { sink, inflater: null as Pusher | null, budget, carry: Buffer.alloc(0), halted: false, file };
    current.inflater = new Unzlib((data) => {
      if (current.halted) return;
      const over = budget.add(data.length);
      sink.push(data, false);
      if (over) this.stop(budget.describe(over), "budget");
      else if (sink.stopped) current.halted = true;
    });
    this.current = current;
  }

  /** Feeds stream data to the inflater up to `endstream`; returns what follows it. */
  private feed(bytes: Buffer): Buffer {
    const current = this.current!;
    const joined = current.carry.length > 0 ? Buffer.concat([current.carry, bytes]) : bytes;
    const end = joined.indexOf(END);
    const usable = end === -1 ? Math.max(0, joined.length - (END.length - 1)) : end;
    this.inflate(joined.subarray(0, usable));
    if (end === -1) {
      current.carry = Buffer.from(joined.subarray(usable));
      this.offset += bytes.length;
      return Buffer.alloc(0);
    }
    this.finish();
    const rest = joined.subarray(end);
    this.offset = this.offset + bytes.length - rest.length;
    return rest;
  }

  private inflate(data: Buffer): void {
    const current = this.current!;
    for (let at = 0; at < data.length && !current.halted; at += SLICE) {
      const slice = data.subarray(at, at + SLICE);
      current.budget.consumed += slice.length;
      try {
        current.inflater!.push(slice, false);
      } catch (error) {
        this.stop(`a stream cannot be inflated (${(error as Error).message}); scanned what inflated before the damage`, "unpack");
      }
    }
  }

  private finish(): void {
    const current = this.current!;
    if (current.carry.length > 0) this.inflate(current.carry);
    // The stream's end is where the data stops: a zlib stream cut short there is damage.
    if (!current.halted) {
      try {
        current.inflater!.push(new Uint8Array(0), true);
      } catch {
        // Trailing end-of-line bytes or a stream cut short: what inflated is scanned.
      }
    }
    current.sink.push(new Uint8Array(0), true);
    this.current = null;
  }

  private stop(why: string, remedy: "budget" | "unpack"): void {
    const current = this.current!;
    if (current.halted) return;
    current.halted = true;
    this.hooks.warn(unscannedWarning(current.file, "decompress-limit", why, remedy));
  }
}

/** A sink that inflates a PDF's FlateDecode streams, each scanned through a sink made by `open`. */
export function pdfSink(file: SourceFile, hooks: SinkHooks, open: OpenPlain, spent: { inflated: number }): FileSink {
  return new PdfSink(file, hooks, open, spent);
}
