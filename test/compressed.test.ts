import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { containerSink, type FileSink } from "../src/scanning/containers/index.js";
import { DEFAULT_LIMITS } from "../src/scanning/limits.js";
import type { SourceFile } from "../src/scanning/source-file.js";
import type { ScanResult, Warning } from "../src/types.js";
import { hasProgram, shell } from "./helpers/process.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * Compressed files and archives are opened in every source — the working tree, the index and
 * history — not only in client output: a database dump committed as `dump.sql.gz` leaks its
 * key like a plain file would. And the per-file size limit (`maxFileMegabytes`,
 * `--max-file-megabytes`) is honoured everywhere, counted and said.
 */
const scanJson = async (cwd: string, args: string[] = []) => {
  const outcome = await runCli(["scan", "--format", "json", ...args], { cwd });
  // A gate (--staged) fails closed (exit 3, after the report) on what a budget left unscanned.
  expect(outcome.code, outcome.stderr).toBeLessThanOrEqual(args.includes("--staged") ? 3 : 1);
  return { code: outcome.code, stderr: outcome.stderr, report: JSON.parse(outcome.stdout) as ScanResult };
};
/** A warning's message without the advice a gate's fail-closed warnings end with (test/containers.test.ts checks it through real gates). */
const gist = (w: Warning) => w.message.replace(/\. A gate fails closed on content it could not scan: .*$/, "");
const where = (report: ScanResult) => report.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}:${f.column}`);

function dump(key: string): string {
  return `${Array.from({ length: 50 }, (_, i) => `INSERT INTO t VALUES (${i});`).join("\n")}\nLUMENFALL_API_KEY=${key}\n`;
}

describe("compressed files in every source", () => {
  it("a key in a committed dump.sql.gz: the working tree, --staged and --history find it at its line in the decompressed text", async () => {
    const repo = createRepo({ committed: { "README.md": "x" } });
    writeFiles(repo, { "dump.sql.gz": gzipSync(dump(makeKey())) });
    git(repo, ["add", "dump.sql.gz"]);
    expect(where((await scanJson(repo, ["--staged"])).report)).toEqual(["lumenfall-key dump.sql.gz:51:19"]);
    expect(where((await scanJson(repo)).report)).toEqual(["lumenfall-key dump.sql.gz:51:19"]);
    git(repo, ["commit", "-q", "-m", "dump"]);
    expect(where((await scanJson(repo, ["--history"])).report)).toEqual(["key-in-history dump.sql.gz:51:19"]);
  });

  it(".br files and zip entries, in the working tree, the index and history", async () => {
    const [brKey, zipKey, jsKey] = [makeKey(), makeKey(), makeKey()];
    const zip = zipSync({ "conf/app.env": new TextEncoder().encode(`# app\nKEY=${zipKey}\n`), "README.txt": new TextEncoder().encode("readme"), "js/app.js": new TextEncoder().encode(`k="${jsKey}"`) });
    const repo = createRepo({ committed: { "README.md": "x" } });
    writeFiles(repo, { "data/seed.json.br": brotliCompressSync(Buffer.from(`{\n  "key": "${brKey}"\n}\n`)), "release/bundle.zip": zip });
    git(repo, ["add", "-A"]);
    // Two members of one archive: each is its own place, in history too (one blob, two findings).
    const expected = ["data/seed.json.br:2:11", "release/bundle.zip!conf/app.env:2:5", "release/bundle.zip!js/app.js:1:4"];
    expect(where((await scanJson(repo, ["--staged"])).report)).toEqual(expected.map((place) => `lumenfall-key ${place}`));
    expect(where((await scanJson(repo)).report)).toEqual(expected.map((place) => `lumenfall-key ${place}`));
    git(repo, ["commit", "-q", "-m", "data"]);
    expect(where((await scanJson(repo, ["--history"])).report)).toEqual(expected.map((place) => `key-in-history ${place}`));
  });

  it("a file that only looks compressed by its name is scanned as it is", async () => {
    const repo = createRepo({ committed: { "notes.gz": `not gzip at all: ${makeKey()}\n`, "x.br": `nor brotli: ${makeKey()}\n` } });
    expect(where((await scanJson(repo)).report)).toEqual(["lumenfall-key notes.gz:1:18", "lumenfall-key x.br:1:13"]);
  });
});

