import { lstatSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { EnginePlan } from "../engine/plan.js";
import type { Scope } from "../engine/rule.js";
import { grepFiles, type GrepOptions } from "../git/grep-files.js";
import { LFS_POINTER_STARTS } from "../git/object-content.js";
import { nameMayHoldKey } from "../scanning/file-name-keys.js";
import { mustRead, prefilterFor, searchLiterals } from "../scanning/prefilter.js";
import { CONTAINER_MAGIC } from "../scanning/containers/index.js";
import { ScanError } from "../errors.js";
import { ignoredPaths, listTracked, listUntracked, PathList, workTreeStatus } from "../git/list-files.js";
import { repoRootOf } from "../git/work-tree-root.js";
import type { ScanSession } from "../scanning/session.js";
import type { ShardSelection } from "../scanning/shard.js";
import type { SourceFile } from "../scanning/source-file.js";
import type { FileKind, Warning } from "../types.js";
import { discoverClientOutput, listClientFiles, type ClientDir, type ClientDiscovery } from "./client-output.js";
import { toPosix } from "./paths.js";
import { traceSpecFor } from "./source-maps.js";
import { PARALLEL_MIN_FILES, ScanThreads, type DiskFile } from "./threads.js";
import { walkHonouringGitignore } from "./walk.js";

/**
 * The working-tree source: the paths a user gave, turned into files and read from disk.
 * Folders inside git are listed by git (what it would commit: tracked plus untracked-not-
 * ignored), with the client output in them (whatever git ignores) and the env files git
 * ignores; folders outside git by a walk that honours `.gitignore` files. Files are taken as
 * given, literally — lint-staged passes names such as `app/[id]/page.tsx` that must never be
 * globbed.
 */
export interface WorktreeOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** What report names are relative to. */
  root: string;
  /** Files and folders, relative to `cwd` or absolute. */
  paths: readonly string[];
  /** Extra client output folders (absolute): config `bundles`, `--bundles`. */
  bundles: readonly string[];
  /** Look for client output in the folders given (a plain `scan`). */
  discoverClient: boolean;
  /** Threads for large trees (1: the main thread only). */
  jobs: number;
  onFile?: ((path: string) => void) | undefined;
  /** The scan's engine plan: what a literal search may skip (scanning/prefilter.ts). */
  plan: EnginePlan;
  /** `false`: read every file, never skip one on a literal search (tests compare both ways). */
  prefilter?: boolean;
  /**
   * One shard of a sharded scan: only the files whose path (from the repository root; outside
   * git, the report path) falls in it are read or counted. Every shard lists every file.
   */
  shard?: ShardSelection | undefined;
}

/**
 * Lists and scans the paths.
 * @throws ScanError (exit 3) when nothing given exists or nothing given is readable.
 */
export async function scanWorktree(session: ScanSession, options: WorktreeOptions): Promise<void> {
  const listed = await collectFiles(options, (absPath) => session.isIgnored(absPath));
  for (const warning of listed.warnings) session.warn(warning);
  const given = options.paths.length;
  if (given > 0 && listed.missing === given) {
    throw new ScanError(`nothing to scan: ${options.paths.join(", ")} ${listed.missing === 1 ? "does" : "do"} not exist`);
  }
  if (given > 0 && listed.missing + listed.special === given) {
    throw new ScanError(`nothing readable was given: ${listed.warnings.map((warning) => warning.message).join("; ")}`);
  }
  const files = listed.files.filter(({ file }) => !session.isIgnored(file.absPath));
  // Files a literal search cleared were read by git grep, not by the engine: counted, not read again.
  session.stats.files += listed.cleared.files;
  session.stats.bytes += listed.cleared.bytes;
  // Threads only for many files to read: a worker costs ~60 ms to start, more than a small share of reading.
  const threads = new ScanThreads(files.length >= PARALLEL_MIN_FILES ? options.jobs - 1 : 0);
  try {
    await threads.scan(files, session, options.onFile);
  } finally {
    threads.close();
  }
  if (given > 0 && session.stats.files === 0 && session.stats.skipped > 0) {
    throw new ScanError(`no input could be read: all ${session.stats.skipped} file(s) were unreadable`);
  }
}

/**
 * Names relative to a folder, with sizes in bytes (NaN where unknown): a git listing held as
 * bytes (PathList), or a list of strings.
 */
