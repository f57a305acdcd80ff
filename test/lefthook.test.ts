import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { npmInstall, packedLumenguard, run } from "./helpers/installs.js";
import { makeKey } from "./helpers/keys.js";
import { runCli } from "./helpers/cli.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * `lumenguard init` with lefthook: lefthook.yml edited through the yaml library's Document API.
 * Files the library prints back as they are come back from `--uninstall` byte for byte; a file
 * it re-prints (mixed indentation steps) keeps its data and every comment. The last test runs
 * the real lefthook (npm package, pinned) on a real commit and push.
 */
const init = (cwd: string, args: string[] = []) => runCli(["init", ...args], { cwd, env: { LUMENGUARD_HOOK_COMMAND: "lumenguard-fake" } });
const M = "# lumenguard (added by lumenguard init)";

describe("lumenguard init: lefthook.yml through the yaml Document API", () => {
  const twoSpacesCrlf = [
    "# Our hooks",
    "pre-commit:",
    "  parallel: true",
    "  commands:",
    "    # keep lint first",
    "    lint:",
    "      run: npx eslint {staged_files}",
    "",
    "commit-msg:",
    "  commands:",
    "    commitlint:",
    "      run: npx commitlint --edit {1}",
    "",
  ].join("\r\n");

  it("adds both commands, keeps comments and CRLF, and --uninstall gives the file back byte for byte", async () => {
    const dir = createRepo({ committed: { "lefthook.yml": twoSpacesCrlf } });
    expect((await init(dir)).code).toBe(0);
    const installed = readFileSync(join(dir, "lefthook.yml"), "utf8");
    expect(installed).toBe(
      [
        "# Our hooks",
        "pre-commit:",
        "  parallel: true",
        "  commands:",
        "    # keep lint first",
        "    lint:",
        "      run: npx eslint {staged_files}",
        `    lumenguard: ${M}`,
        `      run: lumenguard_rc="\${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh"; if [ -f "$lumenguard_rc" ]; then . "$lumenguard_rc"; fi; lumenguard-fake scan --staged`,
        "",
        "commit-msg:",
        "  commands:",
        "    commitlint:",
        "      run: npx commitlint --edit {1}",
        `pre-merge-commit: ${M}`,
        "  commands:",
        "    lumenguard:",
        `      run: lumenguard_rc="\${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh"; if [ -f "$lumenguard_rc" ]; then . "$lumenguard_rc"; fi; lumenguard-fake scan --staged`,
        `pre-push: ${M}`,
        "  commands:",
        "    lumenguard:",
        `      run: lumenguard_rc="\${XDG_CONFIG_HOME:-$HOME/.config}/husky/init.sh"; if [ -f "$lumenguard_rc" ]; then . "$lumenguard_rc"; fi; lumenguard-fake scan --pre-push {1} {2}`,
        "      use_stdin: true",
        "",
      ].join("\r\n"),
    );
    const again = await init(dir);
    expect(again.stdout).toMatch(/unchanged +lefthook\.yml/);
    expect((await init(dir, ["--uninstall"])).code).toBe(0);
    expect(readFileSync(join(dir, "lefthook.yml"), "utf8")).toBe(twoSpacesCrlf);
  });

  it.each([
    ["four-space indentation", "pre-commit:\n    commands:\n        lint:\n            run: eslint {staged_files}\n"],
    ["a hook with jobs and no commands", "pre-push:\n  jobs:\n    - run: npm test\n"],
    ["sequences at the key's indentation", "pre-push:\n  jobs:\n  - run: npm test\n  - run: npm run lint\n"],
    ["an empty hook", "pre-commit:\n"],
    ["an empty commands mapping", "pre-commit:\n  commands: {}\n"],
    ["quoted keys and a document marker", '---\n"pre-commit":\n  parallel: false\n  commands:\n    "lint":\n      run: eslint\n'],
  ])("%s: install then --uninstall is byte for byte", async (_, original) => {
    const dir = createRepo({ committed: { "lefthook.yml": original } });
    expect((await init(dir)).code).toBe(0);
    const data = parse(readFileSync(join(dir, "lefthook.yml"), "utf8")) as Record<string, { commands: Record<string, { run: string }> }>;
    expect(data["pre-commit"]?.commands["lumenguard"]?.run).toContain("lumenguard-fake scan --staged");
    expect(data["pre-push"]?.commands["lumenguard"]?.run).toContain("lumenguard-fake scan --pre-push {1} {2}");
    await init(dir, ["--uninstall"]);
    expect(readFileSync(join(dir, "lefthook.yml"), "utf8")).toBe(original);
  });

  it("a file the library re-prints (mixed indentation steps): --uninstall gives back the same data and every comment", async () => {
    // The yaml printer uses one indentation step per file; this file mixes 2 and 4.
    const original = "# top\npre-commit:\n    commands:\n        lint: # why\n          run: eslint\nlist:\n  - a # first\n";
    const dir = createRepo({ committed: { "lefthook.yml": original } });
    await init(dir);
    await init(dir, ["--uninstall"]);
    const restored = readFileSync(join(dir, "lefthook.yml"), "utf8");
    expect(parse(restored)).toEqual(parse(original));
    for (const comment of ["# top", "# why", "# first"]) expect(restored).toContain(comment);
  });

  it("leaves a lumenguard command the user wrote alone, on install and on --uninstall", async () => {
    const original = "pre-commit:\n  commands:\n    lumenguard:\n      run: my own\n";
    const dir = createRepo({ committed: { "lefthook.yml": original } });
    const { stdout } = await init(dir);
    expect(stdout).toContain("pre-commit.commands.lumenguard is already there (yours): left alone");
    await init(dir, ["--uninstall"]);
    expect(readFileSync(join(dir, "lefthook.yml"), "utf8")).toBe(original);
  });

  it("refuses an inline hook mapping, and a file that is not YAML, changing nothing", async () => {
    for (const original of ["pre-commit: { commands: { lint: { run: x } } }\n", "pre-commit:\n  - : :\n\t- bad\n"]) {
      const dir = createRepo({ committed: { "lefthook.yml": original } });
      const { code } = await init(dir);
      expect(code).toBe(3);
      expect(readFileSync(join(dir, "lefthook.yml"), "utf8")).toBe(original);
    }
  });

  it("--lefthook without a lefthook.yml creates one, and --uninstall deletes it", async () => {
    const dir = createRepo({ committed: { "README.md": "x\n" } });
    await init(dir, ["--lefthook"]);
    expect(readFileSync(join(dir, "lefthook.yml"), "utf8").split("\n")[0]).toBe("# lumenguard: file created by lumenguard init; lumenguard init --uninstall deletes it");
    await init(dir, ["--uninstall"]);
    expect(existsSync(join(dir, "lefthook.yml"))).toBe(false);
  });
});

