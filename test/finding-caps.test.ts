import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planScan, resolveConfig } from "../src/config/resolve-config.js";
import { MAX_FINDINGS_PER_FILE, MAX_FINDINGS_PER_SCAN, SeverityCap } from "../src/engine/finding-cap.js";
import { ScanSession, type ScanRun } from "../src/scanning/session.js";
import { mergeCiRuns } from "../src/sources/ci.js";
import type { Finding, Severity } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { createDir } from "./helpers/repo.js";
import { hasProgram, shell } from "./helpers/process.js";
import { seededKey, seededKeys, seededRandom, seededToken } from "./helpers/seeded.js";

/**
 * Findings are bounded in memory: beyond 10,000 per file and 100,000 per scan they are counted,
 * not kept, the least severe left out; the report says how many more there were.
 */

describe("SeverityCap", () => {
  it("keeps items in order while there is room, then lets a more severe one replace the least severe", () => {
    const cap = new SeverityCap<[string, Severity]>(3, ([, severity]) => severity);
    for (const item of [["a", "low"], ["b", "info"], ["c", "high"], ["d", "info"], ["e", "critical"], ["f", "medium"], ["g", "low"]] as Array<[string, Severity]>) cap.add(item);
    // d (info) is left out; e replaces b (info); f replaces a (low); g (low) is left out.
    expect(cap.items.map(([name]) => name)).toEqual(["f", "e", "c"]);
    expect(cap.overCap).toBe(4);
  });
});

/** A file of `count` keys on lines `k=<key>`, all different, from a fixed seed. */
function keyLines(count: number, seed: number): string {
  return `${seededKeys(seed, count).map((key) => `k=${key}`).join("\n")}\n`;
}

describe("per file", () => {
  it(`keeps ${MAX_FINDINGS_PER_FILE.toLocaleString("en-US")} findings of a file, counts the rest, and says so`, async () => {
    const dir = createDir({ "many.txt": keyLines(MAX_FINDINGS_PER_FILE + 50, 1), "one.txt": keyLines(1, 2) });
    const { code, stdout, stderr } = await runCli(["scan", ".", "-f", "json"], { cwd: dir });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.findings.filter((f: { file: string }) => f.file === "many.txt")).toHaveLength(MAX_FINDINGS_PER_FILE);
    expect(report.findings.filter((f: { file: string }) => f.file === "one.txt")).toHaveLength(1);
    expect(report.stats.findingsOverCap).toBe(50);
    expect(report.warnings).toEqual([{ code: "findings-cap", message: "many.txt: 50 more findings were counted but not kept (at most 10,000 are kept for one file, the most severe)", file: "many.txt" }]);
    expect(stderr).toContain("warning: many.txt: 50 more findings were counted but not kept");
    const text = await runCli(["scan", "."], { cwd: dir });
    expect(text.stdout).toMatch(/✖ 10001 findings \(10001 critical\) · 2 files, [\d.]+ KiB scanned in \d+ ms \(50 more not kept\)\n$/);
  });

  it("keeps the most severe: keys after 10,000 low-severity secrets are still reported, and the exit code follows them", async () => {
    const random = seededRandom(5);
    const tokens = Array.from({ length: MAX_FINDINGS_PER_FILE + 20 }, () => seededToken(random));
    const config = JSON.stringify({ customPatterns: [{ id: "acme-token", regex: "acme_[a-z0-9]{32}", keywords: ["acme_"], severity: "low" }] });
    const dir = createDir({ "lumenguard.config.json": config, "dump.txt": `${tokens.map((token) => `t=${token}`).join("\n")}\n${keyLines(3, 6)}` });
    const { code, stdout } = await runCli(["scan", "dump.txt", "-f", "json", "--fail-on", "high"], { cwd: dir });
    const report = JSON.parse(stdout);
    expect(code).toBe(1);
    expect(report.findings).toHaveLength(MAX_FINDINGS_PER_FILE);
    expect(report.findings.filter((f: { ruleId: string }) => f.ruleId === "lumenfall-key").map((f: { line: number }) => f.line)).toEqual([10_021, 10_022, 10_023]);
    // The custom pattern stops at its own limit of keyword hits per file (a warning says so), so
    // between 3 (only the keys pushed out) and 23 findings were counted and not kept.
    expect(report.stats.findingsOverCap).toBeGreaterThanOrEqual(3);
    expect(report.stats.findingsOverCap).toBeLessThanOrEqual(23);
  });
});