interface Names {
  readonly length: number;
  name(index: number): string;
  size(index: number): number;
  /** The bytes of a name that is not valid UTF-8 (listed in its escaped form, git/path-bytes.ts), relative to the folder. */
  rawOf(name: string): Buffer | undefined;
}

function namesOf(rels: readonly string[], sizeOf: (rel: string) => number, raw: ReadonlyMap<string, Buffer> = new Map()): Names {
  const sizes = rels.map(sizeOf);
  return { length: rels.length, name: (index) => rels[index]!, size: (index) => sizes[index]!, rawOf: (name) => raw.get(name) };
}

/**
 * The files of one listed folder, kept as names until the literal search has spoken: a tree of
 * 200,000 files, of which a handful hold a literal, costs one buffer of names (PathList), not
 * 200,000 objects — nor 200,000 strings held at once.
 */
interface Group {
  /** The folder, with a trailing separator. */
  prefix: string;
  /** What report names start with (relative to the scan root), and the path from the repository root. */
  displayPrefix: string;
  repoPrefix: string | null;
  names: Names;
  kindOf(rel: string): FileKind;
  ignoredButTracked: ReadonlySet<string>;
  /** The files holding a literal, or null: every file must be read. */
  search: Promise<Set<string> | null> | null;
  /** Files git grep did not read (too large, unknown size): always read here. */
  excluded: ReadonlySet<string>;
  /**
   * `tree`: a folder's listing (in git, its tracked and its untracked files are two groups);
   * `ignored-env`: the env files git ignores in it; `client`: client output, whose files take
   * precedence over a plain listing of the same file and are traced.
   */
  role: "tree" | "ignored-env" | "client";
  /** The folder given (with a trailing separator) that the group lists. */
  folder: string;
}

interface Listed {
  /** The files to read. */
  files: DiskFile[];
  /** Files the literal search read and cleared, and their bytes: counted, not read again. */
  cleared: { files: number; bytes: number };
  /** How many given paths did not exist. */
  missing: number;
  /** How many given paths were FIFOs, sockets, devices or symlink loops. */
  special: number;
  warnings: Warning[];
  clientDirs: ClientDir[];
}

async function collectFiles(options: WorktreeOptions, isIgnored: (absPath: string) => boolean): Promise<Listed> {
  const listed: Listed = { files: [], cleared: { files: 0, bytes: 0 }, missing: 0, special: 0, warnings: [], clientDirs: [] };
  const given: DiskFile[] = [];
  const groups: Group[] = [];
  for (const path of options.paths) {
    const absPath = resolve(options.cwd, path);
    const kind = kindOf(absPath);
    if (kind === "missing") {
      listed.missing++;
      listed.warnings.push({ code: "path-missing", message: `${path} does not exist; nothing was scanned there`, file: path });
    } else if (kind === "other") {
      listed.special++;
      listed.warnings.push({ code: "path-special", message: `${path} is not a regular file or folder (a FIFO, socket, device or symlink loop); skipped`, file: path });
    } else if (kind === "file" || kind === "link") {
      const repoRoot = repoRootOf(dirname(absPath));
      // Inside git a symlink is what git records for it, its target text: never the file it points to (outside the repository, perhaps).
      const followSymlinks = kind === "file" && !(repoRoot !== null && isSymlink(absPath));
      given.push({ file: withRepoPath({ path: toPosix(path), kind: "given", absPath }, repoRoot), followSymlinks });
    } else {
      await addFolder(absPath, options, groups, listed);
    }
  }
  judgeGivenEnvFiles(given, options.env);
  const bundles = options.bundles.filter((dir) => !listed.clientDirs.some((known) => known.dir === dir));
  for (const dir of bundles) addClientDir({ dir, reason: "given with --bundles or config bundles" }, options, groups, listed, repoRootOf(dir));
  await settle(given, groups, options, listed, isIgnored);
  return listed;
}

/**
 * Decides, once the searches are done, which files to read: given files, then client output,
 * then plain listings — a file listed twice is read once, as the first of these (client output
 * wins over the tree that holds it). A file the search cleared is counted instead.
 */
