import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { OutsideWriteRootError, writeFileAtomic } from "../src/files.js";
import { applyChanges, validateChanges, type FileChange } from "../src/install/file-change.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * Every write lumenguard makes (init, scan --fix, --output, baseline) goes through one
 * function that never writes through a link: a repository can commit symbolic links at the
 * names lumenguard writes to, pointing anywhere on the machine.
 */

/** Every entry under `dir`: kind, mode and bytes (or link target), to prove nothing changed. */
function snapshot(dir: string): Record<string, string> {
  const entries: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      const stats = lstatSync(path);
      const name = relative(dir, path);
      if (stats.isSymbolicLink()) entries[name] = `link ${readlinkSync(path)}`;
      else if (stats.isDirectory()) {
        entries[name] = "dir";
        walk(path);
      } else entries[name] = `${(stats.mode & 0o777).toString(8)} ${readFileSync(path, "base64")}`;
    }
  };
  walk(dir);
  return entries;
}

/** A file outside the repository that a planted link points to. */
function outsideFile(content = "outside: must never change\n"): string {
  const file = join(createDir(), "victim");
  writeFileSync(file, content, { mode: 0o600 });
  return file;
}

const init = (cwd: string, args: string[] = []) => runCli(["init", ...args], { cwd, env: { LUMENGUARD_HOOK_COMMAND: "lumenguard" } });

function plainRepo(): string {
  const dir = createRepo({ committed: { "README.md": "x\n" } });
  git(dir, ["config", "--unset", "core.hooksPath"]);
  return dir;
}

describe("init refuses links and folders at the names it writes, and changes nothing at all", () => {
  it.each([
    [".gitignore is a link to a file outside", (dir: string, victim: string) => symlinkSync(victim, join(dir, ".gitignore")), "a symbolic link"],
    [".gitignore is a dangling link", (dir: string, victim: string) => symlinkSync(`${victim}-not-yet`, join(dir, ".gitignore")), "a symbolic link"],
    [".gitignore is a directory", (dir: string) => mkdirSync(join(dir, ".gitignore")), "a directory"],
    ["a hook name is a directory", (dir: string) => mkdirSync(join(dir, ".git/hooks/pre-push")), "a directory"],
  ])("%s: exit 2, the message names it, no hook half-installed", async (_, plant, what) => {
    const dir = plainRepo();
    const victim = outsideFile();
    plant(dir, victim);
    const before = snapshot(dir);
    const { code, stderr } = await init(dir);
    expect(code).toBe(2);
    expect(stderr).toContain(`lumenguard: init changed nothing: refusing to write ${dir}/`);
    expect(stderr).toContain(`it is ${what}, not a regular file`);
    expect(snapshot(dir)).toEqual(before);
    expect(readFileSync(victim, "utf8")).toBe("outside: must never change\n");
    expect(existsSync(`${victim}-not-yet`)).toBe(false);
  });

  it("husky: a .husky that is a link to a folder outside, or a .husky/pre-commit that is a link, is refused", async () => {
    for (const plant of ["folder", "file"] as const) {
      const dir = createRepo({ committed: { "package.json": '{ "devDependencies": { "husky": "9.1.7" } }\n' } });
      const outside = createDir({ "pre-commit": "outside hook\n" });
      if (plant === "folder") symlinkSync(outside, join(dir, ".husky"));
      else {
        mkdirSync(join(dir, ".husky"));
        symlinkSync(join(outside, "pre-commit"), join(dir, ".husky/pre-commit"));
      }
      const before = { repo: snapshot(dir), outside: snapshot(outside) };
      const { code, stderr } = await init(dir, ["--husky"]);
      expect(code, plant).toBe(2);
      expect(stderr).toContain("a symbolic link");
      expect({ repo: snapshot(dir), outside: snapshot(outside) }).toEqual(before);
    }
  });

  it("links planted at the temp names of old versions (<file>.lumenguard-<pid>.tmp) are never followed", async () => {
    const dir = plainRepo();
    const victim = outsideFile();
    for (let pid = process.pid - 50; pid <= process.pid + 50; pid++) symlinkSync(victim, join(dir, `.gitignore.lumenguard-${pid}.tmp`));
    expect((await init(dir)).code).toBe(0);
    expect(readFileSync(join(dir, ".gitignore"), "utf8")).toContain(".env*\n");
    expect(lstatSync(join(dir, ".gitignore")).isFile()).toBe(true);
    expect(readFileSync(victim, "utf8")).toBe("outside: must never change\n");
    expect(statSync(victim).mode & 0o777).toBe(0o600);
  });

  it("a user's hook that is a link is moved aside by rename (still a link, target untouched) and comes back on --uninstall", async () => {
    const dir = plainRepo();
    const script = join(createDir(), "shared-hook.sh");
    writeFileSync(script, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    symlinkSync(script, join(dir, ".git/hooks/pre-commit"));
    const before = snapshot(join(dir, ".git/hooks"));
    expect((await init(dir)).code).toBe(0);
    expect(readlinkSync(join(dir, ".git/hooks/pre-commit.lumenguard-chained"))).toBe(script);
    expect(lstatSync(join(dir, ".git/hooks/pre-commit")).isFile()).toBe(true);
    expect(readFileSync(script, "utf8")).toBe("#!/bin/sh\nexit 0\n");
    await init(dir, ["--uninstall"]);
    expect(snapshot(join(dir, ".git/hooks"))).toEqual(before);
  });

  it("existing bytes are never re-encoded: a Latin-1 .gitignore line survives byte for byte", async () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2f, 0x0a, 0x6e, 0x61, 0xef, 0x76, 0x65, 0x0a]); // "café/\nnaïve\n" in Latin-1
    const dir = plainRepo();
    writeFileSync(join(dir, ".gitignore"), latin1);
    await init(dir);
    const after = readFileSync(join(dir, ".gitignore"));
    expect(after.subarray(0, latin1.length).equals(latin1)).toBe(true);
    expect(after.subarray(latin1.length).toString("latin1")).toBe(
      "# Local env files hold API keys: never commit them (added by lumenguard)\n.env*\n!.env.example\n!.env.sample\n!.env.template\n!.env.dist\n",
    );
  });
});

