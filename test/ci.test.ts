import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git } from "./helpers/repo.js";

/** `lumenguard ci`: the working tree plus the range of the CI run. */
const NO_CI = { GITHUB_ACTIONS: undefined, GITLAB_CI: undefined, GITHUB_EVENT_PATH: undefined, GITHUB_EVENT_NAME: undefined, CI_COMMIT_SHA: undefined };

function commitFile(repo: string, path: string, content: string): string {
  mkdirSync(join(repo, path, ".."), { recursive: true });
  writeFileSync(join(repo, path), content);
  git(repo, ["add", path]);
  git(repo, ["commit", "-q", "-m", `edit ${path}`]);
  return git(repo, ["rev-parse", "HEAD"]).trim();
}

/** A repo whose PR branch adds a key and removes it again: clean tree, dirty history. */
function prRepo() {
  const repo = createRepo({ committed: { "README.md": "# app\n" } });
  const base = git(repo, ["rev-parse", "HEAD"]).trim();
  commitFile(repo, "src/a.ts", `k = "${makeKey()}"\n`);
  const head = commitFile(repo, "src/a.ts", "k = process.env.K\n");
  return { repo, base, head };
}

const ci = async (cwd: string, env: Record<string, string | undefined>, argv: string[] = []) => {
  const outcome = await runCli(["ci", "--format", "json", ...argv], { cwd, env: { ...NO_CI, ...env } });
  return { ...outcome, report: outcome.code <= 1 ? JSON.parse(outcome.stdout) : null };
};

describe("lumenguard ci", () => {
  it("GitHub pull request: scans base..head from the event payload", async () => {
    const { repo, base, head } = prRepo();
    const event = join(createDir(), "event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base }, head: { sha: head } }, repository: { default_branch: "main" } }));
    const { code, report } = await ci(repo, { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event });
    expect(code).toBe(1);
    expect(report.mode).toBe("ci");
    expect(report.findings.map((f: { ruleId: string; file: string }) => [f.ruleId, f.file])).toEqual([["key-in-history", "src/a.ts"]]);
    expect(report.stats.commits).toBe(2);
  });

  it("GitHub push: before..after; a push that adds nothing risky passes", async () => {
    const { repo, head } = prRepo();
    const after = commitFile(repo, "b.ts", "export {};\n");
    const event = join(createDir(), "event.json");
    writeFileSync(event, JSON.stringify({ before: head, after }));
    const { code, report } = await ci(repo, { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_EVENT_PATH: event });
    expect(code).toBe(0);
    expect(report.stats.commits).toBe(1);
  });

  it("GitLab merge request pipeline: CI_MERGE_REQUEST_DIFF_BASE_SHA..CI_COMMIT_SHA", async () => {
    const { repo, base, head } = prRepo();
    const { code } = await ci(repo, { GITLAB_CI: "true", CI_MERGE_REQUEST_DIFF_BASE_SHA: base, CI_COMMIT_SHA: head });
    expect(code).toBe(1);
  });

  it("a key still in the tree is reported once, where it can be fixed", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    const base = git(repo, ["rev-parse", "HEAD"]).trim();
    const head = commitFile(repo, "a.ts", `k = "${key}"\n`);
    const { report } = await ci(repo, { GITLAB_CI: "true", CI_COMMIT_BEFORE_SHA: base, CI_COMMIT_SHA: head });
    expect(report.findings.map((f: { ruleId: string }) => f.ruleId)).toEqual(["lumenfall-key"]);
  });

  it("a shallow checkout that hides the range is exit 3 with the fix, never a vacuous pass", async () => {
    const { repo, base, head } = prRepo();
    const clone = join(createDir(), "clone");
    git(repo, ["clone", "-q", "--depth", "1", `file://${repo}`, clone]);
    const event = join(createDir(), "event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base }, head: { sha: head } } }));
    const { code, stderr } = await ci(clone, { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event });
    expect(code).toBe(3);
    expect(stderr).toContain("fetch-depth: 0");
    const gitlab = await ci(clone, { GITLAB_CI: "true", CI_COMMIT_BEFORE_SHA: base, CI_COMMIT_SHA: head });
    expect(gitlab.code).toBe(3);
    expect(gitlab.stderr).toContain("GIT_DEPTH: 0");
  });

  it("outside a known CI: the working tree, with a warning naming --range; --range scans those commits", async () => {
    const { repo, base, head } = prRepo();
    const plain = await ci(repo, {});
    expect(plain.code).toBe(0);
    expect(plain.report.warnings).toEqual([expect.objectContaining({ code: "ci-no-range" })]);
    expect((await ci(repo, {}, ["--range", `${base}..${head}`])).code).toBe(1);
  });

  it("a new branch push scans the commits that are not on the default branch", async () => {
    const { repo } = prRepo();
    const remote = join(createDir(), "remote.git");
    git(repo, ["init", "-q", "--bare", remote]);
    git(repo, ["remote", "add", "origin", remote]);
    git(repo, ["push", "-q", "origin", "main"]);
    git(repo, ["fetch", "-q", "origin"]);
    git(repo, ["checkout", "-q", "-b", "feature"]);
    const after = commitFile(repo, "f.ts", `k = "${makeKey()}"\n`);
    commitFile(repo, "f.ts", "k = 1\n");
    const event = join(createDir(), "event.json");
    writeFileSync(event, JSON.stringify({ before: "0".repeat(40), after: git(repo, ["rev-parse", "HEAD"]).trim(), repository: { default_branch: "main" } }));
    const { code, report } = await ci(repo, { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_EVENT_PATH: event });
    expect(code).toBe(1);
    expect(report.stats.commits).toBe(2);
    expect(report.findings[0].commit.sha).toBe(after);
  });
});
