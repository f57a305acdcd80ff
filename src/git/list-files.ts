import { spawn } from "node:child_process";
import { nameOfBytes } from "./path-bytes.js";
import { envForPath, GitMissingError, gitArgs, gitEnv, runGit, splitNul, throwIfNotTrusted } from "./run-git.js";

/**
 * What git would commit in a folder — tracked plus untracked-not-ignored — and the env files git
 * ignores there, from two `git ls-files` run at the same time in the folder itself (so the
 * repository is the one that holds it):
 *
 * - `listTracked`: the index (`--cached`), with each file's size from the index's cached stat
 *   data (`--debug`). No directory walk: it is the cheapest listing git has, so the literal
 *   search can start as soon as it is done (it needs the sizes to leave large files out).
 * - `listUntracked`: the directory walk (`--others --exclude-standard`), with env files
 *   re-included by command-line patterns (`-x '!.[eE][nN][vV]' -x '!.[eE][nN][vV].*'`: env file names whatever their case, which git checks before
 *   .gitignore files): one walk finds both the untracked files and the env files git ignores,
 *   and `ignoredPaths` tells which of those env files are ignored.
 *
 * Git's own docs: https://git-scm.com/docs/git-ls-files, https://git-scm.com/docs/gitignore,
 * https://git-scm.com/docs/git-check-ignore.
 */

/**
 * Paths (relative to the listed folder, `/`-separated) with sizes, held as one byte buffer and
 * two typed arrays rather than as strings and a Map: a tree of 200,000 files takes ~15 MB here,
 * and a name becomes a string only when it is asked for.
 */
export class PathList {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  private ends = new Int32Array(1024);
  /** Where each name's last part starts (after its last `/`). */
  private bases = new Int32Array(1024);
  private sizeOf = new Float64Array(1024);
  private readonly raw = new Map<string, Buffer>();
  private readonly symlinkIndexes: number[] = [];
  length = 0;

  /** Adds a path (UTF-8 bytes) and its size in bytes (NaN: unknown). */
  push(source: Buffer, start: number, end: number, size: number): void {
    const bytes = end - start;
    if (this.used + bytes > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + bytes));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    source.copy(this.bytes, this.used, start, end);
    let base = end;
    while (base > start && source[base - 1] !== SLASH) base--;
    if (this.length === this.ends.length) {
      this.ends = grow(this.ends, new Int32Array(this.length * 2));
      this.bases = grow(this.bases, new Int32Array(this.length * 2));
      this.sizeOf = grow(this.sizeOf, new Float64Array(this.length * 2));
    }
    this.bases[this.length] = this.used + (base - start);
    this.used += bytes;
    this.ends[this.length] = this.used;
    this.sizeOf[this.length] = size;
    this.length++;
  }

  /** Whether the last path added is the same as these bytes (git lists a conflicted path once per stage). */
  endsWith(source: Buffer, start: number, end: number): boolean {
    if (this.length === 0) return false;
    const from = this.length === 1 ? 0 : this.ends[this.length - 2]!;
    return end - start === this.used - from && source.compare(this.bytes, from, this.used, start, end) === 0;
  }

  /**
   * The name as text: a name that is not valid UTF-8 in its lossless escaped form
   * (`config\xff.py`, path-bytes.ts), whose bytes {@link rawOf} then gives.
   */
  name(index: number): string {
    const start = index === 0 ? 0 : this.ends[index - 1]!;
    const text = this.bytes.toString("utf8", start, this.ends[index]!);
    if (!text.includes("\uFFFD")) return text;
    const bytes = this.bytes.subarray(start, this.ends[index]!);
    const name = nameOfBytes(bytes);
    if (name !== text) this.raw.set(name, Buffer.from(bytes));
    return name;
  }

  /** The bytes of a name {@link name} gave in its escaped form (it is not valid UTF-8), else undefined. */
  rawOf(name: string): Buffer | undefined {
    return this.raw.get(name);
  }

  /** Marks the last path added as a symlink (mode 120000). */
  markSymlink(): void {
    this.symlinkIndexes.push(this.length - 1);
  }

  /** The paths git records as symlinks: git grep does not read them. */
  symlinks(): string[] {
    return this.symlinkIndexes.map((index) => this.name(index));
  }

  size(index: number): number {
    return this.sizeOf[index]!;
  }

  /** The names whose last part (after the last `/`) passes `test`, which sees its bytes: no string for the others. */
  namesWhereBasename(test: (bytes: Buffer, start: number, end: number) => boolean): string[] {
    const found: string[] = [];
    for (let index = 0; index < this.length; index++) if (test(this.bytes, this.bases[index]!, this.ends[index]!)) found.push(this.name(index));
    return found;
  }
}

const SLASH = 0x2f;

function grow<T extends Int32Array | Float64Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

export type ListingFailure = { failed: "not-a-repository" | "git-missing" | string };

