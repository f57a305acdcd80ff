import { describe, expect, it } from "vitest";
import { enableLinearRegExpEngine } from "../src/cli/linear-regexp.js";
import { customPatternDetector, MAX_HITS_PER_FILE } from "../src/detectors/custom-pattern.js";
import { linearRegExp, splitBoundedRepeats } from "../src/engine/bounded-regexp.js";
import type { DetectorNote } from "../src/engine/detector.js";
import type { ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { scanText } from "./helpers/engine.js";
import { randomString } from "./helpers/keys.js";
import { lumenguard } from "./helpers/process.js";
import { createDir, createRepo } from "./helpers/repo.js";

/** Custom patterns run in linear time or under a time limit; none can hang a scan. */
const config = (regex: string, keywords = ["acme_"]) => JSON.stringify({ customPatterns: [{ id: "acme", regex, keywords }] });

describe("custom patterns cannot hang a scan", () => {
  it("rewrites long bounded repeats so that V8's linear-time engine takes them", () => {
    expect(splitBoundedRepeats("acme_[A-Za-z0-9]{32}")).toBe("acme_[A-Za-z0-9]{16}[A-Za-z0-9]{16}");
    expect(splitBoundedRepeats("x\\d{20,}")).toBe("x\\d{16}\\d{4}\\d*");
    expect(splitBoundedRepeats("y.{0,40}z")).toBe("y.{0,16}.{0,16}.{0,8}z");
    expect(splitBoundedRepeats("(ab){40}")).toBe("(ab){40}");
    // The CLI turns the engine on for its own process; the scanning engine never does.
    enableLinearRegExpEngine();
    expect(linearRegExp("acme_[A-Za-z0-9]{32}", "g")).not.toBeNull();
    expect(linearRegExp("^(a|a)*$", "g")).not.toBeNull();
    expect(linearRegExp("(acme)_\\1", "g")).toBeNull();
  });

  it("rejects nested quantifiers at config load, naming the field (exit 2)", async () => {
    const dir = createDir({ "lumenguard.config.json": config("acme_(\\w+)+$") });
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('"customPatterns[0].regex" can take exponential time');
  });

  it("an alternation that backtracks exponentially runs on the linear engine: the scan finishes at once", async () => {
    const dir = createDir({ "lumenguard.config.json": config("acme_(a|a)*$"), "x.txt": `acme_${"a".repeat(5000)}b\n`.repeat(50) });
    const started = Date.now();
    expect((await runCli(["scan"], { cwd: dir })).code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("a backtracking-only pattern (a backreference) is cut off by its time limit, and says where", async () => {
    const dir = createDir({ "lumenguard.config.json": config("acme_((a|a)*)\\1$"), "x.txt": `acme_${"a".repeat(60)}b\n`.repeat(20) });
    const started = Date.now();
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(stderr).toContain("x.txt:1: custom pattern acme ran out of time on this line");
    expect(stderr).toMatch(/x\.txt:\d+: custom pattern acme stopped here: its time budget for one file is spent/);
  });

  it("still finds what a linear pattern describes", async () => {
    const token = `acme_${"Zq8vR2mLx0pN4tW6yB1cE3gH5jK7nP9s"}`;
    const dir = createDir({ "lumenguard.config.json": config("acme_[A-Za-z0-9]{32}"), "a.ts": `t = "${token}"\n` });
    const { code, stdout } = await runCli(["scan", "-f", "json"], { cwd: dir });
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings[0]).toMatchObject({ ruleId: "acme", line: 1, column: 6 });
  });
});

describe("custom patterns never go quiet", () => {
  const token = () => `acme_${randomString(32)}`;

  it("a line that times out is a warning naming file, line and pattern, and the search goes on after it", async () => {
    const later = token();
    // A backreference keeps the pattern on the backtracking engine, under a time limit per search.
    const dir = createDir({ "lumenguard.config.json": config('acme_(A[A-Za-z0-9]{31}|)((a|a)*)\\2(?=")'), "x.txt": `acme_${"a".repeat(60)}!\nok = "${later}"\n` });
    const { code, stdout, stderr } = await runCli(["scan", "--format", "json"], { cwd: dir });
    expect(stderr).toContain("x.txt:1: custom pattern acme ran out of time on this line");
    const report = JSON.parse(stdout) as ScanResult;
    expect(report.warnings.map((w) => w.code)).toEqual(["pattern-timeout"]);
    expect(code).toBe(1);
    expect(report.findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([["acme", 2, 12]]);
  });

  it("the keyword-hit cap per file is a warning, and what was found before it is kept", () => {
    const first = token();
    const text = `a = "${first}"\n${"acme_ x\n".repeat(MAX_HITS_PER_FILE + 5)}`;
    const { findings, warnings, outcome } = scanText(text, { path: "many.txt", config: { customPatterns: [{ id: "acme", regex: "acme_[A-Za-z0-9]{32}", keywords: ["acme_"] }] } });
    expect(findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([["acme", 1, 6]]);
    expect(warnings).toEqual([]);
    expect(outcome.notes.map((note) => [note.code, note.detector, note.line])).toEqual([["pattern-hit-cap", "acme", MAX_HITS_PER_FILE + 1]]);
  });

  it("the per-file and per-scan budgets hold, and each stop is said", () => {
    const detector = customPatternDetector({ id: "acme", regex: "acme_((a|a)*)\\1$", keywords: ["acme_"] }, { searchMs: 10, fileMs: 120, scanMs: 250 });
    const line = `acme_${"a".repeat(60)}b\n`;
    const notesOf = (lines: number) => {
      const notes: DetectorNote[] = [];
      const buf = Buffer.from(line.repeat(lines));
      const started = performance.now();
      detector.find(buf, 0, buf.length, { fileOffset: 0, state: {}, note: (note) => void notes.push(note) });
      return { codes: notes.map((note) => note.code), ms: performance.now() - started };
    };
    const first = notesOf(20);
    // 10 ms a search (50 ms with its one retry), 120 ms a file: searches time out until the file's budget stops it.
    expect(first.codes.at(-1)).toBe("pattern-budget");
    expect(first.codes.slice(0, -1)).toEqual(first.codes.slice(0, -1).map(() => "pattern-timeout"));
    expect(first.codes.length).toBeGreaterThan(1);
    expect(first.ms).toBeLessThan(1000);
    const second = notesOf(20);
    expect(["pattern-budget", "pattern-scan-budget"]).toContain(second.codes.at(-1));
    // The scan has now spent more than 250 ms: the next file stops at its first keyword hit.
    expect(notesOf(20).codes).toEqual(["pattern-scan-budget"]);
  });

  it("kkka*a*a*(?=z) on a 410 KB file is bounded by its time limits (the real binary)", () => {
    const dir = createDir({
      "lumenguard.config.json": JSON.stringify({ customPatterns: [{ id: "kk", regex: "kkka*a*a*(?=z)", keywords: ["kkk"] }] }),
      "one.txt": `kkk${"a".repeat(410 * 1024)}`,
      "many.txt": `kkk${"a".repeat(400)}\n`.repeat(1000),
    });
    const started = Date.now();
    const run = lumenguard(["scan", "--format", "json", "."], dir, { timeout: 60_000 });
    const elapsed = Date.now() - started;
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as ScanResult;
    const warned = report.warnings.map((w) => `${w.code} ${w.file}`);
    expect(warned).toContain("pattern-budget many.txt");
    // one.txt's one search (a ~1 KiB window) runs out of time, or — on a fast machine — finishes
    // within its one retry; either way it is bounded, and a stop is said.
    expect(warned.filter((w) => w.endsWith(" one.txt")).every((w) => w === "pattern-timeout one.txt")).toBe(true);
    // One second of searching per file, plus start-up: far from the minutes it took unbounded.
    expect(elapsed).toBeLessThan(15_000);
  }, 60_000);
});

describe("a custom pattern's guidance is its own", () => {
  const patterns = [
    { id: "acme-token", regex: "acme_[A-Za-z0-9]{32}", keywords: ["acme_"], severity: "high", description: "Acme tokens move money.", revokeUrl: "https://acme.example/tokens" },
    { id: "other-token", regex: "oth_[A-Za-z0-9]{32}", keywords: ["oth_"] },
  ];
  const FORMATS = ["text", "json", "sarif", "github", "gitlab", "junit", "compact", "html"];

  it.each(FORMATS)("%s: never sends the user to the Lumenfall dashboard for another provider's secret", async (format) => {
    const repo = createRepo({ committed: { "lumenguard.config.json": JSON.stringify({ customPatterns: patterns }), "a.py": `t = "acme_${randomString(32)}"\no = "oth_${randomString(32)}"\n` } });
    const { code, stdout, stderr } = await runCli(["scan", "--format", format], { cwd: repo });
    expect(code).toBe(1);
    let about = stdout + stderr;
    if (format === "sarif") {
      // SARIF lists every built-in rule; what is said about the custom findings is their rules and results.
      const run = (JSON.parse(stdout) as { runs: Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: unknown[] }> }).runs[0]!;
      const custom = run.tool.driver.rules.filter((rule) => rule.id === "acme-token" || rule.id === "other-token");
      expect(custom).toHaveLength(2);
      about = JSON.stringify([custom, run.results]);
    }
    expect(about).not.toContain("lumenfall.ai/app");
    expect(about).not.toContain("Lumenfall API key");
  });

  it("text: the pattern's description and revoke page, else generic guidance", async () => {
    const repo = createRepo({ committed: { "lumenguard.config.json": JSON.stringify({ customPatterns: patterns }), "a.py": `t = "acme_${randomString(32)}"\no = "oth_${randomString(32)}"\n` } });
    const { stdout } = await runCli(["scan"], { cwd: repo });
    expect(stdout).toContain("Acme tokens move money.");
    expect(stdout).toContain("Revoke it at https://acme.example/tokens and issue a new one.");
    expect(stdout).toMatch(/→ revoke .* at https:\/\/acme\.example\/tokens/);
    expect(stdout).toContain("Revoke the secret with its provider and issue a new one.");
    expect(stdout).toMatch(/→ revoke .* with the provider that issued it/);
  });
});
