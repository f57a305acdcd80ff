import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { keyIdOf, lastFour, makeKey } from "./helpers/keys.js";
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

/** A repo whose PR branch adds a key (commit `leak`) and removes it again: clean tree, dirty history. */
function prRepo() {
  const repo = createRepo({ committed: { "README.md": "# app\n" } });
  const base = git(repo, ["rev-parse", "HEAD"]).trim();
  const key = makeKey();
  const leak = commitFile(repo, "src/a.ts", `k = "${key}"\n`);
  const head = commitFile(repo, "src/a.ts", "k = process.env.K\n");
  return { repo, base, head, key, leak };
}

/** The one finding a scan of prRepo's range must give: the key at src/a.ts:1:6, in the commit that added it, redacted. */
function expectPrLeak(report: { findings: unknown[] } | null, pr: { key: string; leak: string }): void {
  expect(report?.findings.map((f) => {
    const { ruleId, file, line, column, secret, commit } = f as { ruleId: string; file: string; line: number; column: number; secret?: { redacted: string }; commit?: { sha: string } };
    return { ruleId, file, line, column, redacted: secret?.redacted, commit: commit?.sha };
  })).toEqual([{ ruleId: "key-in-history", file: "src/a.ts", line: 1, column: 6, redacted: `lmnfl_${keyIdOf(pr.key)}.\u2026${lastFour(pr.key)}`, commit: pr.leak }]);
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
    const pr = prRepo();
    const { code, report, stdout } = await ci(pr.repo, { GITLAB_CI: "true", CI_MERGE_REQUEST_DIFF_BASE_SHA: pr.base, CI_COMMIT_SHA: pr.head });
    expect(code).toBe(1);
    expect(report.mode).toBe("ci");
    expect(report.stats.commits).toBe(2);
    expectPrLeak(report, pr);
    expect(stdout).not.toContain(pr.key);
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
    // In CI there is no commit to bypass: the exit-3 text says what to do in the job instead.
    expect(stderr).not.toContain("--no-verify");
    expect(stderr).toContain("In CI, lumenguard failed closed on purpose");
    const gitlab = await ci(clone, { GITLAB_CI: "true", CI_COMMIT_BEFORE_SHA: base, CI_COMMIT_SHA: head });
    expect(gitlab.code).toBe(3);
    expect(gitlab.stderr).toContain("GIT_DEPTH: 0");
    expect(gitlab.stderr).not.toContain("--no-verify");
  });

  it("a shallow clone holding base and head but not the commits between (fetch-depth: 2 of the merge commit) is exit 3 saying what to fetch", async () => {
    const key = makeKey();
    const up = createRepo({ committed: { "README.md": "base\n" } });
    git(up, ["checkout", "-q", "-b", "pr"]);
    commitFile(up, "a.py", `k = "${key}"\n`);
    git(up, ["rm", "-q", "a.py"]);
    git(up, ["commit", "-q", "-m", "remove again"]);
    const head = commitFile(up, "m.txt", "more\n");
    git(up, ["checkout", "-q", "main"]);
    const base = commitFile(up, "b.txt", "b\n");
    git(up, ["checkout", "-q", "--detach"]);
    git(up, ["merge", "-q", "--no-ff", "-m", "Merge pr", "pr"]);
    git(up, ["update-ref", "refs/pull/1/merge", "HEAD"]);
    git(up, ["checkout", "-q", "main"]);
    const clone = createRepo();
    git(clone, ["remote", "add", "origin", `file://${up}`]);
    git(clone, ["fetch", "-q", "--depth=2", "origin", "+refs/pull/1/merge:refs/remotes/pull/1/merge"]);
    git(clone, ["checkout", "-q", "refs/remotes/pull/1/merge"]);
    const event = join(createDir(), "event.json");
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base }, head: { sha: head } } }));
    const shallow = await runCli(["ci", "--format", "json"], { cwd: clone, env: { ...NO_CI, GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event } });
    expect(shallow.code).toBe(3);
    expect(JSON.parse(shallow.stdout).warnings).toEqual([expect.objectContaining({ code: "shallow-clone", incomplete: true })]);
    expect(shallow.stderr).toContain(`history stops at ${head.slice(0, 12)}`);
    expect(shallow.stderr).toContain("fetch-depth: 0");
    expect(shallow.stderr).toContain("git fetch --unshallow");
    expect(shallow.stderr).toContain("In CI: fetch what is missing in the job");
    expect(shallow.stderr).not.toContain("--no-verify");
    // Deep enough to hold the whole range: complete, and the key in it is found.
    git(clone, ["fetch", "-q", "--deepen=3", "origin", "+refs/pull/1/merge:refs/remotes/pull/1/merge"]);
    const deep = await ci(clone, { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: event });
    expect(deep.code).toBe(1);
    expect(deep.report.warnings).toEqual([]);
    expect(deep.report.findings.map((f: { file: string }) => f.file)).toEqual(["a.py"]);
  });

  it.each(["release", "workflow_run", "issue_comment", "repository_dispatch"])("GitHub event %s (no range lumenguard knows): a green step still shows a ::warning annotation saying the commits were not scanned and how to give --range", async (event) => {
    const pr = prRepo();
    const payload = join(createDir(), "event.json");
    writeFileSync(payload, JSON.stringify({ action: "published", repository: { default_branch: "main" } }));
    const env = { ...NO_CI, GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: event, GITHUB_EVENT_PATH: payload, GITHUB_SHA: pr.head };
    const github = await runCli(["ci", "--format", "github"], { cwd: pr.repo, env });
    expect(github.code).toBe(0);
    const annotation = github.stdout.split("\n").find((line) => line.startsWith("::warning "));
    expect(annotation).toContain(`the GitHub Actions event "${event}" gives no commit range`);
    expect(annotation).toContain("only the working tree was scanned, not the commits of this run");
    expect(annotation).toContain("--range BASE..HEAD");
    // Another format on stdout (json): the annotation goes to stderr, which the runner reads for workflow commands too.
    const json = await runCli(["ci", "--format", "json"], { cwd: pr.repo, env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).warnings).toEqual([expect.objectContaining({ code: "ci-no-range" })]);
    expect(json.stderr.split("\n").filter((line) => line.startsWith("::warning "))).toHaveLength(1);
    // Outside GitHub Actions, no workflow command is printed.
    const elsewhere = await runCli(["ci", "--format", "json"], { cwd: pr.repo, env: { ...env, GITHUB_ACTIONS: undefined } });
    expect(elsewhere.stderr).not.toContain("::warning");
    expect(elsewhere.stderr).toContain("lumenguard: warning: no pull request, push or schedule found");
  });

  it("outside a known CI: the working tree, with a warning naming --range; --range scans those commits", async () => {
    const pr = prRepo();
    const plain = await ci(pr.repo, {});
    expect(plain.code).toBe(0);
    expect(plain.report.warnings).toEqual([expect.objectContaining({ code: "ci-no-range" })]);
    const ranged = await ci(pr.repo, {}, ["--range", `${pr.base}..${pr.head}`]);
    expect(ranged.code).toBe(1);
    expectPrLeak(ranged.report, pr);
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

function eventFile(payload: unknown): string {
  const event = join(createDir(), "event.json");
  writeFileSync(event, JSON.stringify(payload));
  return event;
}

const github = (name: string, payload: unknown) => ({ GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: name, GITHUB_EVENT_PATH: eventFile(payload) });
type CiFinding = { ruleId: string; file: string; severity: string; messageId: string; data: Record<string, string | number>; commit?: { sha: string } };
const rules = (report: { findings: CiFinding[] }) => report.findings.map((f) => [f.ruleId, f.file]);

describe("lumenguard ci: every trigger says what it scanned", () => {
  it("a push whose `before` was force-pushed away, in a full clone: scanned as a new branch (everything on the default branch), never blamed on depth", async () => {
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    const leak = commitFile(repo, "b.js", `k = "${makeKey()}"\n`);
    const { code, report, stderr } = await ci(repo, github("push", { ref: "refs/heads/main", before: "1".padStart(40, "0"), after: leak, forced: true, repository: { default_branch: "main" } }));
    expect(code).toBe(1);
    expect(stderr).not.toContain("fetch-depth");
    expect(report.warnings.map((w: { code: string }) => w.code)).toEqual(["ci-force-push", "ci-scope"]);
    expect(report.stats.commits).toBe(2);
    expect(rules(report)).toEqual([["lumenfall-key", "b.js"]]);
  });

  it("a force-pushed feature branch in a full clone: only what is not on the default branch", async () => {
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    commitFile(repo, "old.js", `k = "${makeKey()}"\n`);
    commitFile(repo, "old.js", "gone\n");
    const remote = join(createDir(), "remote.git");
    git(repo, ["init", "-q", "--bare", remote]);
    git(repo, ["remote", "add", "origin", remote]);
    git(repo, ["push", "-q", "origin", "main"]);
    git(repo, ["fetch", "-q", "origin"]);
    git(repo, ["checkout", "-q", "-b", "feature"]);
    const head = commitFile(repo, "f.js", "clean\n");
    const { code, report } = await ci(repo, github("push", { ref: "refs/heads/feature", before: "2".repeat(40), after: head, forced: true, repository: { default_branch: "main" } }));
    expect(code).toBe(0);
    expect(report.stats.commits).toBe(1);
    expect(report.warnings.map((w: { message: string }) => w.message).join("\n")).toContain("not on main");
  });

  it("the same force-push in a shallow clone is exit 3 naming fetch-depth: 0", async () => {
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    commitFile(repo, "b.js", "y\n");
    const head = commitFile(repo, "c.js", "z\n");
    const clone = join(createDir(), "clone");
    git(repo, ["clone", "-q", "--depth", "1", `file://${repo}`, clone]);
    const { code, stderr } = await ci(clone, github("push", { ref: "refs/heads/main", before: "3".repeat(40), after: head, repository: { default_branch: "main" } }));
    expect(code).toBe(3);
    expect(stderr).toContain("fetch-depth: 0");
  });

  it("merge_group (GitHub's merge queue): base_sha..head_sha", async () => {
    const { repo, base, head } = prRepo();
    const { code, report } = await ci(repo, github("merge_group", { merge_group: { base_sha: base, head_sha: head }, repository: { default_branch: "main" } }));
    expect(code).toBe(1);
    expect(report.stats.commits).toBe(2);
    expect(rules(report)).toEqual([["key-in-history", "src/a.ts"]]);
  });

  it.each(["schedule", "workflow_dispatch"])("%s: every commit of every ref, and the report says so", async (name) => {
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    git(repo, ["checkout", "-q", "-b", "old"]);
    commitFile(repo, "k.js", `k = "${makeKey()}"\n`);
    git(repo, ["checkout", "-q", "main"]);
    const { code, report } = await ci(repo, github(name, { repository: { default_branch: "main" } }));
    expect(code).toBe(1);
    expect(rules(report)).toEqual([["key-in-history", "k.js"]]);
    expect(report.warnings).toEqual([expect.objectContaining({ code: "ci-scope", message: expect.stringContaining("every commit of every ref") })]);
  });

  it("GitLab merge train: CI_MERGE_REQUEST_TARGET_BRANCH_SHA..CI_COMMIT_SHA; scheduled pipelines: all of history", async () => {
    const pr = prRepo();
    const { repo, base, head } = pr;
    const train = await ci(repo, { GITLAB_CI: "true", CI_MERGE_REQUEST_EVENT_TYPE: "merge_train", CI_MERGE_REQUEST_TARGET_BRANCH_SHA: base, CI_MERGE_REQUEST_DIFF_BASE_SHA: head, CI_COMMIT_SHA: head });
    expect(train.code).toBe(1);
    expect(train.report.stats.commits).toBe(2);
    expectPrLeak(train.report, pr);
    const scheduled = await ci(repo, { GITLAB_CI: "true", CI_PIPELINE_SOURCE: "schedule", CI_COMMIT_SHA: head });
    expect(scheduled.code).toBe(1);
    expect(scheduled.report.stats.commits).toBe(3);
    expectPrLeak(scheduled.report, pr);
    expect(scheduled.report.warnings).toEqual([expect.objectContaining({ code: "ci-scope" })]);
  });

  it("from a subfolder of a monorepo: a key still in the tree is reported once, named from there", async () => {
    const repo = createRepo({ committed: { "packages/web/src/b.ts": "x\n" } });
    const base = git(repo, ["rev-parse", "HEAD"]).trim();
    commitFile(repo, "packages/web/src/app.ts", `const k = "${makeKey()}";\n`);
    const { code, report } = await ci(join(repo, "packages/web"), {}, ["--range", `${base}..HEAD`]);
    expect(code).toBe(1);
    expect(report.findings.map((f: CiFinding & { repoPath: string }) => [f.ruleId, f.file, f.repoPath])).toEqual([["lumenfall-key", "src/app.ts", "packages/web/src/app.ts"]]);
  });

  it("a key in a commit message of the range is reported", async () => {
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    const base = git(repo, ["rev-parse", "HEAD"]).trim();
    writeFileSync(join(repo, "b.ts"), "y\n");
    git(repo, ["add", "b.ts"]);
    git(repo, ["commit", "-q", "-m", `temp key ${makeKey()}`]);
    const { code, report } = await ci(repo, {}, ["--range", `${base}..HEAD`]);
    expect(code).toBe(1);
    expect(rules(report)).toEqual([["key-in-history", "<commit message>"]]);
  });

  it("ci PATH picks the repository that holds the path", async () => {
    const { repo, base, head } = prRepo();
    const { code, report } = await ci(createDir(), {}, [repo, "--range", `${base}..${head}`]);
    expect(code).toBe(1);
    expect(rules(report)).toEqual([["key-in-history", "src/a.ts"]]);
  });
});

describe("lumenguard ci: a pull request cannot switch the gate off", () => {
  /** main has `baseFiles`; the pull request adds a key and `prFiles`. */
  function pullRequest(baseFiles: Record<string, string>, prFiles: (key: string) => Record<string, string>) {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "# app\n", ...baseFiles } });
    const base = git(repo, ["rev-parse", "HEAD"]).trim();
    git(repo, ["checkout", "-q", "-b", "pr"]);
    for (const [path, content] of Object.entries({ "src/leak.ts": `k = "${key}"\n`, ...prFiles(key) })) {
      mkdirSync(join(repo, path, ".."), { recursive: true });
      writeFileSync(join(repo, path), content);
    }
    git(repo, ["add", "-A"]);
    git(repo, ["commit", "-q", "-m", "pr"]);
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    return { repo, base, head, key, event: github("pull_request", { pull_request: { base: { sha: base }, head: { sha: head } }, repository: { default_branch: "main" } }) };
  }

  it.each([
    ["ignore everything", { "lumenguard.config.json": '{ "ignore": ["**"] }' }, "added; fields ignore"],
    ["failOn none", { "lumenguard.config.json": '{ "failOn": "none" }' }, "added; fields failOn"],
    ["rules off", { ".lumenguardrc.json": '{ "rules": { "lumenfall-key": "off", "key-in-history": "off" } }' }, "added; fields rules"],
    ["package.json lumenguard key", { "package.json": '{ "name": "app", "lumenguard": { "ignore": ["src/**"] } }' }, "added; fields ignore"],
  ])("a pull request that adds a config (%s) is still scanned with the base's: its key fails the build", async (_, files, fields) => {
    const { repo, event, key } = pullRequest({}, () => files);
    const { code, report, stdout } = await ci(repo, event);
    expect(code).toBe(1);
    const settings = report.findings.filter((f: CiFinding) => f.ruleId === "scan-settings-changed");
    expect(settings).toEqual([expect.objectContaining({ severity: "info", messageId: "config", file: Object.keys(files)[0], data: expect.objectContaining({ fields }) })]);
    expect(report.findings.filter((f: CiFinding) => f.ruleId === "lumenfall-key").map((f: CiFinding) => f.file)).toEqual(["src/leak.ts"]);
    expect(stdout).not.toContain(key);
  });

  it("a pull request that adds its own key to the baseline: the base's baseline is used, and the change is shown", async () => {
    const { repo, base } = pullRequest({ "lumenguard.config.json": '{ "baseline": ".lumenguard-baseline.json" }', ".lumenguard-baseline.json": '{ "version": 1, "entries": [] }\n' }, () => ({}));
    // The pull request writes a baseline holding its key, as `lumenguard baseline` would.
    expect((await runCli(["baseline"], { cwd: repo })).code).toBe(0);
    git(repo, ["commit", "-qam", "accept my key"]);
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    const { code, report } = await ci(repo, github("pull_request", { pull_request: { base: { sha: base }, head: { sha: head } } }));
    expect(code).toBe(1);
    expect(report.findings.map((f: CiFinding) => [f.ruleId, f.severity, f.file])).toEqual([
      ["scan-settings-changed", "info", ".lumenguard-baseline.json"],
      ["lumenfall-key", "critical", "src/leak.ts"],
    ]);
    expect(report.findings[0].data).toEqual({ added: 1, removed: 0, base: base.slice(0, 12) });
    // Without review (a plain ci run), the baseline on disk accepts the key.
    expect((await ci(repo, {})).code).toBe(0);
  });

  it("a base config is honoured for the pull request (its ignore globs apply), and an untouched config shows no change", async () => {
    const { repo, event } = pullRequest({ "lumenguard.config.json": '{ "ignore": ["fixtures/**"] }' }, (key) => ({ "fixtures/sample.ts": `k = "${key}"\n` }));
    const { code, report } = await ci(repo, event);
    expect(code).toBe(1);
    expect(report.findings.map((f: CiFinding) => f.file)).toEqual(["src/leak.ts"]);
  });

  it("the base's own setting for scan-settings-changed holds (a severity, or off)", async () => {
    for (const [setting, expected] of [["low", ["low"]], ["off", []]] as const) {
      const { repo, event } = pullRequest({ "lumenguard.config.json": `{ "rules": { "scan-settings-changed": "${setting}" } }` }, () => ({ "lumenguard.config.json": `{ "rules": { "scan-settings-changed": "${setting}" }, "failOn": "none" }` }));
      const { report } = await ci(repo, event);
      expect(report.findings.filter((f: CiFinding) => f.ruleId === "scan-settings-changed").map((f: CiFinding) => f.severity), setting).toEqual(expected);
    }
  });

  it("once merged (a push to main), the new settings apply", async () => {
    const { repo, base, head } = pullRequest({}, () => ({ "lumenguard.config.json": '{ "ignore": ["src/**"] }' }));
    git(repo, ["checkout", "-q", "main"]);
    git(repo, ["merge", "-q", "--ff-only", "pr"]);
    const { code, report } = await ci(repo, github("push", { ref: "refs/heads/main", before: base, after: head, repository: { default_branch: "main" } }));
    expect(code).toBe(0);
    expect(report.findings).toEqual([]);
  });

  it("a GitHub pull request whose payload cannot be read is still a review: origin/$GITHUB_BASE_REF..HEAD with the base's settings, else exit 3", async () => {
    const { repo, key } = pullRequest({}, () => ({ "lumenguard.config.json": '{ "failOn": "none" }' }));
    git(repo, ["update-ref", "refs/remotes/origin/main", "main"]);
    // A container step that does not mount the runner's event file.
    const unreadable = { GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: "/github/workflow/event.json", GITHUB_HEAD_REF: "pr" };
    const { code, report, stdout } = await ci(repo, { ...unreadable, GITHUB_BASE_REF: "main" });
    expect(code).toBe(1);
    expect(report.findings.map((f: CiFinding) => [f.ruleId, f.file])).toEqual([
      ["scan-settings-changed", "lumenguard.config.json"],
      ["lumenfall-key", "src/leak.ts"],
    ]);
    expect(report.stats.commits).toBe(1);
    expect(stdout).not.toContain(key);
    for (const name of ["pull_request_target", "merge_group"]) expect((await ci(repo, { ...unreadable, GITHUB_EVENT_NAME: name, GITHUB_BASE_REF: "main" })).code, name).toBe(1);
    // Nothing names the base: exit 3, never a plain run.
    const unnamed = await ci(repo, unreadable);
    expect(unnamed.code).toBe(3);
    expect(unnamed.stderr).toContain("cannot be read and GITHUB_BASE_REF is not set");
    // The base branch was not fetched: exit 3 with the fetch.
    const unfetched = await ci(repo, { ...unreadable, GITHUB_BASE_REF: "release" });
    expect(unfetched.code).toBe(3);
    expect(unfetched.stderr).toContain("git fetch origin release");
    // What is checked out is the base itself (pull_request_target without a checkout of the change).
    git(repo, ["checkout", "-q", "main"]);
    const notHere = await ci(repo, { ...unreadable, GITHUB_EVENT_NAME: "pull_request_target", GITHUB_BASE_REF: "main" });
    expect(notHere.code).toBe(3);
    expect(notHere.stderr).toContain("is the base itself");
  });

  it("GitLab pipelines for external pull requests and merge request events are reviews with the base's settings", async () => {
    const { repo, base, head, key } = pullRequest({}, () => ({ "lumenguard.config.json": '{ "failOn": "none" }' }));
    const gitlab = { GITLAB_CI: "true", CI_COMMIT_SHA: head, CI_COMMIT_BEFORE_SHA: "0".repeat(40), CI_DEFAULT_BRANCH: "main", CI_COMMIT_BRANCH: "pr" };
    const external = await ci(repo, { ...gitlab, CI_PIPELINE_SOURCE: "external_pull_request_event", CI_EXTERNAL_PULL_REQUEST_TARGET_BRANCH_SHA: base, CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_SHA: head });
    expect(external.code).toBe(1);
    expect(external.report.findings.map((f: CiFinding) => f.ruleId)).toEqual(["scan-settings-changed", "lumenfall-key"]);
    expect(external.stdout).not.toContain(key);
    // A merge request event whose pipeline gives only the target branch's name.
    git(repo, ["update-ref", "refs/remotes/origin/main", "main"]);
    const named = await ci(repo, { ...gitlab, CI_PIPELINE_SOURCE: "merge_request_event", CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main" });
    expect(named.code).toBe(1);
    expect(named.report.findings.map((f: CiFinding) => f.ruleId)).toEqual(["scan-settings-changed", "lumenfall-key"]);
    // A merge request event that names no target at all: exit 3.
    const unnamed = await ci(repo, { ...gitlab, CI_PIPELINE_SOURCE: "merge_request_event" });
    expect(unnamed.code).toBe(3);
    expect(unnamed.stderr).toContain("the change under review cannot be told");
  });

  it("the reviewer sees the change in the text report, and it never fails the build alone", async () => {
    const { repo } = pullRequest({}, () => ({}));
    // A pull request that only edits the config: no key, so nothing fails.
    git(repo, ["rm", "-q", "src/leak.ts"]);
    writeFileSync(join(repo, "lumenguard.config.json"), '{ "failOn": "critical" }\n');
    git(repo, ["add", "-A"]);
    git(repo, ["commit", "-q", "--amend", "-m", "config only"]);
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    const base = git(repo, ["rev-parse", "main"]).trim();
    const outcome = await runCli(["ci"], { cwd: repo, env: { ...NO_CI, ...github("pull_request", { pull_request: { base: { sha: base }, head: { sha: head } } }) } });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain("lumenguard.config.json:1:1  INFO  scan-settings-changed");
    expect(outcome.stdout).toContain(`the scan used the version of ${base.slice(0, 12)}`);
  });
});

describe("lumenguard ci: content it must judge but cannot read fails closed", () => {
  /** The pull request branch of `origin`, cloned as actions/checkout does with `filter: blob:none` and `lfs: false`. */
  function partialClone(origin: string): string {
    git(origin, ["config", "uploadpack.allowFilter", "true"]);
    const clone = join(createDir(), "ci");
    git(origin, ["clone", "-q", "--filter=blob:none", "--no-checkout", `file://${origin}`, clone], { GIT_LFS_SKIP_SMUDGE: "1" });
    git(clone, ["checkout", "-q", "pr"], { GIT_LFS_SKIP_SMUDGE: "1" });
    git(clone, ["branch", "-q", "-f", "main", "origin/main"]);
    return clone;
  }

  it("a partial clone missing a blob of the range, and a Git LFS file whose content was not fetched: the report, then exit 3", async () => {
    const { createHash } = await import("node:crypto");
    const origin = createRepo({ committed: { README: "base\n" } });
    git(origin, ["checkout", "-q", "-b", "pr"]);
    commitFile(origin, "a.py", `k = "${makeKey()}"\n`);
    git(origin, ["rm", "-q", "a.py"]);
    git(origin, ["commit", "-q", "-m", "remove again"]);
    const content = `k = "${makeKey()}"\n`;
    const oid = createHash("sha256").update(content).digest("hex");
    writeFileSync(join(origin, ".gitattributes"), "keys.py filter=lfs diff=lfs merge=lfs -text\n");
    commitFile(origin, "keys.py", `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${content.length}\n`);
    const clone = partialClone(origin);
    const base = git(clone, ["rev-parse", "origin/main"]).trim();
    const head = git(clone, ["rev-parse", "HEAD"]).trim();
    const outcome = await runCli(["ci", "--format", "json"], { cwd: clone, env: { ...NO_CI, ...github("pull_request", { pull_request: { base: { sha: base }, head: { sha: head } } }) } });
    expect(outcome.code).toBe(3);
    const report = JSON.parse(outcome.stdout);
    expect(report.findings).toEqual([]);
    expect(report.warnings.map((w: { code: string; incomplete?: boolean }) => [w.code, w.incomplete])).toEqual(expect.arrayContaining([
      ["objects-missing", true],
      ["lfs-not-scanned", true],
    ]));
    // The tree and the commits both meet keys.py: said once.
    expect(report.warnings.filter((w: { code: string }) => w.code === "lfs-not-scanned")).toHaveLength(1);
    expect(outcome.stderr).toContain("exit 3: this gate could not read everything it had to judge");
  });

  it("a pull request that changes the config, in a partial clone lacking the base's version of it: exit 3 naming the file and the fetch, never the defaults", async () => {
    const origin = createRepo({ committed: { "README.md": "# app\n", "lumenguard.config.json": '{ "failOn": "low" }\n' } });
    git(origin, ["checkout", "-q", "-b", "pr"]);
    writeFileSync(join(origin, "src.ts"), `k = "${makeKey()}"\n`);
    writeFileSync(join(origin, "lumenguard.config.json"), '{ "failOn": "none" }\n');
    git(origin, ["add", "-A"]);
    git(origin, ["commit", "-q", "-m", "pr"]);
    const clone = partialClone(origin);
    const base = git(clone, ["rev-parse", "origin/main"]).trim();
    const event = github("pull_request", { pull_request: { base: { sha: base }, head: { sha: git(clone, ["rev-parse", "HEAD"]).trim() } } });
    const blob = git(clone, ["rev-parse", `${base}:lumenguard.config.json`]).trim();
    const unread = await runCli(["ci"], { cwd: clone, env: { ...NO_CI, ...event } });
    expect(unread.code).toBe(3);
    expect(unread.stderr).toContain(`lumenguard.config.json at ${base.slice(0, 12)} (blob ${blob.slice(0, 12)}) is not in this clone`);
    // The fetch the message names works, and then the base's settings judge the change.
    git(clone, ["cat-file", "blob", blob]);
    const { code, report } = await ci(clone, event);
    expect(code).toBe(1);
    expect(report.findings.map((f: CiFinding) => [f.ruleId, f.file])).toEqual([
      ["scan-settings-changed", "lumenguard.config.json"],
      ["lumenfall-key", "src.ts"],
    ]);
  });
});

describe("lumenguard ci: a pull request's own lumenguard-allow is shown to the reviewer", () => {
  /** main has `baseFiles`; the pull request's commits write each of `commits` in turn. */
  function pullRequest(baseFiles: Record<string, string>, commits: Array<Record<string, string | null>>) {
    const repo = createRepo({ committed: { "README.md": "# app\n", ...baseFiles } });
    const base = git(repo, ["rev-parse", "HEAD"]).trim();
    git(repo, ["checkout", "-q", "-b", "pr"]);
    for (const files of commits) {
      for (const [path, content] of Object.entries(files)) {
        if (content === null) git(repo, ["rm", "-q", path]);
        else {
          mkdirSync(join(repo, path, ".."), { recursive: true });
          writeFileSync(join(repo, path), content);
        }
      }
      git(repo, ["add", "-A"]);
      git(repo, ["commit", "-q", "-m", "pr"]);
    }
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    return { repo, base, head, event: github("pull_request", { pull_request: { base: { sha: base }, head: { sha: head } } }) };
  }
  const allows = (report: { findings: CiFinding[] }) =>
    report.findings.filter((f) => f.ruleId === "scan-settings-changed").map((f) => [f.messageId, f.file, f.severity, f.data["rule"], f.data["reason"]]);
  const allowed = (key: string, reason: string) => `const k = "${key}"; // lumenguard-allow: ${reason}\n`;

  it("a key the pull request allows in its own line: an info finding at the place, with the reason, as a notice and in the step summary; the build passes", async () => {
    const key = makeKey();
    const { repo, event, base } = pullRequest({}, [{ "client.js": allowed(key, "test fixture") }]);
    const { code, report, stdout } = await ci(repo, event);
    expect(code).toBe(0);
    expect(allows(report)).toEqual([["inlineAllow", "client.js", "info", "lumenfall-key", "test fixture"]]);
    expect(report.findings).toHaveLength(1);
    expect(report.findings[0].data.base).toBe(base.slice(0, 12));
    expect(report.stats.suppressed).toBeGreaterThan(0);
    const summary = join(createDir(), "summary.md");
    const annotated = await runCli(["ci", "--format", "github"], { cwd: repo, env: { ...NO_CI, ...event, GITHUB_STEP_SUMMARY: summary } });
    expect(annotated.code).toBe(0);
    expect(annotated.stdout).toMatch(/^::notice file=client\.js,line=1,.*title=scan-settings-changed.*::This change adds a lumenguard-allow that hides a lumenfall-key finding here \(reason: test fixture\)/m);
    expect(readFileSync(summary, "utf8")).toContain("| client.js:1:12 | info | scan-settings-changed | This change adds a lumenguard-allow that hides a lumenfall-key finding here \\(reason: test fixture\\)");
    for (const text of [stdout, annotated.stdout, readFileSync(summary, "utf8")]) expect(text).not.toContain(key);
  });

  it("an allow the base already has is not shown again when the pull request moves it; one the pull request adds and removes again in its commits is", async () => {
    const old = makeKey();
    const moved = pullRequest({ "fixtures/a.js": allowed(old, "documented fixture") }, [{ "fixtures/a.js": `// moved down\n${allowed(old, "documented fixture")}` }]);
    const kept = await ci(moved.repo, moved.event);
    expect(kept.code).toBe(0);
    expect(allows(kept.report)).toEqual([]);
    const gone = pullRequest({}, [{ "tmp.js": allowed(makeKey(), "just for now") }, { "tmp.js": null }]);
    const history = await ci(gone.repo, gone.event);
    expect(history.code).toBe(0);
    expect(allows(history.report)).toEqual([["inlineAllow", "tmp.js", "info", "key-in-history", "just for now"]]);
  });

  it("in a partial clone lacking the base's version of a file the pull request changes, that file's allows are shown, and only those", async () => {
    const old = makeKey();
    const origin = pullRequest({ "fixtures/a.js": allowed(old, "fixture a"), "fixtures/c.js": allowed(makeKey(), "fixture c") }, [{ "fixtures/a.js": `// moved\n${allowed(old, "fixture a")}`, "new.js": allowed(makeKey(), "new one") }]).repo;
    git(origin, ["config", "uploadpack.allowFilter", "true"]);
    const clone = join(createDir(), "ci");
    git(origin, ["clone", "-q", "--filter=blob:none", "--no-checkout", `file://${origin}`, clone]);
    git(clone, ["checkout", "-q", "pr"]);
    const base = git(clone, ["rev-parse", "origin/main"]).trim();
    const event = github("pull_request", { pull_request: { base: { sha: base }, head: { sha: git(clone, ["rev-parse", "HEAD"]).trim() } } });
    const { code, report } = await ci(clone, event);
    expect(code).toBe(0);
    expect(allows(report)).toEqual([
      ["inlineAllow", "fixtures/a.js", "info", "lumenfall-key", "fixture a"],
      ["inlineAllow", "new.js", "info", "lumenfall-key", "new one"],
    ]);
  });

  it("the base's setting for scan-settings-changed holds; a push (no review) shows nothing; a reason holding a key never shows it", async () => {
    const key = makeKey();
    const off = pullRequest({ "lumenguard.config.json": '{ "rules": { "scan-settings-changed": "medium" } }' }, [{ "a.js": allowed(key, "fixture") }]);
    expect(allows((await ci(off.repo, off.event)).report)).toEqual([["inlineAllow", "a.js", "medium", "lumenfall-key", "fixture"]]);
    git(off.repo, ["checkout", "-q", "main"]);
    writeFileSync(join(off.repo, "lumenguard.config.json"), '{ "rules": { "scan-settings-changed": "off" } }');
    git(off.repo, ["commit", "-qam", "off"]);
    git(off.repo, ["checkout", "-q", "pr"]);
    git(off.repo, ["rebase", "-q", "main"]);
    const rebased = github("pull_request", { pull_request: { base: { sha: git(off.repo, ["rev-parse", "main"]).trim() }, head: { sha: git(off.repo, ["rev-parse", "HEAD"]).trim() } } });
    expect(allows((await ci(off.repo, rebased)).report)).toEqual([]);
    const push = await ci(off.repo, github("push", { ref: "refs/heads/pr", before: git(off.repo, ["rev-parse", "main"]).trim(), after: git(off.repo, ["rev-parse", "HEAD"]).trim(), repository: { default_branch: "main" } }));
    expect(allows(push.report)).toEqual([]);
    const other = makeKey();
    const leaky = pullRequest({}, [{ "b.js": allowed(key, `rotated, old one was ${other}`) }]);
    const outcome = await ci(leaky.repo, leaky.event);
    expect(allows(outcome.report)).toHaveLength(1);
    expect(outcome.stdout).not.toContain(other);
    expect(outcome.stdout).not.toContain(key);
  });
});