/** The tracked files of `dir`, or why there are none: not a repository, git missing, or git's message. */
export function listTracked(dir: string, env: NodeJS.ProcessEnv): Promise<{ paths: PathList; warnings: string[] } | ListingFailure> {
  const paths = new PathList();
  const parser = new DebugListingParser(paths);
  return runListing(dir, env, ["ls-files", "-z", "--stage", "--debug", "--cached"], (chunk) => parser.push(chunk)).then((outcome) => {
    if ("failed" in outcome) return outcome;
    parser.end();
    return { paths, warnings: outcome.warnings };
  });
}

/**
 * The untracked files of `dir` that git does not ignore, plus the env files (`.env`, `.env.*`)
 * it ignores — outside ignored folders: git does not walk into those, and walking every ignored
 * file to find env files would cost more than the whole scan (README, limits).
 */
export function listUntracked(dir: string, env: NodeJS.ProcessEnv): Promise<{ paths: string[]; raw: Map<string, Buffer>; warnings: string[] } | ListingFailure> {
  const chunks: Buffer[] = [];
  // Names that are not valid UTF-8: listed escaped (path-bytes.ts), their bytes kept here.
  const raw = new Map<string, Buffer>();
  return runListing(dir, env, ["ls-files", "-z", "--others", "--exclude-standard", "-x", "!.[eE][nN][vV]", "-x", "!.[eE][nN][vV].*"], (chunk) => void chunks.push(chunk)).then((outcome) =>
    "failed" in outcome ? outcome : { paths: splitNul(Buffer.concat(chunks), raw), raw, warnings: outcome.warnings },
  );
}

/**
 * Which of `paths` (relative to `dir`) the ignore rules match (`git check-ignore --no-index`:
 * tracked files too). Null when git could not say.
 */
export function ignoredPaths(dir: string, env: NodeJS.ProcessEnv, paths: readonly string[]): Promise<Set<string> | null> {
  if (paths.length === 0) return Promise.resolve(new Set());
  return new Promise((resolvePromise) => {
    let child;
    try {
      child = spawn("git", gitArgs(["check-ignore", "-z", "--stdin", "--no-index"]), { cwd: dir, env: gitEnv(envForPath(env)), stdio: ["pipe", "pipe", "ignore"] });
    } catch {
      resolvePromise(null);
      return;
    }
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.stdin.on("error", () => {
      // git stopped reading (it failed): its exit status says so.
    });
    child.on("error", () => resolvePromise(null));
    // 0: some path is ignored; 1: none is; anything else: git could not tell.
    child.on("close", (code) => resolvePromise(code === 0 ? new Set(splitNul(Buffer.concat(chunks))) : code === 1 ? new Set() : null));
    child.stdin.end(paths.map((path) => `${path}\0`).join(""));
  });
}