describe("scan --fix, --output and baseline refuse links too", () => {
  it("scan --fix: a .gitignore that is a link is refused (exit 2), the outside file unchanged", async () => {
    const dir = createRepo({ committed: { "README.md": "x\n" } });
    writeFiles(dir, { ".env": "A=1\n" });
    const victim = outsideFile();
    symlinkSync(victim, join(dir, ".gitignore"));
    const { code, stderr } = await runCli(["scan", "--fix"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain("a symbolic link");
    expect(readFileSync(victim, "utf8")).toBe("outside: must never change\n");
  });

  it("--output to a link is refused (exit 2); to an existing 0600 file it keeps the mode", async () => {
    const dir = createRepo({ committed: { "a.js": `k = "${makeKey()}"\n` } });
    const victim = outsideFile();
    symlinkSync(victim, join(dir, "report.json"));
    const refused = await runCli(["scan", "--format", "json", "--output", "report.json"], { cwd: dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("refusing to write");
    expect(readFileSync(victim, "utf8")).toBe("outside: must never change\n");
    expect(statSync(victim).mode & 0o777).toBe(0o600);

    writeFileSync(join(dir, "private.json"), "{}", { mode: 0o600 });
    chmodSync(join(dir, "private.json"), 0o600);
    expect((await runCli(["scan", "--format", "json", "--output", "private.json"], { cwd: dir })).code).toBe(1);
    expect(statSync(join(dir, "private.json")).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, "private.json"), "utf8")).findings).toHaveLength(1);
  });

  it("baseline --output to a link is refused (exit 2)", async () => {
    const dir = createRepo({ committed: { "a.js": `k = "${makeKey()}"\n` } });
    const victim = outsideFile();
    symlinkSync(victim, join(dir, "baseline.json"));
    const { code } = await runCli(["baseline", "--output", "baseline.json"], { cwd: dir });
    expect(code).toBe(2);
    expect(readFileSync(victim, "utf8")).toBe("outside: must never change\n");
  });
});

describe("writeFileAtomic and applyChanges", () => {
  it("leaves no temp file behind, and writes bytes as given", () => {
    const dir = createDir();
    writeFileAtomic(join(dir, "a.bin"), Buffer.from([0, 0xff, 0xe9, 10]), { within: dir });
    expect(readdirSync(dir)).toEqual(["a.bin"]);
    expect([...readFileSync(join(dir, "a.bin"))]).toEqual([0, 0xff, 0xe9, 10]);
    expect(statSync(join(dir, "a.bin")).mode & 0o777).toBe(0o644);
  });

  it("a plan that fails half-way is undone: the files are as they were", () => {
    const dir = createDir({ "keep.txt": "old\n" });
    const changes: FileChange[] = [
      { action: "update", file: join(dir, "keep.txt"), content: Buffer.from("new\n"), note: "" },
      { action: "create", file: join(dir, "hook"), content: Buffer.from("#!/bin/sh\n"), executable: true, note: "" },
      // Fails: nothing to restore from.
      { action: "restore", file: join(dir, "pre-push"), chained: join(dir, "pre-push.lumenguard-chained"), note: "" },
    ];
    const before = snapshot(dir);
    expect(() => applyChanges(changes, { root: dir, gitDir: join(dir, ".git") })).toThrow(/ENOENT/);
    expect(snapshot(dir)).toEqual(before);
  });

  it("a plan never writes outside the work tree and the git directory: a target elsewhere is refused before anything is written", () => {
    const dir = createDir({ "keep.txt": "old\n" });
    const outside = createDir();
    const changes: FileChange[] = [
      { action: "update", file: join(dir, "keep.txt"), content: Buffer.from("new\n"), note: "" },
      { action: "create", file: join(outside, "pre-commit"), content: Buffer.from("#!/bin/sh\n"), executable: true, note: "" },
    ];
    const before = [snapshot(dir), snapshot(outside)];
    expect(() => validateChanges(changes, { root: dir, gitDir: join(dir, ".git") })).toThrow(OutsideWriteRootError);
    expect(() => applyChanges(changes, { root: dir, gitDir: join(dir, ".git") })).toThrow(OutsideWriteRootError);
    expect([snapshot(dir), snapshot(outside)]).toEqual(before);
  });
});
