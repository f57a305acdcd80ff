import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scan } from "../src/index.js";
import { lumenguard } from "./helpers/process.js";
import { createDir, createRepo, git, writeFiles, type FileTree } from "./helpers/repo.js";
import { leakIn } from "./helpers/leaks.js";
import { seededKeys } from "./helpers/seeded.js";
import { comparable, readReport, shardOfId } from "./helpers/shards.js";

/**
 * Sharded scans and `lumenguard merge` on repositories made for each case, with the built
 * binary: a key whose two blobs at one path fall in different shards (merge keeps the earliest
 * commit, as the whole scan does), the rules that decide across files (history and working
 * tree, with a baseline, with key ages), the per-file finding cap, and the shard option's own
 * checks.
 */

const fingerprint = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");

/** Writes `files`, commits everything, and returns the commit's id. */
function commit(repo: string, files: FileTree, message: string): string {
  writeFiles(repo, files);
  git(repo, ["add", "-A"]);
  git(repo, ["commit", "-q", "-m", message]);
  return git(repo, ["rev-parse", "HEAD"]).trim();
}

/** git's id for a blob holding `text`. */
function blobId(repo: string, text: string): string {
  return execFileSync("git", ["hash-object", "--stdin"], { cwd: repo, input: text, encoding: "utf8" }).trim();
}

/**
 * Runs `scan` with `args` in `repo` once whole and once per shard of each N, writing the reports
 * outside it (a report written into the tree would be listed by the next scan); returns the
 * folder and the report file names.
 */
function scanSharded(repo: string, args: string[], ns: readonly number[], wholeStatus: number): { out: string; whole: string; shards: Map<number, string[]> } {
  const out = createDir();
  const whole = lumenguard([...args, "--format", "json", "--output", join(out, "whole.json")], repo);
  expect(whole.status, whole.stderr).toBe(wholeStatus);
  const shards = new Map<number, string[]>();
  for (const n of ns) {
    const names: string[] = [];
    for (let i = 1; i <= n; i++) {
      const name = `shard-${i}-of-${n}.json`;
      const outcome = lumenguard([...args, "--shard", `${i}/${n}`, "--fail-on", "none", "--format", "json", "--output", join(out, name)], repo);
      expect(outcome.status, outcome.stderr).toBe(0);
      names.push(name);
    }
    shards.set(n, names);
  }
  return { out, whole: "whole.json", shards };
}

/** Merges `names` (in `dir`, in that order) to JSON and returns the report; the exit status must be `status`. */
function merged(dir: string, names: readonly string[], status: number, extra: string[] = []): any {
  const outcome = lumenguard(["merge", ...names, "--format", "json", "--output", "merged.json", ...extra], dir);
  expect(outcome.status, outcome.stderr).toBe(status);
  expect(outcome.stderr).not.toMatch(/\n\s+at /);
  return readReport(dir, "merged.json");
}

