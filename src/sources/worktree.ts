import { lstatSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { EnginePlan } from "../engine/plan.js";
import type { Scope } from "../engine/rule.js";
import { grepFiles } from "../git/grep-files.js";
import { LFS_POINTER_STARTS } from "../git/object-content.js";
import { mustRead, prefilterFor, searchLiterals } from "../scanning/prefilter.js";
import { ScanError } from "../errors.js";
import { gitListFiles, listIgnoredEnvFiles } from "../git/list-files.js";
import { repoRootOf } from "../git/work-tree-root.js";
import type { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";
import type { FileKind, Warning } from "../types.js";
import { discoverClientOutput, listClientFiles, type ClientDir } from "./client-output.js";
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
}

/**
 * Lists and scans the paths.
 * @throws ScanError (exit 3) when nothing given exists or nothing given is readable.
 */
export async function scanWorktree(session: ScanSession, options: WorktreeOptions): Promise<void> {
  const listed = await collectFiles(options);
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
  for (const { absPath, size } of listed.cleared) {
    if (session.isIgnored(absPath)) continue;
    session.stats.files++;
    session.stats.bytes += size;
  }
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
 * The files of one listed folder, kept as a list of relative names until the literal search has
 * spoken: a tree of 200,000 files, of which a handful hold a literal, costs 200,000 strings, not
 * 200,000 objects.
 */
interface Group {
  /** The folder, with a trailing separator. */
  prefix: string;
  /** What report names start with (relative to the scan root), and the path from the repository root. */
  displayPrefix: string;
  repoPrefix: string | null;
  rels: readonly string[];
  kindOf(rel: string): FileKind;
  /** Sizes in bytes, where known. */
  sizes: Map<string, number>;
  /** Names that are not valid UTF-8 (escaped in `rels`) → their bytes, relative to the folder. */
  raw: ReadonlyMap<string, Buffer>;
  ignoredButTracked: ReadonlySet<string>;
  /** The files holding a literal, or null: every file must be read. */
  search: Promise<Set<string> | null> | null;
  /** Files git grep did not read (too large, unknown size): always read here. */
  excluded: ReadonlySet<string>;
  /**
   * `tree`: a folder's listing; `ignored-env`: the env files git ignores in it; `client`: client
   * output, whose files take precedence over a plain listing of the same file and are traced.
   */
  role: "tree" | "ignored-env" | "client";
}

interface Listed {
  /** The files to read. */
  files: DiskFile[];
  /** Files the literal search read and cleared, with their sizes: counted, not read again. */
  cleared: Array<{ absPath: string; size: number }>;
  /** How many given paths did not exist. */
  missing: number;
  /** How many given paths were FIFOs, sockets, devices or symlink loops. */
  special: number;
  warnings: Warning[];
  clientDirs: ClientDir[];
}

async function collectFiles(options: WorktreeOptions): Promise<Listed> {
  const listed: Listed = { files: [], cleared: [], missing: 0, special: 0, warnings: [], clientDirs: [] };
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
  const bundles = options.bundles.filter((dir) => !listed.clientDirs.some((known) => known.dir === dir));
  for (const dir of bundles) addClientDir({ dir, reason: "given with --bundles or config bundles" }, options, groups, listed, repoRootOf(dir));
  await settle(given, groups, options, listed);
  return listed;
}

/**
 * Decides, once the searches are done, which files to read: given files, then client output,
 * then plain listings — a file listed twice is read once, as the first of these (client output
 * wins over the tree that holds it). A file the search cleared is counted instead.
 */
async function settle(given: DiskFile[], groups: Group[], options: WorktreeOptions, listed: Listed): Promise<void> {
  const taken = new Set<string>();
  for (const entry of given) {
    if (taken.has(entry.file.absPath)) continue;
    taken.add(entry.file.absPath);
    listed.files.push(entry);
  }
  const ordered = [...groups.filter((group) => group.role === "client"), ...groups.filter((group) => group.role !== "client")];
  const done: Group[] = [];
  for (const group of ordered) {
    // A folder inside one already listed (`scan a a/b`) adds nothing.
    if (group.role === "tree" && done.some((other) => other.role === "tree" && group.prefix.startsWith(other.prefix))) continue;
    const overlaps = given.length > 0 || done.some((other) => other.role === "client" && (other.prefix.startsWith(group.prefix) || group.prefix.startsWith(other.prefix)));
    const holding = group.search ? await group.search : null;
    const prefilter = options.prefilter === false ? null : prefilterFor(options.plan, group.role === "client" ? ["shipped"] : TREE_SCOPES);
    for (const rel of group.rels) {
      const absPath = group.prefix + rel;
      if (overlaps && taken.has(absPath)) continue;
      if (group.role === "client") taken.add(absPath);
      const kind = group.kindOf(rel);
      // Read: what the search found, what it did not search, and files judged by name or compressed.
      const read = holding === null || prefilter === null || group.excluded.has(rel) || holding.has(rel) || mustRead(group.displayPrefix + rel, kind, prefilter);
      if (read) listed.files.push({ file: fileOf(group, rel, kind, options), followSymlinks: false });
      else listed.cleared.push({ absPath, size: group.sizes.get(rel) ?? 0 });
    }
    done.push(group);
  }
}

function fileOf(group: Group, rel: string, kind: FileKind, options: WorktreeOptions): SourceFile {
  const absPath = group.prefix + rel;
  const file: SourceFile = { path: group.displayPrefix + rel, kind, absPath };
  if (group.repoPrefix !== null) file.repoPath = group.repoPrefix + rel;
  if (group.ignoredButTracked.has(rel)) file.ignoredButTracked = true;
  const rawRel = group.raw.get(rel);
  if (rawRel !== undefined) file.rawPath = Buffer.concat([Buffer.from(group.prefix), rawRel]);
  // A source map is looked for by the file's name: one that is not UTF-8 is reported where it is.
  if (kind === "client" && rawRel === undefined) {
    const trace = traceSpecFor(absPath, options.root);
    if (trace) file.trace = trace;
  }
  return file;
}

async function addFolder(dir: string, options: WorktreeOptions, groups: Group[], listed: Listed): Promise<void> {
  const ignoredEnv = listIgnoredEnvFiles(dir, options.env);
  const git = gitListFiles(dir, options.env);
  const inGit = !("failed" in git);
  const raw = inGit ? git.raw : new Map<string, Buffer>();
  const files = inGit ? git.files : walk(dir, git.failed, listed, raw);
  // What git would commit is searched by git grep at once, while the rest of the listing goes on.
  const sizes = inGit ? git.sizes : new Map<string, number>();
  if (inGit) for (const rel of git.untracked) sizes.set(rel, fileSize(pathOf(dir, rel, raw)));
  // git grep skips symlinks, which are scanned as their target text: always read here, like files too large for it.
  const excluded = new Set(files.filter((rel) => !((sizes.get(rel) ?? Infinity) <= GREP_MAX_BYTES) || (inGit && git.symlinks.has(rel))));
  const search = inGit ? literalSearch(dir, files, excluded, options, false) : null;
  if (inGit) for (const message of git.warnings) listed.warnings.push({ code: "walk", message });
  const repoRoot = inGit ? repoRootOf(dir) : null;
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const displayPrefix = dir === options.root ? "" : `${toPosix(relative(options.root, dir))}/`;
  const repoPrefix = repoRoot === null ? null : dir === repoRoot ? "" : `${toPosix(relative(repoRoot, dir))}/`;
  const packageJsons: string[] = [];
  const manifests: string[] = [];
  for (const rel of files) {
    if (rel === "package.json" || rel.endsWith("/package.json")) packageJsons.push(prefix + rel);
    else if (rel === "manifest.json" || rel.endsWith("/manifest.json")) manifests.push(prefix + rel);
  }
  const envFiles = inGit ? await ignoredEnv : { untracked: [], tracked: [], raw: new Map<string, Buffer>() };
  const discovery = options.discoverClient ? discoverClientOutput(dir, packageJsons.filter((file) => !file.includes(`${sep}node_modules${sep}`)), manifests, []) : { dirs: [], mobile: false };
  // A React Native / Expo app's own sources ship inside the app: client code.
  const shipped = discovery.mobile ? new Set(files.filter(isShippedAppSource)) : null;
  if (shipped) listed.clientDirs.push({ dir: prefix, reason: "React Native / Expo app sources" });
  const base = { prefix, displayPrefix, repoPrefix, sizes, ignoredButTracked: new Set(envFiles.tracked) };
  // Outside git there is no git status: the files are read as given files are.
  const kindOfRel = (rel: string): FileKind => (shipped?.has(rel) ? "client" : !inGit ? "given" : git.untracked.has(rel) ? "untracked" : "tracked");
  groups.push({ ...base, raw, rels: files, kindOf: kindOfRel, search, excluded, role: "tree" });
  // Env files git ignores are read for the rules about them, never cleared by the search (git grep skips ignored files).
  if (envFiles.untracked.length > 0) groups.push({ ...base, raw: envFiles.raw, rels: envFiles.untracked, kindOf: () => "ignored", search: null, excluded: new Set(), role: "ignored-env" });
  for (const clientDir of discovery.dirs) addClientDir(clientDir, options, groups, listed, repoRoot);
}

/** What a listed tree's files can be: repository files, and shipped sources of a mobile app. */
const TREE_SCOPES: readonly Scope[] = ["repository", "shipped"];

/** Below this many files, reading them all costs less than starting git grep. */
const PREFILTER_MIN_FILES = 64;
/** git grep reads a file whole into memory: larger files are read by lumenguard, in chunks. */
const GREP_MAX_BYTES = 16 << 20;

/**
 * Starts git grep over `files` (relative to `dir`) for the plan's literals, leaving out
 * `excluded`; resolves to the files that hold a literal, or null when every file must be read
 * (too few files, a rule that reads every file, git grep unable to answer).
 */
function literalSearch(dir: string, files: readonly string[], excluded: ReadonlySet<string>, options: WorktreeOptions, noIndex: boolean): Promise<Set<string> | null> | null {
  // Client output is shipped code; a tree holds repository files and, in a mobile app, shipped sources.
  const prefilter = options.prefilter === false ? null : prefilterFor(options.plan, noIndex ? ["shipped"] : TREE_SCOPES);
  if (prefilter === null || files.length < PREFILTER_MIN_FILES) return null;
  const exclude = [...excluded];
  const excludeGlobs = noIndex ? ["**/node_modules/**", "**/.git/**"] : [];
  const search = (literals: string[]) => (literals.length === 0 ? Promise.resolve(new Set<string>()) : grepFiles({ cwd: dir, env: options.env, literals, noIndex, exclude, excludeGlobs }));
  // Byte strings with a NUL (the UTF-16 form of a key) need git grep -P: searched on their own, at the same time.
  const binary = (literal: string) => literal.includes("\0");
  // A Git LFS pointer holds no literal, but stands for content that may: it is always read.
  const literals = [...searchLiterals(prefilter), ...LFS_POINTER_STARTS];
  return Promise.all([search(literals.filter((literal) => !binary(literal))), search(literals.filter(binary))]).then(([text, utf16]) =>
    // null: git grep could not answer; every file is read.
    text === null || utf16 === null ? null : new Set([...text, ...utf16]),
  );
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
  return walkHonouringGitignore(
    dir,
    (relDir, code) => listed.warnings.push({ code: "walk", message: `${relDir || "."}: folder could not be read (${code}); its files were not scanned` }),
    raw,
  );
}

function addClientDir(clientDir: ClientDir, options: WorktreeOptions, groups: Group[], listed: Listed, repoRoot: string | null): void {
  listed.clientDirs.push(clientDir);
  const prefix = clientDir.dir.endsWith(sep) ? clientDir.dir : clientDir.dir + sep;
  const rawAbs = new Map<string, Buffer>();
  const rels = listClientFiles(clientDir.dir, clientDir.dir, rawAbs).map((absPath) => absPath.slice(prefix.length));
  const prefixBytes = Buffer.byteLength(prefix);
  const raw = new Map([...rawAbs].map(([absPath, bytes]) => [absPath.slice(prefix.length), bytes.subarray(prefixBytes)]));
  const sizes = new Map(rels.map((rel) => [rel, fileSize(pathOf(prefix, rel, raw))]));
  const excluded = new Set(rels.filter((rel) => !((sizes.get(rel) ?? Infinity) <= GREP_MAX_BYTES)));
  const search = literalSearch(clientDir.dir, rels, excluded, options, true);
  const displayPrefix = toPosix(relative(options.root, clientDir.dir));
  const repoPrefix = repoRoot === null ? null : toPosix(relative(repoRoot, clientDir.dir));
  groups.push({
    prefix,
    displayPrefix: displayPrefix === "" ? "" : `${displayPrefix}/`,
    repoPrefix: repoPrefix === null || repoPrefix.startsWith("..") ? null : repoPrefix === "" ? "" : `${repoPrefix}/`,
    rels,
    raw,
    kindOf: () => "client",
    sizes,
    ignoredButTracked: new Set(),
    search,
    excluded,
    role: "client",
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