describe("lefthook for real (npm lefthook 2.2.1)", () => {
  it("init's commands run on a real commit and push, and block a key in each", () => {
    const dir = createRepo({ committed: { "package.json": '{ "name": "app", "private": true }\n', ".gitignore": "node_modules/\n" } });
    git(dir, ["config", "--unset", "core.hooksPath"]);
    npmInstall(dir, ["-D", packedLumenguard(), "lefthook@2.2.1"], { CI: "true" });
    writeFiles(dir, { "lefthook.yml": "# team hooks\npre-commit:\n  commands:\n    hello:\n      run: echo hello\n" });
    expect(run("node_modules/.bin/lumenguard", ["init"], dir).status).toBe(0);
    const install = run("node_modules/.bin/lefthook", ["install"], dir);
    expect(install.status, install.stderr).toBe(0);
    git(dir, ["add", "-A"]);
    expect(run("git", ["commit", "-q", "-m", "hooks"], dir).status).toBe(0);

    const key = makeKey();
    writeFiles(dir, { "a.js": `const k = "${key}";\n` });
    git(dir, ["add", "a.js"]);
    const blocked = run("git", ["commit", "-m", "leak"], dir);
    expect(blocked.status).not.toBe(0);
    expect(blocked.stdout + blocked.stderr).toContain("lumenfall-key");

    git(dir, ["commit", "-q", "--no-verify", "-m", "leak anyway"]);
    const remote = createDir();
    git(remote, ["init", "-q", "--bare"]);
    git(dir, ["remote", "add", "origin", remote]);
    const push = run("git", ["push", "origin", "main"], dir);
    expect(push.status).not.toBe(0);
    expect(push.stdout + push.stderr).toContain("key-in-history");
    expect(git(remote, ["branch", "--list"])).toBe("");
  });
});