describe("a key in two blobs at one path, in different shards", () => {
  /** config.ts holds the key from commit A (blob 1, line 2) and still after commit C (blob 2, line 3); the blobs fall in different shards of 2. */
  function twoVersions() {
    const repo = createRepo();
    const [key] = seededKeys(41, 1) as [string];
    let first = "";
    let second = "";
    for (let i = 0; ; i++) {
      first = `// settings ${i}\nconst key = "${key}";\n`;
      second = `// settings ${i}\n// read from the environment soon\nconst key = "${key}";\n`;
      if (shardOfId(blobId(repo, first), 2) !== shardOfId(blobId(repo, second), 2)) break;
    }
    const a = commit(repo, { "config.ts": first }, "add config");
    commit(repo, { "README.md": "# app\n" }, "readme");
    const c = commit(repo, { "config.ts": second }, "note");
    return { repo, key, a, c, firstShard: shardOfId(blobId(repo, first), 2) };
  }

  it("merge keeps the earliest commit, as the whole scan does, whichever order the shards come in", () => {
    const { repo, key, a, c, firstShard } = twoVersions();
    const { out, whole, shards } = scanSharded(repo, ["scan", "--history"], [2], 1);
    const wholeReport = readReport(out, whole);
    expect(wholeReport.findings).toHaveLength(1);
    expect(wholeReport.findings[0]).toMatchObject({ ruleId: "key-in-history", file: "config.ts", line: 2, commit: { sha: a }, secret: { fingerprint: fingerprint(key) } });
    const [one, two] = shards.get(2)!;
    // Each shard alone attributes the key to the commit of its own blob.
    const later = readReport(out, firstShard === 1 ? two! : one!);
    expect(later.findings).toMatchObject([{ file: "config.ts", line: 3, commit: { sha: c }, commitIndex: 2 }]);
    expect(readReport(out, firstShard === 1 ? one! : two!).findings).toMatchObject([{ file: "config.ts", line: 2, commit: { sha: a }, commitIndex: 0 }]);
    for (const order of [[one!, two!], [two!, one!]]) expect(comparable(merged(out, order, 1))).toEqual(comparable(wholeReport));
  });

  it("with a baseline that accepts it: one suppressed entry at the earliest commit, as the whole scan has", () => {
    const { repo } = twoVersions();
    const baseline = lumenguard(["baseline", "--history", "--output", "accepted.json"], repo);
    expect(baseline.status, baseline.stderr).toBe(0);
    const { out, whole, shards } = scanSharded(repo, ["scan", "--history", "--baseline", "accepted.json"], [2], 0);
    const wholeReport = readReport(out, whole);
    expect(wholeReport.findings).toEqual([]);
    expect(wholeReport.suppressed).toMatchObject([{ by: "baseline", file: "config.ts", line: 2 }]);
    expect(comparable(merged(out, shards.get(2)!, 0))).toEqual(comparable(wholeReport));
  });
});

/** Env files of several environments sharing keys, over four commits; deterministic keys, so deterministic blob ids. */
function sharedKeyHistory(): { repo: string; keys: string[] } {
  const repo = createRepo();
  const keys = seededKeys(7, 3);
  const [k1, k2, k3] = keys as [string, string, string];
  commit(repo, { ".env.production": `LUMENFALL_API_KEY=${k1}\n`, ".env.staging": `LUMENFALL_API_KEY=${k1}\n`, "src/app.ts": "export {};\n" }, "environments");
  commit(repo, { ".env.production": `# production\nLUMENFALL_API_KEY=${k1}\n`, ".env.development": `LUMENFALL_API_KEY=${k2}\n` }, "development");
  commit(repo, { "deploy/prod/secrets.env": `LUMENFALL_API_KEY=${k2}\n`, "docker-compose.staging.yml": `services:\n  app:\n    environment:\n      - LUMENFALL_API_KEY=${k2}\n` }, "deploy");
  commit(repo, { ".env.test": `A=${k1}\nB=${k3}\n`, ".env.local": `LUMENFALL_API_KEY=${k3}\n`, ".env.development": `LUMENFALL_API_KEY=${k2}\nOTHER=1\n` }, "tests");
  // The latest .env.staging allows its key inline: the shared-key finding there is allowed, as in a scan.
  commit(repo, { ".env.staging": `LUMENFALL_API_KEY=${k1} # lumenguard-allow: staging shares it until the rotation\n` }, "allow");
  return { repo, keys };
}

