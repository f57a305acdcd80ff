import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { bin } from "./helpers/process.js";
import { createDir, createRepo, git, processEnv } from "./helpers/repo.js";

/**
 * A key accepted into the baseline is accepted in every mode — working tree, staged, pre-push,
 * history, ci — matched by fingerprint and the path from the repository root, with
 * `lumenfall-key`, `key-in-history` and `client-bundle-key` counting as one rule.
 */
const env = processEnv();

interface Report {
  findings: Array<{ ruleId: string; file: string }>;
  stats: { suppressed: number };
}

async function json(cwd: string, args: string[], extraEnv: Record<string, string | undefined> = {}) {
  const outcome = await runCli([...args, "--format", "json"], { cwd, env: { GITHUB_ACTIONS: undefined, GITLAB_CI: undefined, ...extraEnv } });
  return { code: outcome.code, report: JSON.parse(outcome.stdout) as Report, stderr: outcome.stderr };
}

/** A pushed repository whose key in `legacy.js` (and `pkg/old.js`) is accepted by a configured baseline. */
async function baselined() {
  const key = makeKey();
  const repo = createRepo({ committed: { "legacy.js": `const k = "${key}";\n`, "pkg/old.js": `const k = "${key}";\n` } });
  const origin = join(createDir(), "origin.git");
  git(repo, ["init", "-q", "--bare", origin]);
  git(repo, ["remote", "add", "origin", origin]);
  git(repo, ["push", "-q", "origin", "main"]);
  writeFileSync(join(repo, "lumenguard.config.json"), '{ "baseline": ".lumenguard-baseline.json" }\n');
  expect((await runCli(["baseline"], { cwd: repo })).code).toBe(0);
  git(repo, ["add", "-A"]);
  git(repo, ["commit", "-q", "-m", "baseline"]);
  return { repo, key };
}

describe("a baseline counts in every mode", () => {
  it("working tree, history and ci: the accepted key is suppressed, from the root and from a subfolder", async () => {
    const { repo } = await baselined();
    for (const [args, cwd] of [[["scan"], repo], [["scan", "--history"], repo], [["scan", "--history"], join(repo, "pkg")], [["ci", "--range", "HEAD~1..HEAD"], repo]] as const) {
      const { code, report } = await json(cwd, [...args]);
      expect(code, args.join(" ")).toBe(0);
      expect(report.findings, args.join(" ")).toEqual([]);
      expect(report.stats.suppressed, args.join(" ")).toBeGreaterThan(0);
    }
    const push = await json(repo, ["ci"], { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "schedule", GITHUB_EVENT_PATH: undefined });
    expect(push.code).toBe(0);
  });

  it("staged: a file the baseline accepted (untracked when it was written) can be committed", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "x\n" }, untracked: { "fixtures/sample.js": `const k = "${key}";\n` } });
    writeFileSync(join(repo, "lumenguard.config.json"), '{ "baseline": ".lumenguard-baseline.json" }\n');
    expect((await runCli(["baseline"], { cwd: repo })).code).toBe(0);
    git(repo, ["add", "-A"]);
    const { code, report } = await json(repo, ["scan", "--staged"]);
    expect(code).toBe(0);
    expect(report.stats.suppressed).toBe(1);
    // The same key at another path was not accepted.
    writeFileSync(join(repo, "src.js"), `const k = "${key}";\n`);
    git(repo, ["add", "src.js"]);
    expect((await json(repo, ["scan", "--staged"])).report.findings.map((f) => f.file)).toEqual(["src.js"]);
  });

  it("pre-push: a real push of a commit touching the baselined file passes, also to a fresh mirror; a new key is still blocked", async () => {
    const { repo } = await baselined();
    git(repo, ["config", "core.hooksPath", ".hooks"]);
    mkdirSync(join(repo, ".hooks"));
    writeFileSync(join(repo, ".hooks/pre-push"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" scan --pre-push "$@"\n`);
    chmodSync(join(repo, ".hooks/pre-push"), 0o755);
    writeFileSync(join(repo, "legacy.js"), `${"// touched\n"}${(await import("node:fs")).readFileSync(join(repo, "legacy.js"), "utf8")}`);
    git(repo, ["commit", "-qam", "touch"]);
    const push = (args: string[]) => spawnSync("git", ["push", ...args], { cwd: repo, env, encoding: "utf8" });
    expect(push(["origin", "main"]).status).toBe(0);
    const mirror = join(createDir(), "mirror.git");
    git(repo, ["init", "-q", "--bare", mirror]);
    git(repo, ["remote", "add", "mirror", mirror]);
    expect(push(["mirror", "main"]).status).toBe(0);
    writeFileSync(join(repo, "new.js"), `const k = "${makeKey()}";\n`);
    git(repo, ["add", "new.js"]);
    git(repo, ["commit", "-qm", "new key"]);
    const blocked = push(["origin", "main"]);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain("new.js");
    expect(blocked.stdout + blocked.stderr).not.toContain("legacy.js:");
  });
});
