import { createRequire } from "node:module";
import type { SourceFile } from "../source-file.js";
import { InflateBudget } from "./budget.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";

/**
 * A brotli file (`.br`, precompressed web assets), decompressed synchronously as it streams in,
 * slice by slice, under the same budget as gzip — so a source that reads a file and then looks
 * at what was found (the staged source compares the index with the disk) sees the findings at
 * once, as for any other file.
 *
 * Node's brotli decoder is used through the synchronous step its own `brotliDecompressSync`
 * takes (`_processChunk` without a callback): one slice of input in, its output out, with
 * `maxOutputLength` bounding what one slice may inflate to. Brotli has no magic number: bytes
 * that fail to decode before producing anything are scanned as they are.
 */
const SLICE = 4 << 10;
/** What one slice of input may inflate to: more is a decompression bomb by any measure. */
const MAX_SLICE_OUTPUT = 32 << 20;

interface SyncDecoder {
  _processChunk(chunk: Buffer, flushFlag: number): Buffer;
  close(): void;
}

type Zlib = typeof import("node:zlib");

class BrotliSink implements FileSink {
  private inner: FileSink | null = null;
  private decoder: SyncDecoder | null = null;
  private state: "start" | "brotli" | "plain" | "done" = "start";
  /** Input held until the decoder first produces output: it is scanned as it is if decoding fails. */
  private held: Buffer[] = [];
  private readonly budget: InflateBudget;

  constructor(
    private readonly file: SourceFile,
    private readonly hooks: SinkHooks,
    private readonly openPlain: OpenPlain,
    spent?: { inflated: number },
  ) {
    this.budget = new InflateBudget(hooks.limits, spent);
  }

  get stopped(): boolean {
    return this.inner?.stopped ?? false;
  }

  push(chunk: Uint8Array, final = false): void {
    const inner = (this.inner ??= this.openPlain(this.file));
    if (this.passingThrough()) return inner.push(chunk, final);
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (let at = 0; at < bytes.length && (this.state === "start" || this.state === "brotli"); at += SLICE) {
      const last = final && at + SLICE >= bytes.length;
      this.decode(bytes.subarray(at, at + SLICE), last, bytes.subarray(at + SLICE), final);
    }
    if (bytes.length === 0 && final && (this.state === "start" || this.state === "brotli")) this.decode(bytes, true, bytes, true);
    // Decoding that failed from the start handed the rest, final flag included, to the scanner as it is.
    if (final && !this.passingThrough()) this.end();
  }

  /** Decoding failed from the start: the bytes go to the scanner as they are. */
  private passingThrough(): boolean {
    return this.state === "plain";
  }

  /** Decodes one slice; `rest` is what follows it in the chunk, `final` whether the chunk is the file's last. */
  private decode(slice: Buffer, last: boolean, rest: Buffer, final: boolean): void {
    const zlib = createRequire(import.meta.url)("node:zlib") as Zlib;
    this.decoder ??= zlib.createBrotliDecompress({ maxOutputLength: MAX_SLICE_OUTPUT }) as unknown as SyncDecoder;
    if (this.state === "start") this.held.push(Buffer.from(slice));
    this.budget.consumed += slice.length;
    let out: Buffer;
    try {
      out = this.decoder._processChunk(slice, last ? zlib.constants.BROTLI_OPERATION_FINISH : zlib.constants.BROTLI_OPERATION_PROCESS);
    } catch (error) {
      return this.failed(error as NodeJS.ErrnoException, rest, final);
    }
    if (out.length === 0) return;
    if (this.state === "start") {
      this.state = "brotli";
      this.held = [];
    }
    const over = this.budget.add(out.length);
    this.inner!.push(out, false);
    if (over) this.stop(this.budget.describe(over));
    else if (this.inner!.stopped) this.state = "done";
  }

  /** Not brotli at all (nothing decoded yet): the bytes as they are. Otherwise, damage or a bomb. */
  private failed(error: NodeJS.ErrnoException, rest: Buffer, final: boolean): void {
    if (this.state === "start") {
      this.state = "plain";
      this.decoder?.close();
      for (const held of this.held) this.inner!.push(held, false);
      this.held = [];
      this.inner!.push(rest, final);
      return;
    }
    if (error.code === "ERR_BUFFER_TOO_LARGE") return this.stop(`inflates more than ${this.hooks.limits.ratio}:1 (a decompression bomb?); only the first ${Math.round(this.budget.inflated / (1 << 20))} MiB were scanned`);
    this.stop("cannot be decompressed to the end; scanned what inflated before the damage");
  }

  private stop(why: string): void {
    this.state = "done";
    this.hooks.warn({ code: "decompress-limit", message: `${this.file.path}: ${why}`, file: this.file.path });
  }

  private end(): void {
    this.decoder?.close();
    if (this.state === "start") {
      // Too short to decode to anything: the bytes as they are.
      for (const held of this.held) this.inner!.push(held, false);
      this.held = [];
    }
    this.state = "done";
    this.inner!.push(new Uint8Array(0), true);
  }
}

/** `spent`: what the containers this one is in have inflated to (one archive budget for a whole nest). */
export function brotliSink(file: SourceFile, hooks: SinkHooks, openPlain: OpenPlain, spent?: { inflated: number }): FileSink {
  return new BrotliSink(file, hooks, openPlain, spent);
}
