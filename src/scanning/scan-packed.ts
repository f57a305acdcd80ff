import { createReadStream, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import type { BrotliDecompress, Gunzip } from "node:zlib";
import { FileScanner, type EngineOptions } from "../engine/engine.js";
import type { FileFacts } from "../engine/rule.js";
import { addFileOutcome, type FilesOutcome } from "./scan-files.js";
import type { Target } from "./targets.js";

/**
 * Client files that are not plain text (SPEC §3.4): precompressed `.gz` / `.br` assets,
 * decompressed as a stream and bounded in size; source maps, whose `sourcesContent` findings
 * name the original file; and zip-based packages (`.crx .xpi .apk .aab .ipa .zip`), read one
 * level deep (source maps are read like any file, see scan-files.ts). The report names the compressed file itself, with lines and columns of the
 * decompressed text, and `package.zip!inner/path` for a file inside a package.
 */
const MAX_INFLATED_BYTES = 256 << 20;
const MAX_PACKAGE_BYTES = 512 << 20;
const MAX_ENTRY_BYTES = 128 << 20;

const COMPRESSED = /\.(gz|br)$/i;
const PACKAGE = /\.(crx|xpi|apk|aab|ipa|zip)$/i;

export function isPackedClientFile(path: string): boolean {
  return COMPRESSED.test(path) || PACKAGE.test(path);
}

export async function scanPackedClientFile(target: Target, engine: EngineOptions, into: FilesOutcome): Promise<void> {
  const facts: FileFacts = { path: target.display, source: "bundle", client: true };
  try {
    if (COMPRESSED.test(target.absPath)) await scanCompressed(target, facts, engine, into);
    else scanPackage(target, engine, into);
  } catch (error) {
    into.skipped++;
    into.warnings.push({ code: "unreadable", message: `${target.display}: ${(error as Error).message}; skipped`, file: target.display });
  }
}

function scanCompressed(target: Target, facts: FileFacts, engine: EngineOptions, into: FilesOutcome): Promise<void> {
  const scanner = new FileScanner(facts, engine);
  const zlib = createRequire(import.meta.url)("node:zlib") as typeof import("node:zlib");
  const inflate: Gunzip | BrotliDecompress = /\.gz$/i.test(target.absPath) ? zlib.createGunzip() : zlib.createBrotliDecompress();
  let inflated = 0;
  return new Promise((resolvePromise, reject) => {
    const input = createReadStream(target.absPath);
    input.on("error", reject);
    inflate.on("error", (error) => reject(new Error(`cannot be decompressed (${error.message})`)));
    inflate.on("data", (chunk: Buffer) => {
      inflated += chunk.length;
      if (inflated > MAX_INFLATED_BYTES) {
        input.destroy();
        inflate.destroy();
        into.warnings.push({ code: "inflate-limit", message: `${target.display}: decompresses to more than ${MAX_INFLATED_BYTES >> 20} MiB; only the first part was scanned`, file: target.display });
        addFileOutcome(into, target.absPath, scanner.end());
        resolvePromise();
        return;
      }
      scanner.push(chunk);
    });
    inflate.on("end", () => {
      addFileOutcome(into, target.absPath, scanner.end());
      resolvePromise();
    });
    input.pipe(inflate);
  });
}

type Fflate = typeof import("fflate");

/** A zip-based package, one level deep: every entry is scanned as bytes; nested packages are not opened. */
function scanPackage(target: Target, engine: EngineOptions, into: FilesOutcome): void {
  if (statSync(target.absPath).size > MAX_PACKAGE_BYTES) throw new Error(`larger than ${MAX_PACKAGE_BYTES >> 20} MiB`);
  const { unzipSync } = createRequire(import.meta.url)("fflate") as Fflate;
  const archive = zipPart(readFileSync(target.absPath));
  const entries = unzipSync(archive, { filter: (entry) => entry.originalSize <= MAX_ENTRY_BYTES && !entry.name.endsWith("/") });
  for (const [name, bytes] of Object.entries(entries)) {
    const scanner = new FileScanner({ path: `${target.display}!${name}`, source: "bundle", client: true }, engine);
    scanner.push(bytes, true);
    addFileOutcome(into, target.absPath, scanner.end());
  }
}

/** A Chrome extension (`Cr24`) is a header and then a zip: the header is skipped. */
function zipPart(bytes: Buffer): Uint8Array {
  if (bytes.length < 16 || bytes.toString("latin1", 0, 4) !== "Cr24") return bytes;
  const version = bytes.readUInt32LE(4);
  const start = version === 3 ? 12 + bytes.readUInt32LE(8) : 16 + bytes.readUInt32LE(8) + bytes.readUInt32LE(12);
  return bytes.subarray(start);
}
