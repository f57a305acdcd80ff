import { execFileSync } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DebugListingParser, ignoredPaths, listTracked, listUntracked, PathList } from "../src/git/list-files.js";
import { createDir, createRepo, git, processEnv, writeFiles } from "./helpers/repo.js";

/**
 * The working tree's git listings (src/git/list-files.ts): the index listing parsed as it
 * streams, however git's output is cut into chunks; the one walk for untracked files and the env
 * files git ignores; and which env files the ignore rules match.
 */
const env = processEnv();

/** Names that trip parsers: spaces, quotes, a newline, non-ASCII, a leading dash, a long path. */
const NAMES = [
  "a.ts",
  "dir with space/b c.md",
  'q"uote\'s.txt',
  "new\nline.txt",
  "ünï/cödé-😀.js",
  "-dash.txt",
  `${"deep/".repeat(40)}leaf.txt`,
  ".env.example",
  "size: 12.txt",
  "  size: 99\n.txt",
  "tab\there 120000 .txt",
];

/** `git ls-files -z --stage --debug` read by a plain whole-output parse: every path and its size. */
function referenceListing(output: Buffer): Array<{ name: string; size: number }> {
  const text = output.toString("latin1");
  const record = /\d{6} [0-9a-f]+ \d\t([^\0]*)\0 {2}ctime:[^\n]*\n {2}mtime:[^\n]*\n {2}dev:[^\n]*\n {2}uid:[^\n]*\n {2}size: (\d+)[^\n]*\n/gy;
  const entries: Array<{ name: string; size: number }> = [];
  let consumed = 0;
  for (let match = record.exec(text); match; match = record.exec(text)) {
    const name = Buffer.from(match[1]!, "latin1").toString("utf8");
    if (entries.at(-1)?.name !== name) entries.push({ name, size: Number(match[2]) });
    consumed = record.lastIndex;
  }
  // The whole output is records: the reference itself read it all.
  expect(consumed).toBe(text.length);
  return entries;
}

function debugListing(repo: string): Buffer {
  return execFileSync("git", ["ls-files", "-z", "--stage", "--debug", "--cached"], { cwd: repo, env, maxBuffer: 1 << 30 });
}

function entriesOf(paths: PathList): Array<{ name: string; size: number }> {
  return Array.from({ length: paths.length }, (_, index) => ({ name: paths.name(index), size: paths.size(index) }));
}

const namesRepo = () => createRepo({ committed: Object.fromEntries(NAMES.map((name, index) => [name, `content ${index} `.repeat(index + 1)])) });