function runListing(dir: string, env: NodeJS.ProcessEnv, args: string[], onChunk: (chunk: Buffer) => void): Promise<{ warnings: string[] } | ListingFailure> {
  return new Promise((resolvePromise, rejectPromise) => {
    let child;
    try {
      child = spawn("git", gitArgs(args), { cwd: dir, env: gitEnv(envForPath(env)), stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      rejectPromise(error);
      return;
    }
    const stderr: Buffer[] = [];
    child.stdout.on("data", onChunk);
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", (error: NodeJS.ErrnoException) => (error.code === "ENOENT" ? resolvePromise({ failed: "git-missing" }) : rejectPromise(error)));
    child.on("close", (code) => {
      const message = Buffer.concat(stderr).toString("utf8").trim();
      if (code === 0) return resolvePromise({ warnings: gitWarnings(message) });
      // A repository git refuses (safe.directory) is said as such, never walked as a plain folder.
      try {
        throwIfNotTrusted(message);
      } catch (error) {
        return rejectPromise(error);
      }
      resolvePromise({ failed: /not a git repository/i.test(message) ? "not-a-repository" : message || `git ${args[0]} exited with ${code}` });
    });
  });
}

/**
 * git lists what it can and exits 0 when it cannot open a folder (a path longer than PATH_MAX,
 * permissions): its warnings are passed on, or the files in that folder would be missed in
 * silence.
 */
function gitWarnings(stderr: string): string[] {
  const lines = stderr.split("\n").filter((line) => /^(warning|error): /.test(line));
  if (lines.length === 0) return [];
  const shown = lines.slice(0, 3).map((line) => (line.length > 300 ? `${line.slice(0, 150)}…${line.slice(-150)}` : line));
  const more = lines.length > 3 ? ` (and ${lines.length - 3} more)` : "";
  return [`git ls-files could not read everything, so some files were not scanned: ${shown.join("; ")}${more}`];
}

const NUL = 0;
const NEWLINE = 0x0a;
const SIZE_FIELD = Buffer.from("\n  size: ");
const TAB = 0x09;
/** The mode git records for a symlink (https://git-scm.com/docs/git-ls-files#_output). */
const SYMLINK_MODE = Buffer.from("120000 ");

/** Where the path of a `--stage` record starting at `at` begins (after its tab), and whether its mode is a symlink's. */
function stagePrefix(data: Buffer, at: number, nul: number): { pathStart: number; symlink: boolean } {
  const tab = data.indexOf(TAB, at);
  if (tab === -1 || tab > nul) return { pathStart: at, symlink: false };
  return { pathStart: tab + 1, symlink: data.compare(SYMLINK_MODE, 0, SYMLINK_MODE.length, at, at + SYMLINK_MODE.length) === 0 };
}

/**
 * `ls-files -z --stage --debug --cached` output into a PathList, parsed as it streams (push each
 * chunk as it arrives, then `end()`): `<mode> <object> <stage>\t<path>\0` and then five lines of the
 * entry's cached stat data (`  ctime: …`, `  mtime: …`, `  dev: …\tino: …`, `  uid: …\tgid: …`,
 * `  size: <n>\tflags: <x>`), which run straight into the next path. A path may hold a newline,
 * never a NUL; the five lines never hold a NUL.
 */
export class DebugListingParser {
  /** The start of a record the last chunk ended in (a few hundred bytes at most). */
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly paths: PathList) {}

  push(chunk: Buffer): void {
    let from = 0;
    if (this.pending.length > 0) {
      // Only the record cut in two is joined: copying whole chunks cost as much as the parsing.
      const head = Buffer.concat([this.pending, chunk.subarray(0, RECORD_MAX)]);
      const end = this.parse(head, 0, true);
      if (end < this.pending.length) {
        // Not complete within RECORD_MAX bytes (a very long path): join all, as a rare case.
        const data = Buffer.concat([this.pending, chunk]);
        this.pending = Buffer.from(data.subarray(this.parse(data, 0, false)));
        return;
      }
      from = end - this.pending.length;
    }
    const end = this.parse(chunk, from, false);
    this.pending = Buffer.from(chunk.subarray(end));
  }

  end(): void {
    // A path without stat lines (not expected from --debug): listed, size unknown.
    const nul = this.pending.indexOf(NUL);
    if (nul > 0) this.add(this.pending, 0, nul, Number.NaN);
    this.pending = Buffer.alloc(0);
  }

  /** One record: `<mode> <object> <stage>\t<path>` from `at` to `nul`. */
  private add(data: Buffer, at: number, nul: number, size: number): void {
    const { pathStart, symlink } = stagePrefix(data, at, nul);
    // --cached lists a path once per stage during a merge conflict; stages come together.
    if (nul <= pathStart || this.paths.endsWith(data, pathStart, nul)) return;
    this.paths.push(data, pathStart, nul, size);
    if (symlink) this.paths.markSymlink();
  }

  /** Adds the complete records of `data` from `at` (only the first when `one`); returns where the rest starts. */
  private parse(data: Buffer, at: number, one: boolean): number {
    for (;;) {
      const nul = data.indexOf(NUL, at);
      if (nul === -1) return at;
      // The fifth stat line is the size's, and the record ends with it. Nothing before it (a path
      // holds no NUL; the other lines are times, device, inode and ids) holds "  size: ".
      const sizeAt = data.indexOf(SIZE_FIELD, nul);
      if (sizeAt === -1) return at;
      const end = data.indexOf(NEWLINE, sizeAt + SIZE_FIELD.length);
      if (end === -1) return at;
      const size = readNumber(data, sizeAt + SIZE_FIELD.length);
      if (nul > at) this.add(data, at, nul, size);
      at = end + 1;
      if (one) return at;
    }
  }
}

/** More than any path (PATH_MAX) and its five stat lines. */
const RECORD_MAX = 8192;

function readNumber(data: Buffer, at: number): number {
  let value = 0;
  let digits = 0;
  for (let i = at; i < data.length; i++, digits++) {
    const digit = data[i]! - 0x30;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return digits === 0 ? Number.NaN : value;
}

/** How git sees one file of the work tree. */
export type WorkTreeStatus = "tracked" | "tracked-ignored" | "untracked" | "ignored";

/**
 * How git sees each of `paths` (relative to `root`, the top of the work tree, `/`-separated,
 * taken literally, never as globs): tracked (and whether `.gitignore` matches it anyway),
 * untracked, or ignored. Two `git ls-files` runs for all of them. Null when git cannot answer
 * (not a repository, git missing or failing): the caller then knows nothing of their status.
 */
export function workTreeStatus(root: string, paths: readonly string[], env: NodeJS.ProcessEnv): Map<string, WorkTreeStatus> | null {
  if (paths.length === 0) return new Map();
  const specs = paths.map((path) => `:(literal)${path}`);
  try {
    const cached = runGit(["ls-files", "-z", "--cached", "--", ...specs], root, envForPath(env));
    const ignored = runGit(["ls-files", "-z", "--cached", "--others", "--ignored", "--exclude-standard", "--", ...specs], root, envForPath(env));
    if (cached.status !== 0 || ignored.status !== 0) return null;
    const tracked = new Set(splitNul(cached.stdout));
    const matched = new Set(splitNul(ignored.stdout));
    return new Map(paths.map((path) => [path, tracked.has(path) ? (matched.has(path) ? "tracked-ignored" : "tracked") : matched.has(path) ? "ignored" : "untracked"]));
  } catch (error) {
    if (error instanceof GitMissingError) return null;
    throw error;
  }
}
