import { randomBytes } from "node:crypto";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import type { ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * Compressed files and archives are opened in every source — the working tree, the index and
 * history — not only in client output: a database dump committed as `dump.sql.gz` leaks its
 * key like a plain file would. And the per-file size limit (`maxFileMegabytes`,
 * `--max-file-megabytes`) is honoured everywhere, counted and said.
 */
const scanJson = async (cwd: string, args: string[] = []) => {
  const outcome = await runCli(["scan", "--format", "json", ...args], { cwd });
  expect(outcome.code, outcome.stderr).toBeLessThanOrEqual(1);
  return { code: outcome.code, stderr: outcome.stderr, report: JSON.parse(outcome.stdout) as ScanResult };
};
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
    expect(worktree.report.warnings.map((w) => w.message)).toEqual([warning]);
    git(repo, ["add", "config.js.br"]);
    const staged = await scanJson(repo, ["--staged"]);
    expect(where(staged.report)).toEqual(["lumenfall-key config.js.br:1:6"]);
    expect(staged.report.warnings.map((w) => w.message)).toEqual([warning]);
    git(repo, ["commit", "-q", "-m", "bomb"]);
    const history = await scanJson(repo, ["--history"]);
    expect(where(history.report)).toEqual(["key-in-history config.js.br:1:6"]);
    expect(history.report.warnings.map((w) => w.message)).toEqual([warning]);
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
    expect(report.warnings.map((w) => w.message)).toEqual(["seed.txt.br: inflates to more than 8 MiB; only the first 8 MiB were scanned"]);
  });

  it("damage after the key: what inflated before it is scanned, and the damage is said", async () => {
    const key = makeKey();
    // Text that does not compress, so the cut falls well after the key's bytes.
    const filler = randomBytes(200_000).toString("base64");
    const whole = brotliCompressSync(Buffer.from(`A="${key}"\n${filler}\n`));
    const repo = createRepo({ committed: { "cut.txt.br": whole.subarray(0, whole.length - 1_000) } });
    const { report } = await scanJson(repo);
    expect(where(report)).toEqual(["lumenfall-key cut.txt.br:1:4"]);
    expect(report.warnings.map((w) => w.message)).toEqual(["cut.txt.br: cannot be decompressed to the end; scanned what inflated before the damage"]);
  });
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