describe("a brotli file that inflates past the budget: scanned up to it, then a warning naming it — never taken for plain bytes", () => {
  /** Brotli of `text` with `zeros` bytes of zeros after it, and `tail` after those. */
  const bomb = (text: string, zeros: number, tail = "") => brotliCompressSync(Buffer.concat([Buffer.from(text), Buffer.alloc(zeros), Buffer.from(tail)]));

  it("the attack as reported: a key, then 40 MiB of zeros (133 bytes of brotli) — found in the working tree, the index and history, with the warning", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "x" } });
    writeFiles(repo, { "config.js.br": bomb(`KEY="${key}"\n`, 40 << 20) });
    const warning = "config.js.br: inflates more than 100:1 (a decompression bomb?); only the first 1 MiB were scanned";
    const worktree = await scanJson(repo);
    expect(where(worktree.report)).toEqual(["lumenfall-key config.js.br:1:6"]);
    expect(worktree.report.warnings.map(gist)).toEqual([warning]);
    git(repo, ["add", "config.js.br"]);
    const staged = await scanJson(repo, ["--staged"]);
    expect(where(staged.report)).toEqual(["lumenfall-key config.js.br:1:6"]);
    expect(staged.report.warnings.map(gist)).toEqual([warning]);
    expect(staged.code).toBe(3);
    git(repo, ["commit", "-q", "-m", "bomb"]);
    const history = await scanJson(repo, ["--history"]);
    expect(where(history.report)).toEqual(["key-in-history config.js.br:1:6"]);
    expect(history.report.warnings.map(gist)).toEqual([warning]);
  });

  it("with the ratio raised, all 40 MiB are inflated piece by piece and the key at the very end is found, no warning", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "lumenguard.config.json": JSON.stringify({ archives: { maxRatio: 1_000_000 } }), "seed.txt.br": bomb("start\n", 40 << 20, `\nKEY="${key}"\n`) } });
    const { report } = await scanJson(repo);
    expect(where(report)).toEqual(["lumenfall-key seed.txt.br:3:6"]);
    expect(report.warnings).toEqual([]);
  });

  it("past maxEntryMiB: the key before the bound is found, the one after is not, and the warning says where it stopped", async () => {
    const [before, after] = [makeKey(), makeKey()];
    const repo = createRepo({
      committed: { "lumenguard.config.json": JSON.stringify({ archives: { maxRatio: 1_000_000, maxEntryMiB: 8 } }), "seed.txt.br": bomb(`A="${before}"\n`, 40 << 20, `\nB="${after}"\n`) },
    });
    const { report } = await scanJson(repo);
    expect(where(report)).toEqual(["lumenfall-key seed.txt.br:1:4"]);
    expect(report.warnings.map(gist)).toEqual(["seed.txt.br: inflates to more than 8 MiB; only the first 8 MiB were scanned"]);
  });

  it("damage after the key: what inflated before it is scanned, and the damage is said", async () => {
    const key = makeKey();
    // Text that does not compress, so the cut falls well after the key's bytes.
    const filler = randomBytes(200_000).toString("base64");
    const whole = brotliCompressSync(Buffer.from(`A="${key}"\n${filler}\n`));
    const repo = createRepo({ committed: { "cut.txt.br": whole.subarray(0, whole.length - 1_000) } });
    const { report } = await scanJson(repo);
    expect(where(report)).toEqual(["lumenfall-key cut.txt.br:1:4"]);
    expect(report.warnings.map(gist)).toEqual(["cut.txt.br: cannot be decompressed to the end; scanned what inflated before the damage"]);
  });
});

/**
 * A brotli stream of metadata meta-blocks only (RFC 7932, section 9.2: the decoder skips their
 * bytes and outputs nothing), each block's bytes as given, ended by an empty last meta-block.
 * Bits are written least significant first, as the format reads them.
 */
