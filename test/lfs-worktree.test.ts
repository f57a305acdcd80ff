import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git } from "./helpers/repo.js";
import { buildZip } from "./helpers/zip.js";

/**
 * Git LFS files in the working tree: a checkout that did not fetch LFS content (actions/checkout's
 * default `lfs: false`, `GIT_LFS_SKIP_SMUDGE=1`, a machine without git-lfs) holds the pointer
 * (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md), while the content — and a key in
 * it — goes to the LFS server. The pointer and the local store are written here as git-lfs
 * writes them, so the tests run where git-lfs is not installed.
 */
function pointerOf(content: string | Buffer) {
  const oid = createHash("sha256").update(content).digest("hex");
  return { oid, text: `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${Buffer.byteLength(content)}\n` };
}

/** Puts `content` in the LFS store of the repository whose common git directory is `gitDir`. */
function store(gitDir: string, content: string | Buffer): string {
  const { oid } = pointerOf(content);
  const dir = join(gitDir, "lfs/objects", oid.slice(0, 2), oid.slice(2, 4));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, oid), content);
  return oid;
}

const json = async (cwd: string, argv: string[], env: NodeJS.ProcessEnv = {}, stdin?: string) => {
  const outcome = await runCli(["--format", "json", ...argv], { cwd, env: { GITHUB_ACTIONS: undefined, GITLAB_CI: undefined, CI: undefined, ...env }, ...(stdin === undefined ? {} : { stdin }) });
  return { ...outcome, report: JSON.parse(outcome.stdout) as { findings: Array<{ ruleId: string; file: string; line: number; column: number }>; warnings: Array<{ code: string; file?: string; incomplete?: boolean }> } };
};
const where = (report: { findings: Array<{ ruleId: string; file: string; line: number; column: number }> }) => report.findings.map((f) => [f.ruleId, f.file, f.line, f.column]);