describe("git listings", () => {
  it("the index listing: every path once, with the size on disk, whatever the names hold", async () => {
    const repo = namesRepo();
    const listed = await listTracked(repo, env);
    if ("failed" in listed) throw new Error(listed.failed);
    expect(entriesOf(listed.paths).map((entry) => entry.name).sort()).toEqual([...NAMES].sort());
    for (const { name, size } of entriesOf(listed.paths)) expect(size, name).toBe(statSync(join(repo, name)).size);
    expect(entriesOf(listed.paths)).toEqual(referenceListing(debugListing(repo)));
  });

  it("the stream parser gives the same listing however the output is cut into chunks", () => {
    const output = debugListing(namesRepo());
    const expected = referenceListing(output);
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: output.length - 1 }), { maxLength: 40 }), (cuts) => {
        const paths = new PathList();
        const parser = new DebugListingParser(paths);
        let from = 0;
        for (const cut of [...cuts].sort((a, b) => a - b)) {
          parser.push(output.subarray(from, cut));
          from = cut;
        }
        parser.push(output.subarray(from));
        parser.end();
        expect(entriesOf(paths)).toEqual(expected);
      }),
      { numRuns: 300 },
    );
    // Byte by byte: every boundary at once.
    const paths = new PathList();
    const parser = new DebugListingParser(paths);
    for (let at = 0; at < output.length; at++) parser.push(output.subarray(at, at + 1));
    parser.end();
    expect(entriesOf(paths)).toEqual(expected);
  });

  it("symlinks are marked (git grep does not read them), and names that are not UTF-8 are escaped with their bytes kept", async () => {
    const { symlinkSync } = await import("node:fs");
    const repo = createRepo({ committed: { "a.ts": "x\n" } });
    symlinkSync("target text", join(repo, "link"));
    writeFileSync(Buffer.concat([Buffer.from(`${repo}/config`), Buffer.from([0xff]), Buffer.from(".py")]), "y\n");
    git(repo, ["add", "-A"]);
    const listed = await listTracked(repo, env);
    if ("failed" in listed) throw new Error(listed.failed);
    expect(entriesOf(listed.paths).map((entry) => entry.name).sort()).toEqual(["a.ts", "config\\xff.py", "link"]);
    expect(listed.paths.symlinks()).toEqual(["link"]);
    expect(listed.paths.rawOf("config\\xff.py")).toEqual(Buffer.from([...Buffer.from("config"), 0xff, ...Buffer.from(".py")]));
    expect(listed.paths.rawOf("a.ts")).toBeUndefined();
  });

  it("a path in conflict is listed once, not once per stage", async () => {
    const conflicted = createRepo({ committed: { "c.txt": "base\n" } });
    git(conflicted, ["checkout", "-q", "-b", "other"]);
    writeFiles(conflicted, { "c.txt": "theirs\n" });
    git(conflicted, ["commit", "-q", "-am", "theirs"]);
    git(conflicted, ["checkout", "-q", "main"]);
    writeFiles(conflicted, { "c.txt": "ours\n" });
    git(conflicted, ["commit", "-q", "-am", "ours"]);
    try {
      git(conflicted, ["merge", "-q", "other"]);
    } catch {
      // the conflict is the point
    }
    const listed = await listTracked(conflicted, env);
    if ("failed" in listed) throw new Error(listed.failed);
    expect(entriesOf(listed.paths).map((entry) => entry.name)).toEqual(["c.txt"]);
  });

  it("outside a repository: a failure the caller walks instead", async () => {
    const dir = join(createDir(), "plain");
    mkdirSync(dir);
    expect(await listTracked(dir, { ...env, GIT_CEILING_DIRECTORIES: join(dir, "..") })).toEqual({ failed: "not-a-repository" });
  });

  it("one walk: untracked files, and env files whether or not git ignores them (not inside ignored folders); check-ignore tells which are ignored", async () => {
    const tree = createRepo({
      committed: { ".gitignore": ".env\n.env.*\n!.env.example\nbuild/\n*.log\n" },
      untracked: {
        "new.ts": "x\n",
        ".env": "A=1\n",
        ".env.local": "A=1\n",
        ".env.example": "A=\n",
        "apps/web/.env": "A=1\n",
        "build/.env": "A=1\n",
        "debug.log": "x\n",
      },
    });
    // A tracked env file that .gitignore matches (ignored too late).
    writeFiles(tree, { "tracked/.env.production": "A=1\n" });
    git(tree, ["add", "-f", "tracked/.env.production"]);
    git(tree, ["commit", "-q", "-m", "env"]);
    const listed = await listUntracked(tree, env);
    if ("failed" in listed) throw new Error(listed.failed);
    expect([...listed.paths].sort()).toEqual([".env", ".env.example", ".env.local", "apps/web/.env", "new.ts"]);
    const ignored = await ignoredPaths(tree, env, [".env", ".env.example", ".env.local", "apps/web/.env", "new.ts", "tracked/.env.production"]);
    expect([...(ignored ?? [])].sort()).toEqual([".env", ".env.local", "apps/web/.env", "tracked/.env.production"]);
    expect(await ignoredPaths(tree, env, [])).toEqual(new Set());
  });

  it("a file added to the index after the listing's walk started is no reason to fail: sizes are the index's", async () => {
    const grown = createRepo({ committed: { "a.txt": "1234\n" } });
    writeFileSync(join(grown, "a.txt"), "123456789\n");
    const listed = await listTracked(grown, env);
    if ("failed" in listed) throw new Error(listed.failed);
    // The index still has the committed size: the scan counts what git last saw, and reads the file itself when it must.
    expect(entriesOf(listed.paths)).toEqual([{ name: "a.txt", size: 5 }]);
  });
});