function metadataOnlyBrotli(blocks: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  let pending: number[] = [];
  let byte = 0;
  let used = 0;
  const bits = (value: number, count: number) => {
    for (let i = 0; i < count; i++) {
      byte |= ((value >>> i) & 1) << used;
      if (++used === 8) {
        pending.push(byte);
        byte = 0;
        used = 0;
      }
    }
  };
  const align = () => {
    if (used > 0) bits(0, 8 - used);
  };
  const flush = () => {
    parts.push(Buffer.from(pending));
    pending = [];
  };
  bits(0, 1); // WBITS: a 64 KiB window
  for (const block of blocks) {
    const lengthLess1 = block.length - 1;
    const lengthBytes = lengthLess1 < 1 << 8 ? 1 : lengthLess1 < 1 << 16 ? 2 : 3;
    // ISLAST 0, MNIBBLES 0 (coded 3), reserved 0, MSKIPBYTES, MSKIPLEN - 1, padding to a byte.
    bits(0, 1);
    bits(3, 2);
    bits(0, 1);
    bits(lengthBytes, 2);
    bits(lengthLess1, lengthBytes * 8);
    align();
    flush();
    parts.push(block);
  }
  bits(1, 1); // ISLAST
  bits(1, 1); // ISLASTEMPTY
  align();
  flush();
  return Buffer.concat(parts);
}

describe("brotli input held before the first output is bounded", () => {
  const MiB = 1 << 20;
  /** Text lines (not binary, so the bytes are scanned), in metadata blocks of at most 16 MiB. */
  function metadataFile(key: string, totalMiB: number): Buffer {
    const line = "metadata the decoder skips; no output comes of it\n";
    const text = Buffer.from(`KEY="${key}"\n${line.repeat(Math.ceil((totalMiB * MiB) / line.length))}`).subarray(0, totalMiB * MiB);
    const blocks: Buffer[] = [];
    for (let at = 0; at < text.length; at += 16 * MiB) blocks.push(text.subarray(at, at + 16 * MiB));
    return metadataOnlyBrotli(blocks);
  }

  it("the stream decodes to nothing (node:zlib agrees), and the sink stops holding at the bound: a warning naming the file, then the bytes as they are, chunk by chunk", () => {
    const key = makeKey();
    const stream = metadataFile(key, 3);
    expect(brotliDecompressSync(stream).length).toBe(0);
    const received: Buffer[] = [];
    const warnings: Warning[] = [];
    const plain: FileSink = { push: (chunk) => void received.push(Buffer.from(chunk)) };
    const hooks = { plan: undefined as never, limits: { ...DEFAULT_LIMITS, bufferedBytes: MiB }, done: () => {}, warn: (w: Warning) => void warnings.push(w), defer: () => {} };
    const sink = containerSink("brotli", { path: "seed.txt.br", kind: "tracked", absPath: "/r/seed.txt.br" } as SourceFile, hooks, () => plain);
    const held = () => stream.length - received.reduce((sum, chunk) => sum + chunk.length, 0);
    for (let at = 0; at < stream.length; at += MiB) {
      sink.push(stream.subarray(at, at + MiB), at + MiB >= stream.length);
      // Never more than the bound (plus the 4 KiB slice that would pass it) is held back from the scanner.
      expect(held() - (stream.length - Math.min(stream.length, at + MiB))).toBeLessThanOrEqual(MiB);
    }
    expect(held()).toBe(0);
    expect(Buffer.concat(received).equals(stream)).toBe(true);
    expect(warnings.map((w) => ({ ...w, message: gist(w) }))).toEqual([
      {
        code: "decompress-limit",
        message: "seed.txt.br: decodes to nothing in its first 1 MiB (the most held before brotli output starts); decompression stopped there, and the file was scanned as the bytes it is",
        file: "seed.txt.br",
        incomplete: true,
      },
    ]);
  });

  const time = "/usr/bin/time";
  it.skipIf(!hasProgram(time))(`a 256 MiB .br that decodes to nothing: peak RSS under 200 MB, the key in its bytes found, the warning said (measured with ${time} -v; skipped where it is missing)`, () => {
    const key = makeKey();
    const dir = createDir();
    writeFileSync(join(dir, "seed.txt.br"), metadataFile(key, 256));
    const run = shell(`${time} -v $LG scan seed.txt.br --format json --output out.json`, dir, { timeout: 180_000 });
    const peakKiB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]);
    expect(run.status, run.stderr).toBe(1);
    expect(peakKiB).toBeGreaterThan(0);
    // Measured: 376 MB when the whole input was held until the end; 145 MB with the bound (64 MiB held at most).
    expect(peakKiB / 1024).toBeLessThan(200);
    const report = JSON.parse(readFileSync(join(dir, "out.json"), "utf8")) as ScanResult;
    // Column 10: the stream's first four bytes are its header, then `KEY="`.
    expect(where(report)).toEqual(["lumenfall-key seed.txt.br:1:10"]);
    expect(report.warnings.map(gist)).toContain(
      "seed.txt.br: decodes to nothing in its first 64 MiB (the most held before brotli output starts); decompression stopped there, and the file was scanned as the bytes it is",
    );
  }, 240_000);
});

