import { createRequire } from "node:module";
import type { SourceFile } from "../source-file.js";
import { InflateBudget } from "./budget.js";
import type { FileSink, OpenPlain, SinkHooks } from "./types.js";

/**
 * A brotli file (`.br`, precompressed web assets). Node's brotli decoder streams only
 * asynchronously, so the compressed bytes are held (up to the buffered-bytes limit; brotli
 * assets are small) and inflated as a stream once they are complete, under the same budget as
 * gzip. Brotli has no magic number: bytes that fail to decode from the start are scanned as
 * they are.
 */
export function brotliSink(file: SourceFile, hooks: SinkHooks, openPlain: OpenPlain): FileSink {
  const chunks: Buffer[] = [];
  let held = 0;
  let overflow = false;
  return {
    push(chunk, final = false) {
      if (!overflow) {
        held += chunk.length;
        if (held > hooks.limits.bufferedBytes) {
          overflow = true;
          chunks.length = 0;
          hooks.warn({ code: "decompress-limit", message: `${file.path}: larger than ${hooks.limits.bufferedBytes >> 20} MiB compressed; not decompressed, so not scanned`, file: file.path });
        } else {
          chunks.push(Buffer.from(chunk));
        }
      }
      if (!final) return;
      if (overflow) {
        // Too large to hold: nothing of it was kept, and the warning above says so.
        openPlain(file).push(new Uint8Array(0), true);
        return;
      }
      hooks.defer(inflate(file, Buffer.concat(chunks), hooks, openPlain));
    },
  };
}

function inflate(file: SourceFile, compressed: Buffer, hooks: SinkHooks, openPlain: OpenPlain): Promise<void> {
  const zlib = createRequire(import.meta.url)("node:zlib") as typeof import("node:zlib");
  const budget = new InflateBudget(hooks.limits);
  budget.consumed = compressed.length;
  const inner = openPlain(file);
  let out = 0;
  return new Promise((resolvePromise) => {
    const stream = zlib.createBrotliDecompress();
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      inner.push(new Uint8Array(0), true);
      resolvePromise();
    };
    stream.on("data", (data: Buffer) => {
      if (finished) return;
      out += data.length;
      const over = budget.add(data.length);
      inner.push(data, false);
      if (over) {
        hooks.warn({ code: "decompress-limit", message: `${file.path}: ${budget.describe(over)}`, file: file.path });
        stream.destroy();
        finish();
      }
    });
    stream.on("error", () => {
      if (out === 0 && !finished) {
        // Not brotli at all: the bytes as they are.
        finished = true;
        inner.push(compressed, true);
        resolvePromise();
        return;
      }
      hooks.warn({ code: "decompress-error", message: `${file.path}: cannot be decompressed to the end; scanned what inflated before the damage`, file: file.path });
      finish();
    });
    stream.on("end", finish);
    stream.end(compressed);
  });
}