async function settle(given: DiskFile[], groups: Group[], options: WorktreeOptions, listed: Listed, isIgnored: (absPath: string) => boolean): Promise<void> {
  const taken = new Set<string>();
  // A file listed twice is chosen for a shard once, by the name it is read under.
  const shard = options.shard;
  for (const entry of given) {
    if (taken.has(entry.file.absPath)) continue;
    taken.add(entry.file.absPath);
    if (!shard || shard.takesPath(entry.file.repoPath ?? entry.file.path)) listed.files.push(entry);
  }
  const ordered = [...groups.filter((group) => group.role === "client"), ...groups.filter((group) => group.role !== "client")];
  // What does not depend on the searches is decided first, while git grep is still reading.
  const decided = ordered.map((group) => decideByName(group, options, isIgnored));
  const done: Group[] = [];
  for (const [position, group] of ordered.entries()) {
    // A folder inside one already listed (`scan a a/b`) adds nothing.
    if (group.role !== "client" && done.some((other) => other.role !== "client" && other.folder !== group.folder && group.folder.startsWith(other.folder))) continue;
    const overlaps = given.length > 0 || done.some((other) => other.role === "client" && (other.prefix.startsWith(group.prefix) || group.prefix.startsWith(other.prefix)));
    const holding = group.search ? await group.search : null;
    const flags = decided[position]!;
    const { names } = group;
    for (let index = 0; index < names.length; index++) {
      const flag = flags[index]!;
      // A name is made into a string only when it may be read, or must be checked against another listing.
      if (!overlaps && group.role !== "client" && !(flag & READ) && holding !== null && holding.size === 0) {
        if (!(flag & IGNORED)) countCleared(listed, names.size(index));
        continue;
      }
      const rel = names.name(index);
      const absPath = group.prefix + rel;
      if (overlaps && taken.has(absPath)) continue;
      if (group.role === "client") taken.add(absPath);
      if (shard && !shard.takesPath(group.repoPrefix !== null ? group.repoPrefix + rel : group.displayPrefix + rel)) continue;
      // Read: what the search found, what it did not search, and files judged by name or compressed.
      if (flag & READ || holding === null || holding.has(rel)) listed.files.push({ file: fileOf(group, rel, group.kindOf(rel), options), followSymlinks: false });
      else if (!(flag & IGNORED)) countCleared(listed, names.size(index));
    }
    done.push(group);
  }
}

/** Read whatever the search says (the search cannot clear it). */
const READ = 1;
/** Config `ignore` excludes it: neither read nor counted. */
const IGNORED = 2;

/**
 * Per file of a group, what its name alone decides: read it whatever the search says (no
 * prefilter is possible, git grep did not read it, or a rule judges it by name or it is
 * compressed), and whether config `ignore` excludes it.
 */
function decideByName(group: Group, options: WorktreeOptions, isIgnored: (absPath: string) => boolean): Uint8Array {
  const { names } = group;
  const flags = new Uint8Array(names.length);
  const prefilter = options.prefilter === false ? null : prefilterFor(options.plan, group.role === "client" ? ["shipped"] : TREE_SCOPES);
  for (let index = 0; index < names.length; index++) {
    const rel = names.name(index);
    let flag = isIgnored(group.prefix + rel) ? IGNORED : 0;
    if (group.search === null || prefilter === null || group.excluded.has(rel) || mustRead(group.displayPrefix + rel, group.kindOf(rel), prefilter)) flag |= READ;
    // A name that may hold a key is read whatever its content: the session checks the name then.
    else if (nameMayHoldKey((group.repoPrefix ?? group.displayPrefix) + rel)) flag |= READ;
    flags[index] = flag;
  }
  return flags;
}

function countCleared(listed: Listed, size: number): void {
  listed.cleared.files++;
  listed.cleared.bytes += size || 0;
}

function fileOf(group: Group, rel: string, kind: FileKind, options: WorktreeOptions): SourceFile {
  const absPath = group.prefix + rel;
  const file: SourceFile = { path: group.displayPrefix + rel, kind, absPath };
  if (group.repoPrefix !== null) file.repoPath = group.repoPrefix + rel;
  if (group.ignoredButTracked.has(rel)) file.ignoredButTracked = true;
  // A name that is not valid UTF-8 is reported escaped and read by its bytes.
  const rawRel = group.names.rawOf(rel);
  if (rawRel !== undefined) file.rawPath = Buffer.concat([Buffer.from(group.prefix), rawRel]);
  // A source map is looked for by the file's name: one that is not UTF-8 is reported where it is.
  if (kind === "client" && rawRel === undefined) {
    const trace = traceSpecFor(absPath, options.root);
    if (trace) file.trace = trace;
  }
  return file;
}

