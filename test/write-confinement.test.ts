import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { lumenguard } from "./helpers/process.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * Every file lumenguard writes stays where the command says — inside the repository, or below
 * the folder the user named on the command line — and is never reached through a link in any
 * folder on the way. A cloned repository writes its own config and may commit links, so
 * neither may send a write elsewhere on the machine (`"baseline": "../home/.bashrc"`, a
 * committed `reports -> /home/me`).
 */

/** A folder outside the repository with files that must never change. */
function victimHome(): { home: string; files: Record<string, string> } {
  const home = createDir();
  const files = { ".bashrc": "export PATH=~/bin:$PATH   # precious\n", authorized_keys: "ssh-ed25519 AAAA precious\n" };
  writeFiles(home, files);
  return { home, files };
}

function unchanged(home: string, files: Record<string, string>): void {
  expect(readdirSync(home).sort()).toEqual(Object.keys(files).sort());
  for (const [name, content] of Object.entries(files)) expect(readFileSync(join(home, name), "utf8"), name).toBe(content);
}

function repoWithKey(files: Record<string, string> = {}): string {
  return createRepo({ committed: { "fixture.py": `k = '${makeKey()}'\n`, ...files } });
}

describe("a baseline named by the repository's config stays inside the repository", () => {
  it("the attack as reported, through the real binary: `../home/.bashrc` is exit 2 naming the field, and the file is untouched", () => {
    const { home, files } = victimHome();
    const dir = repoWithKey();
    writeFileSync(join(dir, "lumenguard.config.json"), JSON.stringify({ baseline: relative(dir, join(home, ".bashrc")) }));
    const baseline = lumenguard(["baseline"], dir);
    expect(baseline.status).toBe(2);
    expect(baseline.stderr).toContain('lumenguard.config.json: "baseline" leads outside the repository');
    // Reading it is refused the same way: a scan does not read a file the repository picked elsewhere.
    const scan = lumenguard(["scan"], dir);
    expect(scan.status).toBe(2);
    expect(scan.stderr).toContain('"baseline" leads outside the repository');
    unchanged(home, files);
  });

  it.each([
    ["an absolute path", (home: string) => join(home, ".bashrc")],
    ["a path that climbs out and back in", (home: string) => `../${"../".repeat(8)}${home.slice(1)}/.bashrc`],
  ])("%s is exit 2 naming the field", async (_, path) => {
    const { home, files } = victimHome();
    const dir = repoWithKey({ "lumenguard.config.json": "{}\n" });
    writeFileSync(join(dir, "lumenguard.config.json"), JSON.stringify({ baseline: path(home) }));
    const { code, stderr } = await runCli(["baseline"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('"baseline" leads outside the repository');
    unchanged(home, files);
  });

  it("in package.json the field is named lumenguard.baseline", async () => {
    const { home, files } = victimHome();
    const dir = repoWithKey({ "package.json": JSON.stringify({ name: "x", lumenguard: { baseline: join(home, ".bashrc") } }) });
    const { code, stderr } = await runCli(["baseline"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('package.json: "lumenguard.baseline" leads outside the repository');
    unchanged(home, files);
  });

  it("a committed link to a folder outside, on the way to the baseline, is refused (exit 2); nothing is written anywhere", async () => {
    const { home, files } = victimHome();
    const dir = repoWithKey({ "lumenguard.config.json": JSON.stringify({ baseline: "state/baseline.json" }) });
    symlinkSync(home, join(dir, "state"));
    git(dir, ["add", "state"]);
    git(dir, ["commit", "-qm", "a link"]);
    const { code, stderr } = await runCli(["baseline"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain(`refusing to write below ${dir}/state: it is a symbolic link, not a real folder`);
    unchanged(home, files);
  });

  it("a baseline anywhere inside the repository is fine, also one a sub-package's config names at the root", async () => {
    const dir = repoWithKey({ "packages/app/lumenguard.config.json": JSON.stringify({ baseline: "../../.lumenguard-baseline.json" }), "packages/app/a.js": `k = "${makeKey()}"\n` });
    const app = join(dir, "packages/app");
    const { code } = await runCli(["baseline"], { cwd: app });
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, ".lumenguard-baseline.json"), "utf8")).entries).toHaveLength(1);
    expect((await runCli(["scan"], { cwd: app })).code).toBe(0);
  });

  it("a new folder for the baseline is made inside the repository", async () => {
    const dir = repoWithKey({ "lumenguard.config.json": JSON.stringify({ baseline: ".lumenguard/state/baseline.json" }) });
    expect((await runCli(["baseline"], { cwd: dir })).code).toBe(0);
    expect(lstatSync(join(dir, ".lumenguard/state")).isDirectory()).toBe(true);
    expect((await runCli(["scan"], { cwd: dir })).code).toBe(0);
  });
});

describe("--output, --report and baseline --output never write through a linked folder", () => {
  /** A repository with a key and a committed link `reports` to a folder outside it. */
  function linkedReports(): { dir: string; home: string; files: Record<string, string> } {
    const { home, files } = victimHome();
    const dir = repoWithKey();
    symlinkSync(home, join(dir, "reports"));
    git(dir, ["add", "reports"]);
    git(dir, ["commit", "-qm", "reports"]);
    return { dir, home, files };
  }

  it("the attack as reported, through the real binary: --output reports/authorized_keys is exit 2, the outside file untouched", () => {
    const { dir, home, files } = linkedReports();
    const result = lumenguard(["scan", "--format", "json", "--output", "reports/authorized_keys"], dir);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("it is a symbolic link, not a real folder");
    unchanged(home, files);
  });

  it.each([
    ["--output, relative", (dir: string) => ["scan", "--format", "json", "--output", "reports/new.json"]],
    ["--output, absolute", (dir: string) => ["scan", "--format", "json", "--output", join(dir, "reports/new.json")]],
    ["--output, through ./ and ..", (dir: string) => ["scan", "--format", "sarif", "--output", `./x/../reports/new.sarif`]],
    ["--report", (dir: string) => ["scan", "--report", "sarif=reports/new.sarif"]],
    ["baseline --output", (dir: string) => ["baseline", "--output", "reports/baseline.json"]],
    ["ci --report", (dir: string) => ["ci", "--report", "json=reports/new.json"]],
  ])("%s: exit 2, nothing written outside", async (_, args) => {
    const { dir, home, files } = linkedReports();
    const { code, stderr } = await runCli(args(dir), { cwd: dir, env: { GITHUB_ACTIONS: undefined, GITLAB_CI: undefined, CI: undefined } });
    expect(code, stderr).toBe(2);
    expect(stderr).toContain("not a real folder");
    unchanged(home, files);
  });

  it("scanning a repository from outside it: a path into the repository's linked folder is refused too", async () => {
    const { dir, home, files } = linkedReports();
    const parent = join(dir, "..");
    const name = dir.split("/").pop()!;
    const { code } = await runCli(["scan", name, "--format", "json", "--output", `${name}/reports/new.json`], { cwd: parent });
    expect(code).toBe(2);
    unchanged(home, files);
  });

  it("one refused report means no report is written: the others are checked first", async () => {
    const { dir, home, files } = linkedReports();
    const { code } = await runCli(["scan", "--report", "json=ok.json", "--report", "sarif=reports/new.sarif"], { cwd: dir });
    expect(code).toBe(2);
    expect(existsSync(join(dir, "ok.json"))).toBe(false);
    unchanged(home, files);
  });

  it("a folder the user names outside the repository is written to, and a missing folder inside is made", async () => {
    const { dir } = linkedReports();
    const out = createDir();
    expect((await runCli(["scan", "--format", "json", "--output", join(out, "r.json")], { cwd: dir })).code).toBe(1);
    expect(JSON.parse(readFileSync(join(out, "r.json"), "utf8")).findings).toHaveLength(1);
    expect((await runCli(["scan", "--format", "json", "--output", "out/deep/r.json"], { cwd: dir })).code).toBe(1);
    expect(lstatSync(join(dir, "out/deep")).isDirectory()).toBe(true);
    // A link the user made outside the repository, named as a folder: the user named it.
    const linked = join(createDir(), "linked");
    symlinkSync(out, linked);
    expect((await runCli(["scan", "--format", "json", "--output", join(linked, "via-link.json")], { cwd: dir })).code).toBe(1);
    expect(existsSync(join(out, "via-link.json"))).toBe(true);
  });
});

describe("$GITHUB_STEP_SUMMARY is appended to, never through a link", () => {
  it("a link at the summary's name is refused with a warning, the file it points to untouched", async () => {
    const { home, files } = victimHome();
    const dir = repoWithKey();
    const summary = join(createDir(), "summary.md");
    symlinkSync(join(home, "authorized_keys"), summary);
    const { code, stderr } = await runCli(["scan", "--format", "github"], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } });
    expect(code).toBe(1);
    expect(stderr).toContain("could not append to $GITHUB_STEP_SUMMARY: refusing to write");
    unchanged(home, files);
  });

  it("a FIFO at the summary's name does not block the scan", () => {
    const dir = repoWithKey();
    const summary = join(createDir(), "summary.md");
    execFileSync("mkfifo", [summary]);
    const result = lumenguard(["scan", "--format", "github"], dir, { env: { GITHUB_STEP_SUMMARY: summary }, timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("could not append to $GITHUB_STEP_SUMMARY");
  });

  it("a regular summary file gets the findings appended after what was there", async () => {
    const dir = repoWithKey();
    const summary = join(createDir(), "summary.md");
    writeFileSync(summary, "# earlier step\n");
    expect((await runCli(["scan", "--format", "github"], { cwd: dir, env: { GITHUB_STEP_SUMMARY: summary } })).code).toBe(1);
    const text = readFileSync(summary, "utf8");
    expect(text.startsWith("# earlier step\n")).toBe(true);
    expect(text.length).toBeGreaterThan("# earlier step\n".length);
  });
});

describe("init and key ages keep to their folders", () => {
  it("init: a hooks folder under .git that is a link to a folder outside is refused, nothing changes", async () => {
    const dir = createRepo({ committed: { "README.md": "x\n" } });
    git(dir, ["config", "--unset", "core.hooksPath"]);
    const outside = createDir();
    execFileSync("rm", ["-rf", join(dir, ".git/hooks")]);
    symlinkSync(outside, join(dir, ".git/hooks"));
    const { code, stderr } = await runCli(["init"], { cwd: dir, env: { LUMENGUARD_HOOK_COMMAND: "lumenguard" } });
    expect(code).toBe(2);
    expect(stderr).toContain(`git runs this repository's hooks from ${dir}/.git/hooks (through a symbolic link: ${realpathSync(outside)}), which is outside the repository`);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(dir, ".gitignore"))).toBe(false);
  });

  it("key ages: a lumenguard folder inside .git that is a link is not written through", async () => {
    const dir = createRepo({ committed: { "README.md": "x\n", ".gitignore": ".env\n", "lumenguard.config.json": JSON.stringify({ rotation: { maxAgeDays: 90 } }) } });
    writeFiles(dir, { ".env": `KEY=${makeKey()}\n` });
    const outside = createDir();
    mkdirSync(join(dir, ".git"), { recursive: true });
    symlinkSync(outside, join(dir, ".git/lumenguard"));
    const { stderr } = await runCli(["scan"], { cwd: dir });
    expect(stderr).toContain("symbolic link");
    expect(readdirSync(outside)).toEqual([]);
  });
});
