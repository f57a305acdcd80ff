import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { scan } from "../src/index.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, withoutGitOverrides } from "./helpers/repo.js";

const env = withoutGitOverrides(process.env);
const files = async (cwd: string, paths?: string[]) =>
  (await scan({ cwd, mode: { kind: "worktree", paths }, env })).findings.map((finding) => finding.file).sort();

describe("working tree inside git", () => {
  it("reads tracked and untracked-not-ignored files, not ignored ones", async () => {
    const key = makeKey();
    const repo = createRepo({
      committed: { "tracked.ts": key, ".gitignore": "*.log\nbuild/\n", "sub/.gitignore": "!keep.log\n" },
      staged: { "staged.ts": key },
      untracked: { "untracked.ts": key, "debug.log": key, "build/out.js": key, "sub/keep.log": key },
    });
    expect(await files(repo)).toEqual(["staged.ts", "sub/keep.log", "tracked.ts", "untracked.ts"]);
  });

  it("honours .git/info/exclude and core.excludesFile, as git does", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": "" }, untracked: { "local.txt": key, "global.txt": key } });
    writeFileSync(join(repo, ".git/info/exclude"), "local.txt\n");
    const excludes = join(createDir({ ignore: "global.txt\n" }), "ignore");
    git(repo, ["config", "core.excludesFile", excludes]);
    expect(await files(repo)).toEqual([]);
  });

  it("a subdirectory scan lists only that subdirectory, relative to it", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a/x.ts": key, "b/y.ts": key } });
    expect(await files(repo, ["a"])).toEqual(["x.ts"]);
  });

  it("does not follow symlinks out of the repository", async () => {
    const outside = createDir({ "secret.txt": makeKey() });
    const repo = createRepo({ committed: { "a.ts": "" } });
    symlinkSync(join(outside, "secret.txt"), join(repo, "link.txt"));
    symlinkSync(outside, join(repo, "linkdir"));
    git(repo, ["add", "-A"]);
    expect(await files(repo)).toEqual([]);
  });

  it("a tracked file deleted from the worktree is not an error", async () => {
    const repo = createRepo({ committed: { "a.ts": "x", "b.ts": makeKey() } });
    git(repo, ["rm", "-q", "--cached", "a.ts"]);
    const result = await scan({ cwd: repo, env });
    expect(result.warnings).toEqual([]);
    expect(result.findings).toHaveLength(1);
  });

  it("ignores GIT_DIR and GIT_INDEX_FILE left by a calling hook", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "a.ts": key } });
    const other = createRepo({ committed: { "b.ts": "" } });
    const hookEnv = { ...env, GIT_DIR: join(other, ".git"), GIT_INDEX_FILE: join(other, ".git/index") };
    const result = await scan({ cwd: repo, env: hookEnv });
    expect(result.findings.map((f) => f.file)).toEqual(["a.ts"]);
  });

  it("names with spaces, newlines, brackets and unicode", async () => {
    const key = makeKey();
    const names = ["with space.ts", "new\nline.ts", "[id]/page.tsx", "(group)/x.ts", "ünï/çødé.ts", "-leading.ts"];
    const repo = createRepo({ committed: Object.fromEntries(names.map((name) => [name, key])) });
    expect(await files(repo)).toEqual([...names].sort());
  });
});

describe("large trees are read on several threads", () => {
  it("finds the same keys, once each, with one thread or several", async () => {
    const keys = Array.from({ length: 40 }, () => makeKey());
    const files: Record<string, string> = {};
    for (let i = 0; i < 900; i++) files[`pkg${i % 7}/dir${i % 13}/file${i}.ts`] = i % 23 === 0 ? `export const k = "${keys[i % 40]}";\n` : `export const x${i} = ${i};\n`;
    files["big/bundle.min.js"] = `${"a=1;".repeat(700_000)}k="${keys[0]}";`;
    const repo = createRepo({ committed: files });
    const single = await scan({ cwd: repo, env, jobs: 1 });
    const threaded = await scan({ cwd: repo, env, jobs: 3 });
    expect(single.findings.length).toBe(Object.values(files).filter((text) => text.includes("lmnfl_")).length);
    expect(threaded.findings).toEqual(single.findings);
    expect(threaded.stats.files).toBe(901);
    expect(threaded.stats.bytes).toBe(single.stats.bytes);
  });
});

describe("working tree outside git", () => {
  it("walks, skipping .git and node_modules, honouring nested .gitignore files with negations", async () => {
    const key = makeKey();
    const dir = createDir({
      "a.ts": key,
      ".gitignore": "*.log\ngenerated/\n",
      "debug.log": key,
      "generated/x.ts": key,
      "node_modules/pkg/index.js": key,
      "pkg/.gitignore": "!important.log\nlocal/\n",
      "pkg/important.log": key,
      "pkg/local/x.ts": key,
      "pkg/src/b.ts": key,
    });
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git/config"), key);
    expect(await files(dir)).toEqual(["a.ts", "pkg/important.log", "pkg/src/b.ts"]);
  });

  it("reports an empty folder as an empty scan, exit 0 (empty by nature)", async () => {
    const result = await scan({ cwd: createDir(), env });
    expect(result.stats.files).toBe(0);
    expect(result.findings).toEqual([]);
  });

  it("a folder whose own .gitignore says * (build output, an unpacked release) is not a silent empty scan: a warning says nothing was read", async () => {
    const dir = createDir({ "release/.gitignore": "*\n", "release/config.js": `export const KEY = "${makeKey()}";\n` });
    const result = await scan({ cwd: join(dir, "release"), env });
    expect(result.stats.files).toBe(0);
    expect(result.warnings.map((warning) => warning.message)).toContainEqual(expect.stringMatching(/every file there is ignored by its \.gitignore files \(2 left out\), so nothing was scanned/));
    // A folder where something is left to scan says nothing of the kind.
    const partly = createDir({ ".gitignore": "*.log\n", "a.log": "x", "b.ts": "x" });
    expect((await scan({ cwd: partly, env })).warnings).toEqual([]);
  });
});

describe("explicit paths, the way lint-staged passes them", () => {
  it("takes absolute paths with [ ( literally, without globbing", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "app/[id]/page.tsx": key, "app/i/page.tsx": key, "app/(shop)/a*.ts": key } });
    const paths = [join(repo, "app/[id]/page.tsx"), join(repo, "app/(shop)/a*.ts")];
    const result = await scan({ cwd: repo, mode: { kind: "worktree", paths }, env });
    expect(result.findings.map((f) => f.file)).toEqual(paths.sort());
  });

  it("scans an explicit file even when git ignores it", async () => {
    const repo = createRepo({ committed: { ".gitignore": "secret.txt\n" }, untracked: { "secret.txt": makeKey() } });
    expect(await files(repo, ["secret.txt"])).toEqual(["secret.txt"]);
  });

  it("still applies the config's ignore globs to explicit files", async () => {
    const repo = createRepo({ committed: { "lumenguard.config.json": '{"ignore":["fixtures/**"]}', "fixtures/k.txt": makeKey() } });
    expect(await files(repo, [join(repo, "fixtures/k.txt")])).toEqual([]);
  });

  it("a file listed twice is scanned once", async () => {
    const repo = createRepo({ committed: { "a.ts": makeKey() } });
    const result = await scan({ cwd: repo, mode: { kind: "worktree", paths: ["a.ts", join(repo, "a.ts"), "."] }, env });
    expect(result.findings).toHaveLength(1);
  });
});