describe("rules that decide across files, concluded by merge from the shards' facts", () => {
  it("history: shared-key-across-environments equals the whole scan's for N = 2, 3, 4 (facts in several shards; no key in any shard's report)", () => {
    const { repo, keys } = sharedKeyHistory();
    const { out, whole, shards } = scanSharded(repo, ["scan", "--history"], [2, 3, 4], 1);
    const wholeReport = readReport(out, whole);
    const shared = wholeReport.findings.filter((finding: any) => finding.ruleId === "shared-key-across-environments");
    expect(shared.length).toBeGreaterThanOrEqual(7);
    expect(wholeReport.suppressed.filter((entry: any) => entry.ruleId === "shared-key-across-environments")).toMatchObject([{ file: ".env.staging", by: "inline", reason: "staging shares it until the rotation" }]);
    // The first version of .env.production is where the whole scan reports it (line 1), not the later one.
    expect(shared.filter((finding: any) => finding.file === ".env.production").map((finding: any) => finding.line)).toEqual([1]);
    for (const [n, names] of shards) {
      const reports = names.map((name) => readReport(out, name));
      for (const name of names) expect(leakIn(readFileSync(join(out, name), "utf8"), keys), name).toBeNull();
      expect(reports.every((report) => report.findings.every((finding: any) => finding.ruleId !== "shared-key-across-environments")), "shards do not conclude").toBe(true);
      expect(reports.filter((report) => report.shard.crossFile.facts.length > 0).length, `N = ${n}: facts in several shards`).toBeGreaterThanOrEqual(2);
      expect(comparable(merged(out, [...names].reverse(), 1)), `N = ${n}`).toEqual(comparable(wholeReport));
    }
  });

  it("history: the same whole scan every time (the facts are read in the walk's order, not as blobs finish)", () => {
    const { repo } = sharedKeyHistory();
    const runs = [1, 2, 3].map(() => JSON.parse(lumenguard(["scan", "--history", "--format", "json"], repo).stdout));
    expect(comparable(runs[1])).toEqual(comparable(runs[0]));
    expect(comparable(runs[2])).toEqual(comparable(runs[0]));
    expect(runs.map((run) => run.findings.map((finding: any) => `${finding.file}:${finding.line} ${finding.message}`))).toEqual([0, 1, 2].map(() => runs[0].findings.map((finding: any) => `${finding.file}:${finding.line} ${finding.message}`)));
  });

  it("history with a baseline that accepts some cross-file findings: merge applies it as the scan does", () => {
    const { repo } = sharedKeyHistory();
    expect(lumenguard(["baseline", "--history", "--output", "all.json"], repo).status).toBe(0);
    const all = JSON.parse(readFileSync(join(repo, "all.json"), "utf8"));
    // Accept only the shared-key findings in .env.staging and .env.test.
    all.entries = all.entries.filter((entry: any) => entry.ruleId === "shared-key-across-environments" && (entry.file === ".env.staging" || entry.file === ".env.test"));
    expect(all.entries.length).toBeGreaterThanOrEqual(2);
    writeFileSync(join(repo, "some.json"), JSON.stringify(all));
    const { out, whole, shards } = scanSharded(repo, ["scan", "--history", "--baseline", "some.json"], [3], 1);
    const wholeReport = readReport(out, whole);
    expect(wholeReport.suppressed.filter((entry: any) => entry.by === "baseline")).toHaveLength(all.entries.length);
    expect(comparable(merged(out, shards.get(3)!, 1))).toEqual(comparable(wholeReport));
  });

  it("working tree: shared-key-across-environments and key-rotation-due (key ages) equal the whole scan's", () => {
    const keys = seededKeys(9, 3);
    const [k1, k2, k3] = keys as [string, string, string];
    const repo = createRepo({ committed: { ".gitignore": ".env*\n", "lumenguard.config.json": JSON.stringify({ rotation: { maxAgeDays: 30 } }), "src/app.ts": "export {};\n" } });
    writeFiles(repo, {
      ".env.production": `LUMENFALL_API_KEY=${k1}\n`,
      ".env.staging": `LUMENFALL_API_KEY=${k1} # lumenguard-allow: on purpose\n`,
      ".env.development": `LUMENFALL_API_KEY=${k2}\n`,
      ".env.test": `LUMENFALL_API_KEY=${k2}\nOTHER=${k3}\n`,
      ".env.local": `LUMENFALL_API_KEY=${k3}\n`,
      ".env": `LUMENFALL_API_KEY=${k1}\n`,
    });
    mkdirSync(join(repo, ".git/lumenguard"), { recursive: true });
    writeFileSync(join(repo, ".git/lumenguard/key-ages.json"), JSON.stringify({ version: 1, files: { ".env.production": { [fingerprint(k1)]: "2020-01-01" }, ".env.local": { [fingerprint(k3)]: "2021-06-01" } } }));
    const { out, whole, shards } = scanSharded(repo, ["scan", "--fail-on", "low"], [2, 3], 1);
    const wholeReport = readReport(out, whole);
    const ids = wholeReport.findings.map((finding: any) => finding.ruleId);
    expect(ids.filter((id: string) => id === "key-rotation-due").length).toBeGreaterThanOrEqual(3);
    expect(ids.filter((id: string) => id === "shared-key-across-environments").length).toBeGreaterThanOrEqual(4);
    expect(wholeReport.suppressed.filter((entry: any) => entry.ruleId === "shared-key-across-environments")).toMatchObject([{ file: ".env.staging", by: "inline", reason: "on purpose" }]);
    for (const [n, names] of shards) {
      const reports = names.map((name) => readReport(out, name));
      expect(reports.filter((report) => report.shard.crossFile.facts.length > 0).length, `N = ${n}: facts in several shards`).toBeGreaterThanOrEqual(2);
      expect(comparable(merged(out, names, 1, ["--fail-on", "low"])), `N = ${n}`).toEqual(comparable(wholeReport));
    }
  });
});