describe("per scan", () => {
  it("keeps at most the session's cap, the most severe, counts the rest and says so", () => {
    const resolved = resolveConfig({ startDir: "/", config: { customPatterns: [{ id: "acme-token", regex: "acme_[a-z0-9]{8}", keywords: ["acme_"], severity: "low" }] } });
    const session = new ScanSession({ mode: "worktree", resolved, plan: planScan(resolved, { includePlaceholders: false }), baselineFile: null, maxFindings: 5 });
    const feed = (path: string, text: string) => session.open({ path, kind: "given", absPath: `/x/${path}` }).push(Buffer.from(text), true);
    feed("a.txt", "t=acme_q7x2k9m4\nt=acme_z8r3w1p6\nt=acme_h5n2b7c9\n");
    feed("b.txt", keyLines(2, 8));
    feed("c.txt", "t=acme_t4v8j3y1\nt=acme_m6d1s5f2\n");
    feed("d.txt", keyLines(2, 9));
    return session.finish().then(({ result }) => {
      expect(result.findings.map((f) => [f.file, f.line, f.severity])).toEqual([
        ["a.txt", 1, "low"],
        ["b.txt", 1, "critical"],
        ["b.txt", 2, "critical"],
        ["d.txt", 1, "critical"],
        ["d.txt", 2, "critical"],
      ]);
      expect(result.stats.findingsOverCap).toBe(4);
      expect(result.warnings).toEqual([{ code: "findings-cap", message: "4 more findings were counted but not kept (at most 5 are kept for one scan, the most severe): fix these, or scan a smaller part, and scan again" }]);
    });
  });
});

describe("memory", () => {
  const time = "/usr/bin/time";
  it.skipIf(!hasProgram(time))(`400,000 keys in one 20 MB file: peak RSS under 200 MB (measured with ${time} -v; skipped where it is missing)`, () => {
    const dir = createDir();
    const random = seededRandom(400);
    const lines: string[] = [];
    for (let i = 0; i < 400_000; i++) lines.push(`k=${seededKey(random, 8, 32)}`);
    writeFileSync(join(dir, "keys.txt"), `${lines.join("\n")}\n`);
    const run = shell(`${time} -v $LG scan keys.txt --format json --output out.json`, dir, { timeout: 180_000 });
    const peakKiB = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(run.stderr)?.[1]);
    expect(run.status, run.stderr).toBe(1);
    expect(peakKiB).toBeGreaterThan(0);
    expect(peakKiB / 1024).toBeLessThan(200);
    const report = JSON.parse(readFileSync(join(dir, "out.json"), "utf8"));
    expect(report.findings).toHaveLength(MAX_FINDINGS_PER_FILE);
    expect(report.findings.length + report.stats.findingsOverCap).toBe(400_000);
  }, 240_000);
});

describe("ci: the working tree's run and the commits' run together", () => {
  const finding = (index: number, severity: Severity): Finding => ({
    ruleId: "lumenfall-key", severity, messageId: "m", data: {}, file: `f${index}.txt`, line: 1, column: 1, endLine: 1, endColumn: 2, source: "worktree",
    secret: { redacted: "lmnfl_x.…abcd", fingerprint: `fp${index}`, keyId: "x", lastFour: "abcd", confidence: "high" },
  });
  const run = (findings: Finding[], overCap: number): ScanRun => ({
    resolved: {} as ScanRun["resolved"],
    placed: findings.map((f) => ({ finding: f, absPath: `/r/${f.file}` })),
    result: { version: 1, mode: "worktree", findings, warnings: [], suppressed: [], stats: { files: 1, bytes: 1, blobs: 0, durationMs: 1, skipped: 0, suppressed: 0, ...(overCap ? { findingsOverCap: overCap } : {}) } },
  });

  it("keep the counts of what each left out", () => {
    const merged = mergeCiRuns(run([finding(1, "high")], 5), run([finding(2, "low")], 3), []);
    expect(merged.result.stats.findingsOverCap).toBe(8);
    expect(merged.result.findings).toHaveLength(2);
  });

  it(`are held to ${MAX_FINDINGS_PER_SCAN.toLocaleString("en-US")} findings again, the most severe kept, and say so`, () => {
    const tree = Array.from({ length: MAX_FINDINGS_PER_SCAN }, (_, i) => finding(i, "low"));
    const commits = Array.from({ length: 10 }, (_, i) => finding(MAX_FINDINGS_PER_SCAN + i, "critical"));
    const merged = mergeCiRuns(run(tree, 0), run(commits, 0), []);
    expect(merged.result.findings).toHaveLength(MAX_FINDINGS_PER_SCAN);
    expect(merged.result.findings.filter((f) => f.severity === "critical")).toHaveLength(10);
    expect(merged.result.stats.findingsOverCap).toBe(10);
    expect(merged.placed).toHaveLength(MAX_FINDINGS_PER_SCAN);
    expect(merged.result.warnings.map((w) => w.code)).toContain("findings-cap");
  });
});