describe("a size limit per file", () => {
  const MB = 1_000_000;
  /** 3 MB of text with a key at about 0.5 MB and another at about 2.5 MB. */
  function bigFile(early: string, late: string): string {
    // Text that compresses like source code (about 5:1), not like a run of one byte.
    const filler = Array.from({ length: 5_000 }, (_, i) => `${`line ${i} of the seed data: ${(i * 7919).toString(36)}`.padEnd(99, ".")}\n`).join("");
    return `${filler}k = "${early}"\n${filler.repeat(4)}k = "${late}"\n${filler.repeat(1)}`;
  }

  it("--max-file-megabytes: what lies before the limit is reported, the rest is skipped, counted and said — in every source", async () => {
    const [early, late] = [makeKey(), makeKey()];
    const text = bigFile(early, late);
    expect(text.length).toBeGreaterThan(2.9 * MB);
    const repo = createRepo({ committed: { "big.txt": text, "small.txt": `k = "${makeKey()}"\n`, "big.txt.gz": gzipSync(text) } });
    for (const args of [["--max-file-megabytes", "1"], ["--history", "--max-file-megabytes", "1"]]) {
      const { code, report, stderr } = await scanJson(repo, args);
      expect(code).toBe(1);
      const rule = args.includes("--history") ? "key-in-history" : "lumenfall-key";
      expect(where(report)).toEqual([`${rule} big.txt:5001:6`, `${rule} big.txt.gz:5001:6`, `${rule} small.txt:1:6`]);
      expect(report.stats.skipped).toBe(2);
      expect(report.warnings.map((w) => `${w.code} ${w.file}`).sort()).toEqual(["file-size-limit big.txt", "file-size-limit big.txt.gz"]);
      expect(report.warnings[0]?.message).toMatch(/larger than 1 MB \(the file size limit\); only its first 1 MB were scanned/);
      expect(stderr).toContain("big.txt: larger than 1 MB");
    }
    // Without a limit both keys of each copy are found.
    expect((await scanJson(repo)).report.findings).toHaveLength(5);
  });

  it("the config's maxFileMegabytes, which the flag overrides; --staged too", async () => {
    const [early, late] = [makeKey(), makeKey()];
    const repo = createRepo({ committed: { "lumenguard.config.json": JSON.stringify({ maxFileMegabytes: 0.5 }) } });
    writeFiles(repo, { "big.txt": bigFile(early, late) });
    git(repo, ["add", "big.txt"]);
    // 0.5 MB stops just before the first key (at about 0.5 MB).
    const limited = await scanJson(repo, ["--staged"]);
    expect(limited.report.findings).toEqual([]);
    expect(limited.report.stats.skipped).toBe(1);
    expect(where((await scanJson(repo, ["--staged", "--max-file-megabytes", "3.5"])).report)).toEqual(["lumenfall-key big.txt:5001:6", "lumenfall-key big.txt:25002:6"]);
  });

  it("a bad value is a usage or configuration error naming the flag or field (exit 2)", async () => {
    const repo = createRepo({ committed: { "a.txt": "x" } });
    for (const value of ["0", "-1", "lots", ""]) {
      const { code, stderr } = await runCli(["scan", `--max-file-megabytes=${value}`], { cwd: repo });
      expect(code).toBe(2);
      expect(stderr).toContain(`--max-file-megabytes "${value}" is not a number of megabytes greater than 0`);
    }
    writeFiles(repo, { "lumenguard.config.json": JSON.stringify({ maxFileMegabytes: 0 }) });
    const { code, stderr } = await runCli(["scan"], { cwd: repo });
    expect(code).toBe(2);
    expect(stderr).toContain('"maxFileMegabytes"');
  });
});