describe("findings beyond the per-file cap", () => {
  it("two versions of one file, each over 10,000 keys, in different shards: merge says what the whole scan says", () => {
    const repo = createRepo();
    const keys = seededKeys(77, 10_120);
    let first = "";
    let second = "";
    for (let i = 0; ; i++) {
      first = `# ${i}\n${keys.slice(0, 10_050).map((key) => `token=${key}`).join("\n")}\n`;
      second = `# ${i}\n${keys.slice(70).map((key) => `token=${key}`).join("\n")}\n`;
      if (shardOfId(blobId(repo, first), 2) !== shardOfId(blobId(repo, second), 2)) break;
    }
    commit(repo, { "leaked.txt": first }, "one");
    commit(repo, { "leaked.txt": second }, "two");
    const { out, whole, shards } = scanSharded(repo, ["scan", "--history"], [2], 1);
    const wholeReport = readReport(out, whole);
    expect(wholeReport.stats.findingsOverCap).toBe(100);
    expect(wholeReport.warnings).toMatchObject([{ code: "findings-cap", file: "leaked.txt" }]);
    expect(comparable(merged(out, shards.get(2)!, 1))).toEqual(comparable(wholeReport));
  }, 120_000);
});

describe("--shard: where it goes and what it takes", () => {
  const repo = () => createRepo({ committed: { "a.ts": "export {};\n" } });

  it("refuses values that are not I/N with 1 ≤ I ≤ N ≤ 256 (exit 2, the value named)", () => {
    const dir = repo();
    for (const value of ["0/2", "3/2", "1/0", "2", "a/b", "1/257", "-1/2", "1.5/2", "", "1/2/3"]) {
      const outcome = lumenguard(["scan", "--history", `--shard=${value}`], dir);
      expect(outcome.status, value).toBe(2);
      expect(outcome.stderr, value).toContain(`--shard "${value}" is not I/N`);
    }
    expect(lumenguard(["scan", "--history", "--shard", "256/256", "--format", "json"], dir).status).toBe(0);
  });

  it("refuses the modes it does not split (exit 2)", () => {
    const dir = repo();
    const cases: Array<[string[], string]> = [
      [["scan", "--staged"], "--staged is not split"],
      [["scan", "--pack"], "--pack is not split"],
      [["scan", "--pre-push"], "--pre-push is not split"],
      [["scan", "-"], "standard input (-) is not split"],
      [["scan", "--pre-receive"], "scan --pre-receive is not split"],
      [["ci"], "ci is not split"],
      [["baseline"], "baseline is not split"],
      [["init"], "init is not split"],
      [["merge", "x.json"], "merge is not split"],
      [["scan", "--fix"], "--fix changes .gitignore"],
    ];
    for (const [args, message] of cases) {
      const outcome = lumenguard([...args, "--shard", "1/2"], dir);
      expect(outcome.status, args.join(" ")).toBe(2);
      expect(outcome.stderr, args.join(" ")).toContain(message);
    }
  });

  it("the programmatic API: scan({ shard }) for history and the tree, a UsageError otherwise", async () => {
    const dir = repo();
    const result = await scan({ cwd: dir, mode: { kind: "history" }, shard: { index: 1, total: 1 } });
    expect(result.shard).toMatchObject({ index: 1, total: 1, scan: { mode: "history", commits: 1 } });
    await expect(scan({ cwd: dir, mode: { kind: "staged" }, shard: { index: 1, total: 2 } })).rejects.toThrow(/--staged is not split/);
    await expect(scan({ cwd: dir, shard: { index: 3, total: 2 } })).rejects.toThrow(/"shard" must be \{ index, total \}/);
    const unsharded = await scan({ cwd: dir, mode: { kind: "history" } });
    expect(unsharded.shard).toBeUndefined();
  });
});