describe("Git LFS pointers in the working tree", () => {
  // Below 64 files every file is read; above, git grep chooses what to read: both must read pointers.
  it.each([["a small tree", 0], ["a tree large enough for the literal search", 80]])("%s: the content is scanned from the local LFS store under the file's name; absent content is a warning, and exit 3 in ci", async (_, filler) => {
    const key = makeKey();
    const content = `-- dump\ninsert into keys values ('${key}');\n`;
    const absent = `other ${makeKey()}\n`;
    const files: Record<string, string> = { "data/dump.sql": pointerOf(content).text, "data/absent.sql": pointerOf(absent).text, ".gitattributes": "*.sql filter=lfs diff=lfs merge=lfs -text\n" };
    for (let i = 0; i < filler; i++) files[`src/f${i}.ts`] = `export const x${i} = ${i};\n`;
    const repo = createRepo({ committed: files });
    store(join(repo, ".git"), content);

    const plain = await json(repo, ["scan"]);
    expect(plain.code).toBe(1);
    expect(where(plain.report)).toEqual([["lumenfall-key", "data/dump.sql", 2, 27]]);
    expect(plain.report.warnings).toEqual([expect.objectContaining({ code: "lfs-not-scanned", file: "data/absent.sql", incomplete: true })]);
    expect(plain.stdout + plain.stderr).not.toContain(key);

    // Without the key, a plain scan warns and passes; ci (a gate) fails closed after its report.
    store(join(repo, ".git"), "nothing here\n");
    writeFileSync(join(repo, "data/dump.sql"), pointerOf("nothing here\n").text);
    git(repo, ["commit", "-qam", "no key"]);
    const quiet = await json(repo, ["scan"]);
    expect(quiet.code).toBe(0);
    expect(quiet.report.warnings.map((w) => [w.code, w.file])).toEqual([["lfs-not-scanned", "data/absent.sql"]]);
    const gate = await json(repo, ["ci"]);
    expect(gate.code).toBe(3);
    expect(gate.report.warnings.map((w) => [w.code, w.file])).toEqual(expect.arrayContaining([["lfs-not-scanned", "data/absent.sql"]]));
    expect(gate.stderr).toContain("exit 3: this gate could not read everything it had to judge");
  });

  it("files named on the command line (lint-staged, the pre-commit framework) and an archive kept in LFS", async () => {
    const key = makeKey();
    const zip = buildZip([{ name: "config/app.env", plain: Buffer.from(`LUMENFALL_API_KEY=${key}\n`) }]);
    const repo = createRepo({ committed: { "assets/bundle.zip": pointerOf(zip).text, "notes.txt": pointerOf(`see ${key}\n`).text } });
    store(join(repo, ".git"), zip);
    store(join(repo, ".git"), `see ${key}\n`);
    const named = await json(repo, ["scan", "--", "assets/bundle.zip", "notes.txt"]);
    expect(named.code).toBe(1);
    expect(named.report.findings.map((f) => f.file).sort()).toEqual(["assets/bundle.zip!config/app.env", "notes.txt"]);
    expect(named.report.warnings).toEqual([]);
    // The zip's content gone from the store: the archive is named, its pointer still scanned.
    const other = createRepo({ committed: { "assets/bundle.zip": pointerOf(zip).text } });
    const gone = await json(other, ["scan"]);
    expect(gone.code).toBe(0);
    expect(gone.report.warnings.map((w) => [w.code, w.file])).toEqual([["lfs-not-scanned", "assets/bundle.zip"]]);
  });

  it("the pointer's own text is scanned too (what git commits and pushes): a key on an extra line of a pointer whose content is stored is found in the working tree, a named file, an archive kept in LFS, --staged, --history and --pre-push", async () => {
    const [contentKey, pointerKey, zipPointerKey] = [makeKey(), makeKey(), makeKey()];
    const content = `k=${contentKey}\n`;
    const zip = buildZip([{ name: "readme.txt", plain: Buffer.from("nothing here\n") }]);
    // git-lfs ignores keys it does not know (the spec allows extension lines before `oid`); the text is still in git.
    const withExtra = (text: string, key: string) => text.replace("\noid ", `\nx-deploy-key ${key}\noid `);
    const repo = createRepo({ committed: { "README.md": "x\n" } });
    const remote = join(createDir(), "remote.git");
    git(repo, ["init", "-q", "--bare", remote]);
    git(repo, ["remote", "add", "origin", remote]);
    git(repo, ["push", "-q", "origin", "main"]);
    const base = git(repo, ["rev-parse", "HEAD"]).trim();
    store(join(repo, ".git"), content);
    store(join(repo, ".git"), zip);
    writeFileSync(join(repo, "model.bin"), withExtra(pointerOf(content).text, pointerKey));
    writeFileSync(join(repo, "assets.zip"), withExtra(pointerOf(zip).text, zipPointerKey));
    // Both the pointer's line 2 (the extra key) and the content's line 1 are reported under the file's name.
    const expected = (rule: string) => [[rule, "assets.zip", 2, 14], [rule, "model.bin", 1, 3], [rule, "model.bin", 2, 14]];
    const sorted = (report: Parameters<typeof where>[0]) => where(report).sort((a, b) => String(a).localeCompare(String(b)));
    const worktree = await json(repo, ["scan"]);
    expect(sorted(worktree.report)).toEqual(expected("lumenfall-key"));
    expect(worktree.report.warnings).toEqual([]);
    expect(sorted((await json(repo, ["scan", "--", "model.bin", "assets.zip"])).report)).toEqual(expected("lumenfall-key"));
    git(repo, ["add", "model.bin", "assets.zip"]);
    const staged = await json(repo, ["scan", "--staged"]);
    expect(staged.code).toBe(1);
    expect(sorted(staged.report)).toEqual(expected("lumenfall-key"));
    git(repo, ["commit", "-q", "-m", "lfs"]);
    expect(sorted((await json(repo, ["scan", "--history"])).report)).toEqual(expected("key-in-history"));
    const head = git(repo, ["rev-parse", "HEAD"]).trim();
    const push = await json(repo, ["scan", "--pre-push", "origin", remote], {}, `refs/heads/main ${head} refs/heads/main ${base}\n`);
    expect(push.code).toBe(1);
    expect(sorted(push.report)).toEqual(expected("key-in-history"));
    for (const outcome of [worktree, staged, push]) for (const key of [contentKey, pointerKey, zipPointerKey]) expect(outcome.stdout + outcome.stderr).not.toContain(key);
  });

  it("a linked worktree reads the store of the repository it belongs to", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "secrets.bin": pointerOf(`k=${key}\n`).text } });
    store(join(repo, ".git"), `k=${key}\n`);
    const linked = join(createDir(), "linked");
    git(repo, ["worktree", "add", "-q", linked]);
    const { code, report } = await json(linked, ["scan"]);
    expect(code).toBe(1);
    expect(where(report)).toEqual([["lumenfall-key", "secrets.bin", 1, 3]]);
  });

  it("outside git there is no LFS store: the pointer is named", async () => {
    const dir = createDir({ "dump.sql": pointerOf(`k=${makeKey()}\n`).text });
    const { code, report } = await json(dir, ["scan"]);
    expect(code).toBe(0);
    expect(report.warnings.map((w) => [w.code, w.file])).toEqual([["lfs-not-scanned", "dump.sql"]]);
  });
});
