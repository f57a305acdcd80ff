import { createRequire } from "node:module";
import type { SourceFile } from "../source-file.js";
import { InflateBudget } from "./budget.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";
import { unscannedWarning, type Remedy } from "./unscanned.js";

/**
 * A gzip file (`.gz`, `.tgz`), decompressed as it streams in, through fflate's synchronous
 * streaming inflater: compressed input is fed in small slices, so one slice of a decompression
 * bomb inflates to at most ~4 MiB (deflate stops near 1:1032) before the budget is checked. The report names the `.gz`
 * file itself, with lines and columns of the decompressed text. Bytes that do not start with
 * gzip's magic number are scanned as they are: a name is not a format.
 */
const SLICE = 4 << 10;

interface Pusher {
  push(chunk: Uint8Array, final?: boolean): void;
}

class GzipSink implements FileSink {
  private inner: FileSink | null = null;
  /** null until the first bytes; then the inflater, or "plain" when the bytes are not gzip. */
  private gunzip: Pusher | "plain" | null = null;
  /** Inflating stopped: a budget was hit, the data is damaged, or the scanner takes no more. */
  private halted = false;
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
    this.gunzip ??= chunk[0] === 0x1f && chunk[1] === 0x8b ? this.inflater(inner) : "plain";
    if (this.gunzip === "plain") return inner.push(chunk, final);
    for (let at = 0; at < chunk.length && !this.halted; at += SLICE) {
      const slice = chunk.subarray(at, Math.min(chunk.length, at + SLICE));
      this.budget.consumed += slice.length;
      try {
        this.gunzip.push(slice, final && at + SLICE >= chunk.length);
      } catch (error) {
        this.stop(`cannot be decompressed (${(error as Error).message}); scanned what inflated before the damage`, "unpack");
      }
    }
    if (final) inner.push(new Uint8Array(0), true);
  }

  private inflater(inner: FileSink): Pusher {
    const { Gunzip } = createRequire(import.meta.url)("fflate") as typeof import("fflate");
    return new Gunzip((data) => {
      if (this.halted) return;
      const over = this.budget.add(data.length);
      inner.push(data, false);
      if (over) this.stop(this.budget.describe(over), "budget");
      else if (inner.stopped) this.halted = true;
    });
  }

  /** Decompression ends here: what follows was not scanned (a gate fails closed on it). */
  private stop(why: string, remedy: Remedy): void {
    this.halted = true;
    this.hooks.warn(unscannedWarning(this.file, "decompress-limit", why, remedy));
  }
}

/** `spent`: what the containers this one is in have inflated to (one archive budget for a whole nest). */
export function gzipSink(file: SourceFile, hooks: SinkHooks, openPlain: OpenPlain, spent?: { inflated: number }): FileSink {
  return new GzipSink(file, hooks, openPlain, spent);
}