/**
 * A folder: inside git, its listings and the literal searches, run so that git works while
 * lumenguard does (the tracked files are listed without a directory walk, so their search starts
 * first; the one walk, for untracked files and ignored env files, runs meanwhile); outside git, a
 * walk that honours .gitignore.
 */
async function addFolder(dir: string, options: WorktreeOptions, groups: Group[], listed: Listed): Promise<void> {
  const untrackedListing = listUntracked(dir, options.env);
  // Awaited below on every path; this only keeps a failure from being reported as unhandled meanwhile.
  untrackedListing.catch(() => undefined);
  const tracked = await listTracked(dir, options.env);
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const displayPrefix = dir === options.root ? "" : `${toPosix(relative(options.root, dir))}/`;
  // Outside git there is no git status: the files are read as given files are.
  const walkInstead = (why: string) => {
    const raw = new Map<string, Buffer>();
    const rels = walk(dir, why, listed, raw);
    const discovery = discover(dir, options, named(rels, "package.json"), named(rels, "manifest.json"));
    const shipped = discovery.mobile ? markShipped(prefix, listed) : null;
    groups.push({ prefix, displayPrefix, repoPrefix: null, ignoredButTracked: new Set(), folder: prefix, names: namesOf(rels, () => Number.NaN, raw), kindOf: (rel) => (shipped?.(rel) ? "client" : "given"), search: null, excluded: new Set(), role: "tree" });
    for (const clientDir of discovery.dirs) addClientDir(clientDir, options, groups, listed, null);
  };
  if ("failed" in tracked) {
    await untrackedListing.catch(() => undefined);
    return walkInstead(tracked.failed);
  }
  const repoRoot = repoRootOf(dir);
  const repoPrefix = repoRoot === null ? null : dir === repoRoot ? "" : `${toPosix(relative(repoRoot, dir))}/`;
  // What git would commit is searched by git grep at once, while the rest of the listing goes on.
  const large: string[] = [];
  for (let index = 0; index < tracked.paths.length; index++) if (!(tracked.paths.size(index) <= GREP_MAX_BYTES)) large.push(tracked.paths.name(index));
  // git grep does not read symlinks, which are scanned as their target text (disk.ts): always read here.
  const excluded = new Set([...large, ...tracked.paths.symlinks()]);
  const search = literalSearch(dir, tracked.paths.length, { scope: "tracked", exclude: large }, options);
  const untracked = await untrackedListing;
  // A bare repository lists its index but has no work tree to walk: walked like a folder outside git.
  if ("failed" in untracked) return walkInstead(untracked.failed);
  for (const message of [...tracked.warnings, ...untracked.warnings]) listed.warnings.push({ code: "walk", message });
  // Env files: which of them git ignores (untracked: where keys belong; tracked: ignored too late).
  const trackedEnv = tracked.paths.namesWhereBasename(isEnvName);
  const untrackedEnv = untracked.paths.filter((rel) => /^\.env(?:\.|$)/i.test(basename(rel)));
  const ignored = (await ignoredPaths(dir, options.env, [...trackedEnv, ...untrackedEnv])) ?? new Set<string>();
  const ignoredEnv = untrackedEnv.filter((rel) => ignored.has(rel));
  const plainUntracked = ignoredEnv.length === 0 ? untracked.paths : untracked.paths.filter((rel) => !ignored.has(rel));
  const untrackedNames = namesOf(plainUntracked, (rel) => fileSize(pathOf(dir, rel, untracked.raw)), untracked.raw);
  const untrackedSearch = searchUntracked(dir, untrackedNames, options);
  const base = { prefix, displayPrefix, repoPrefix, ignoredButTracked: new Set(trackedEnv.filter((rel) => ignored.has(rel))), folder: prefix };
  const listedAs = (name: string) => [...tracked.paths.namesWhereBasename(basenameIs(name)), ...named(plainUntracked, name)];
  const discovery = discover(dir, options, listedAs("package.json"), listedAs("manifest.json"));
  // A React Native / Expo app's own sources ship inside the app: client code.
  const shipped = discovery.mobile ? markShipped(prefix, listed) : null;
  groups.push({ ...base, names: tracked.paths, kindOf: (rel) => (shipped?.(rel) ? "client" : "tracked"), search, excluded, role: "tree" });
  groups.push({ ...base, names: untrackedNames, kindOf: (rel) => (shipped?.(rel) ? "client" : "untracked"), search: untrackedSearch.search, excluded: untrackedSearch.excluded, role: "tree" });
  // Env files git ignores are read for the rules about them, never cleared by the search (git grep skips ignored files).
  if (ignoredEnv.length > 0) groups.push({ ...base, names: namesOf(ignoredEnv, () => Number.NaN, untracked.raw), kindOf: () => "ignored", search: null, excluded: new Set(), role: "ignored-env" });
  for (const clientDir of discovery.dirs) addClientDir(clientDir, options, groups, listed, repoRoot);
}

