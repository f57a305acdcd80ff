import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git } from "./helpers/repo.js";

const json = (stdout: string) => JSON.parse(stdout) as { findings: Array<{ file: string; line: number }>; suppressed: Array<{ by: string; reason?: string; file: string; line: number }> };

describe("baseline", () => {
  it("records fingerprints only, and later scans report only new findings", async () => {
    const old = makeKey();
    const dir = createRepo({ committed: { "a.ts": `const a = "${old}";\n` } });
    const written = await runCli(["baseline"], { cwd: dir });
    expect(written.code).toBe(0);
    expect(written.stderr).toContain("wrote 1 baseline entry to .lumenguard-baseline.json");
    const baselineText = readFileSync(join(dir, ".lumenguard-baseline.json"), "utf8");
    expect(baselineText).not.toContain(old);
    expect(baselineText).not.toContain(old.slice(6, 16));
    expect(JSON.parse(baselineText).entries).toEqual([{ ruleId: "lumenfall-key", file: "a.ts", fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/), line: 1 }]);

    expect((await runCli(["scan", "--baseline", ".lumenguard-baseline.json"], { cwd: dir })).code).toBe(0);

    const fresh = makeKey();
    writeFileSync(join(dir, "b.ts"), fresh);
    const again = await runCli(["scan", "--baseline", ".lumenguard-baseline.json", "-f", "json"], { cwd: dir });
    expect(again.code).toBe(1);
    expect(json(again.stdout).findings.map((f) => f.file)).toEqual(["b.ts"]);
    expect(json(again.stdout).suppressed).toEqual([expect.objectContaining({ by: "baseline", file: "a.ts" })]);
  });

  it("is position-independent: lines added above, code moved within the file", async () => {
    const key = makeKey();
    const dir = createRepo({ committed: { "a.ts": `const a = "${key}";\n` } });
    await runCli(["baseline"], { cwd: dir });
    writeFileSync(join(dir, "a.ts"), `// header\n// more\n\nexport const x = 1;\nconst a = "${key}";\n`);
    const moved = await runCli(["scan", "--baseline", ".lumenguard-baseline.json", "-f", "json"], { cwd: dir });
    expect(moved.code).toBe(0);
    expect(json(moved.stdout).findings).toEqual([]);
    expect(json(moved.stdout).suppressed).toEqual([expect.objectContaining({ by: "baseline", file: "a.ts", line: 5 })]);
  });

  it("a second copy of a baselined key in the same file is new", async () => {
    const key = makeKey();
    const dir = createRepo({ committed: { "a.ts": `a = "${key}"\n` } });
    await runCli(["baseline"], { cwd: dir });
    writeFileSync(join(dir, "a.ts"), `a = "${key}"\n\n\n\n\nb = "${key}"\n`);
    const result = await runCli(["scan", "--baseline", ".lumenguard-baseline.json", "-f", "json"], { cwd: dir });
    expect(json(result.stdout).findings.map((f) => f.line)).toEqual([6]);
  });

  it("the same key moved to another file is new there", async () => {
    const key = makeKey();
    const dir = createRepo({ committed: { "a.ts": key } });
    await runCli(["baseline"], { cwd: dir });
    git(dir, ["mv", "a.ts", "b.ts"]);
    const result = await runCli(["scan", "--baseline", ".lumenguard-baseline.json", "-f", "json"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(json(result.stdout).findings.map((f) => `${f.file}:${f.line}`)).toEqual(["b.ts:1"]);
    expect(json(result.stdout).suppressed).toEqual([]);
  });

  it("works from another directory, and from the config's baseline field", async () => {
    const key = makeKey();
    const dir = createRepo({ committed: { "src/a.ts": key, "lumenguard.config.json": '{ "baseline": ".lumenguard-baseline.json" }' } });
    await runCli(["baseline", "--output", ".lumenguard-baseline.json"], { cwd: dir });
    for (const [argv, cwd] of [[["scan", "src"], dir], [["scan", "."], join(dir, "src")]] as const) {
      const result = await runCli([...argv, "-f", "json"], { cwd });
      expect(result.code).toBe(0);
      expect(json(result.stdout).findings).toEqual([]);
      expect(json(result.stdout).suppressed).toEqual([expect.objectContaining({ by: "baseline", file: "a.ts" })]);
    }
  });

  it("a missing or malformed baseline is a configuration error", async () => {
    const dir = createDir({ "a.txt": "", "bad.json": '{"version":1,"entries":[{"ruleId":"x"}]}', "worse.json": '{"version":1,"entries":[{"ruleId":"x","file":"a","fingerprint":"not hex","line":1}]}' });
    expect((await runCli(["scan", "--baseline", "none.json"], { cwd: dir })).stderr).toContain("baseline file does not exist");
    const bad = await runCli(["scan", "--baseline", "bad.json"], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"entries[0].file" is missing');
    const worse = await runCli(["scan", "--baseline", "worse.json"], { cwd: dir });
    expect(worse.code).toBe(2);
    expect(worse.stderr).toContain('"entries[0].fingerprint" must match pattern');
  });
});

describe("inline allow and config ignore", () => {
  it("an inline allow is reported as suppressed with its reason, not as a finding", async () => {
    const dir = createDir({ "a.ts": `// lumenguard-allow: revoked test key\nconst k = "${makeKey()}";\n` });
    const result = await runCli(["scan", "-f", "json"], { cwd: dir });
    expect(result.code).toBe(0);
    expect(json(result.stdout).suppressed).toEqual([expect.objectContaining({ by: "inline", reason: "revoked test key" })]);
    const text = await runCli(["scan"], { cwd: dir });
    expect(text.stdout).toContain("allowed inline: a.ts:2:12 lumenfall-key (revoked test key)");
  });

  it("config ignore globs are relative to the config file and match dotfiles", async () => {
    const key = makeKey();
    const dir = createDir({
      "lumenguard.config.json": '{ "ignore": ["test/fixtures/**", "**/*.snap"] }',
      "test/fixtures/.hidden/k.txt": key,
      "src/__snapshots__/a.snap": key,
      "src/a.ts": key,
    });
    const result = json((await runCli(["scan", "-f", "json"], { cwd: join(dir, "src") })).stdout);
    expect(result.findings.map((f) => f.file)).toEqual(["a.ts"]);
  });
});