/** Client output under `dir`, found from the package.json and manifest.json files listed there (names relative to `dir`). */
function discover(dir: string, options: WorktreeOptions, packageJsons: readonly string[], manifests: readonly string[]): ClientDiscovery {
  if (!options.discoverClient) return { dirs: [], mobile: false };
  const inPackages = packageJsons.map((rel) => join(dir, rel)).filter((file) => !file.includes(`${sep}node_modules${sep}`));
  return discoverClientOutput(dir, inPackages, manifests.map((rel) => join(dir, rel)), []);
}

/** The names in `rels` whose last part is `name`. */
function named(rels: readonly string[], name: string): string[] {
  return rels.filter((rel) => rel === name || rel.endsWith(`/${name}`));
}

/** A mobile app folder: its shipped sources are client code (and said so once). */
function markShipped(prefix: string, listed: Listed): (rel: string) => boolean {
  listed.clientDirs.push({ dir: prefix, reason: "React Native / Expo app sources" });
  return isShippedAppSource;
}

/** `.env` and `.env.<anything>`, whatever the case (`.ENV.local`): the names git's ignore rules are asked about. */
function isEnvName(bytes: Buffer, start: number, end: number): boolean {
  const length = end - start;
  // `| 0x20` lower-cases an ASCII letter.
  if (length < 4 || bytes[start] !== 0x2e || (bytes[start + 1]! | 0x20) !== 0x65 || (bytes[start + 2]! | 0x20) !== 0x6e || (bytes[start + 3]! | 0x20) !== 0x76) return false;
  return length === 4 || bytes[start + 4] === 0x2e;
}

function basenameIs(name: string): (bytes: Buffer, start: number, end: number) => boolean {
  const wanted = Buffer.from(name);
  return (bytes, start, end) => end - start === wanted.length && bytes.compare(wanted, 0, wanted.length, start, end) === 0;
}

function basename(rel: string): string {
  return rel.slice(rel.lastIndexOf("/") + 1);
}

/** What a listed tree's files can be: repository files, and shipped sources of a mobile app. */
const TREE_SCOPES: readonly Scope[] = ["repository", "shipped"];

/** Below this many files, reading them all costs less than starting git grep. */
const PREFILTER_MIN_FILES = 64;
/** git grep reads a file whole into memory: larger files are read by lumenguard, in chunks. */
const GREP_MAX_BYTES = 16 << 20;

/**
 * Starts git grep over a folder's files (`count` of them) for the plan's literals; resolves to the
 * files that hold a literal, or null when every file must be read (a rule that reads every file,
 * git grep unable to answer). Null at once for too few files.
 */
function literalSearch(dir: string, count: number, where: Pick<GrepOptions, "scope" | "paths" | "exclude" | "excludeGlobs">, options: WorktreeOptions): Promise<Set<string> | null> | null {
  // Client output is shipped code; a tree holds repository files and, in a mobile app, shipped sources.
  const prefilter = options.prefilter === false ? null : prefilterFor(options.plan, where.scope === "no-index" && where.paths === undefined ? ["shipped"] : TREE_SCOPES);
  if (prefilter === null || count < PREFILTER_MIN_FILES) return null;
  // Archives and compressed files under any name hold their literals compressed: their magic numbers are searched too.
  // A Git LFS pointer holds no literal, but stands for content that may (disk.ts reads it): always read.
  return grepFiles({ cwd: dir, env: options.env, literals: [...searchLiterals(prefilter), ...CONTAINER_MAGIC, ...LFS_POINTER_STARTS], ...where });
}

/** Up to this many untracked files are read by lumenguard (the engine checks each for literals in memory); more are searched with git grep first. */
const UNTRACKED_READ_MAX = 256;
/** Untracked files are named to git grep on its command line, this many bytes of names at a time (Windows allows 32,767 characters in all). */
const ARGUMENT_BYTES = 24 << 10;

/**
 * The untracked files' search: none for a few (read them all), else `git grep --no-index` over
 * exactly those files, named in batches — never a second walk of the folder. Files too large for
 * git grep, or of unknown size, are left out and read.
 */
function searchUntracked(dir: string, names: Names, options: WorktreeOptions): { search: Promise<Set<string> | null> | null; excluded: ReadonlySet<string> } {
  if (names.length <= UNTRACKED_READ_MAX) return { search: null, excluded: new Set() };
  const excluded = new Set<string>();
  const batches: string[][] = [[]];
  let bytes = 0;
  for (let index = 0; index < names.length; index++) {
    const rel = names.name(index);
    // A name that is not UTF-8 cannot be named to git grep as text: read here.
    if (!(names.size(index) <= GREP_MAX_BYTES) || names.rawOf(rel) !== undefined) {
      excluded.add(rel);
      continue;
    }
    if (bytes + rel.length > ARGUMENT_BYTES) {
      batches.push([]);
      bytes = 0;
    }
    batches.at(-1)!.push(rel);
    bytes += rel.length + 12;
  }
  const search = (async () => {
    const found = new Set<string>();
    for (const paths of batches) {
      const batch = await literalSearch(dir, Infinity, { scope: "no-index", paths }, options);
      if (batch === null) return null;
      for (const rel of batch) found.add(rel);
    }
    return found;
  })();
  return { search, excluded };
}

/** `dir/rel` on disk: by its bytes when its name is not valid UTF-8. */
function pathOf(dir: string, rel: string, raw: ReadonlyMap<string, Buffer>): string | Buffer {
  const bytes = raw.get(rel);
  return bytes === undefined ? join(dir, rel) : Buffer.concat([Buffer.from(dir.endsWith(sep) ? dir : dir + sep), bytes]);
}

function fileSize(path: string | Buffer): number {
  try {
    const stat = lstatSync(path);
    return stat.isFile() ? stat.size : Infinity;
  } catch {
    return Infinity;
  }
}

function walk(dir: string, why: string, listed: Listed, raw: Map<string, Buffer>): string[] {
  if (why === "git-missing") listed.warnings.push({ code: "walk", message: "git was not found on PATH; walked the directory instead, honouring .gitignore files" });
  else if (why !== "not-a-repository") listed.warnings.push({ code: "walk", message: `git ls-files failed (${why}); walked ${dir} instead, honouring .gitignore` });
  let ignored = 0;
  const files = walkHonouringGitignore(
    dir,
    (relDir, code) => listed.warnings.push({ code: "walk", message: `${relDir || "."}: folder could not be read (${code}); its files were not scanned` }),
    (relPath, detail) => listed.warnings.push({ code: "walk", message: `${relPath} ${detail}: it was not read, and its folder was scanned as if it had none` }),
    raw,
    (count) => (ignored = count),
  );
  // A folder whose own .gitignore says `*` (build output, an unpacked release) would pass as an
  // empty scan: say that nothing was read, and why.
  if (files.length === 0 && ignored > 0) {
    listed.warnings.push({ code: "walk", message: `${dir}: every file there is ignored by its .gitignore files (${ignored} left out), so nothing was scanned; name the files to scan them, or use --bundles for build output` });
  }
  return files;
}

function addClientDir(clientDir: ClientDir, options: WorktreeOptions, groups: Group[], listed: Listed, repoRoot: string | null): void {
  listed.clientDirs.push(clientDir);
  const prefix = clientDir.dir.endsWith(sep) ? clientDir.dir : clientDir.dir + sep;
  const rawAbs = new Map<string, Buffer>();
  const rels = listClientFiles(clientDir.dir, clientDir.dir, rawAbs).map((absPath) => absPath.slice(prefix.length));
  const prefixBytes = Buffer.byteLength(prefix);
  const raw = new Map([...rawAbs].map(([absPath, bytes]) => [absPath.slice(prefix.length), bytes.subarray(prefixBytes)]));
  const names = namesOf(rels, (rel) => fileSize(pathOf(prefix, rel, raw)), raw);
  const large: string[] = [];
  for (let index = 0; index < names.length; index++) if (!(names.size(index) <= GREP_MAX_BYTES)) large.push(names.name(index));
  const search = literalSearch(clientDir.dir, rels.length, { scope: "no-index", exclude: large, excludeGlobs: ["**/node_modules/**", "**/.git/**"] }, options);
  const displayPrefix = toPosix(relative(options.root, clientDir.dir));
  const repoPrefix = repoRoot === null ? null : toPosix(relative(repoRoot, clientDir.dir));
  groups.push({
    prefix,
    displayPrefix: displayPrefix === "" ? "" : `${displayPrefix}/`,
    repoPrefix: repoPrefix === null || repoPrefix.startsWith("..") ? null : repoPrefix === "" ? "" : `${repoPrefix}/`,
    names,
    kindOf: () => "client",
    ignoredButTracked: new Set(),
    search,
    excluded: new Set(large),
    role: "client",
    folder: prefix,
  });
}

/**
 * A React Native / Expo app ships its sources inside the app: its code and native folders are
 * client code — build scripts, tests and tool configs are not.
 */
const APP_SOURCE = /\.(?:[cm]?[jt]sx?|java|kt|swift|m|mm|plist|xml|gradle|properties|json)$/;
const NOT_SHIPPED = /(?:^|\/)(?:scripts|tests?|__tests__|__mocks__|e2e|server|api|node_modules)\/|(?:^|\/)[^/]*\.config\.[cm]?[jt]s$|(?:^|\/)package(?:-lock)?\.json$/;

function isShippedAppSource(rel: string): boolean {
  return APP_SOURCE.test(rel) && !NOT_SHIPPED.test(rel);
}

/** `.env` or `.env.<anything>`, in any case: the files the dotenv rules are about (templates included; the rules exempt them). */
const ENV_NAME = /(?:^|\/)\.env(?:\.[^/]*)?$/i;

/**
 * An env file named on the command line is judged as a folder scan judges it: by how git sees
 * it. An ignored one is where keys belong (no `lumenfall-key` finding; still read for public
 * prefixes and keys shared between environments), an untracked one is `dotenv-unignored`, a
 * tracked one `dotenv-tracked`. Other given files are scanned as given.
 */
function judgeGivenEnvFiles(given: DiskFile[], env: NodeJS.ProcessEnv): void {
  const byRoot = new Map<string, DiskFile[]>();
  for (const entry of given) {
    const { repoPath } = entry.file;
    if (repoPath === undefined || !ENV_NAME.test(repoPath)) continue;
    const root = entry.file.absPath.slice(0, entry.file.absPath.length - repoPath.length);
    byRoot.set(root, [...(byRoot.get(root) ?? []), entry]);
  }
  for (const [root, entries] of byRoot) {
    const statuses = workTreeStatus(root, entries.map((entry) => entry.file.repoPath as string), env);
    if (statuses === null) continue;
    for (const { file } of entries) {
      const status = statuses.get(file.repoPath as string);
      if (status === "ignored") file.kind = "ignored";
      else if (status === "untracked") file.kind = "untracked";
      else if (status !== undefined) {
        file.kind = "tracked";
        if (status === "tracked-ignored") file.ignoredButTracked = true;
      }
    }
  }
}

function withRepoPath(file: SourceFile, repoRoot: string | null): SourceFile {
  if (repoRoot === null) return file;
  const rel = relative(repoRoot, file.absPath);
  if (!rel.startsWith("..") && !rel.startsWith(sep)) file.repoPath = toPosix(rel);
  return file;
}

/** `link`: a symlink inside a git work tree that leads nowhere readable (dangling), scanned as its target text. */
function kindOf(path: string): "dir" | "file" | "link" | "other" | "missing" {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? "dir" : stat.isFile() ? "file" : "other";
  } catch (error) {
    // A symlink loop exists; it is just not readable.
    if ((error as NodeJS.ErrnoException).code === "ELOOP") return "other";
    return isSymlink(path) && repoRootOf(dirname(path)) !== null ? "link" : "missing";
  }
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
