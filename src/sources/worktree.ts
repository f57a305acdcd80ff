import { lstatSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { EnginePlan } from "../engine/plan.js";
import { grepFiles } from "../git/grep-files.js";
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
  const kept = listed.files.filter(({ file }) => !session.isIgnored(file.absPath));
  // Files a literal search cleared were read by git grep, not by the engine: counted, not read again.
  const files = kept.filter((entry) => !entry.cleared);
  for (const entry of kept) {
    if (!entry.cleared) continue;
    session.stats.files++;
    session.stats.bytes += entry.size ?? 0;
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

/** A listed file, and what the literal search knows of it. */
interface ListedFile extends DiskFile {
  /** Its size in bytes, when the listing knew it. */
  size?: number | undefined;
  /** A literal search read it and found none of the plan's literals: it cannot hold a finding. */
  cleared?: boolean;
}

interface Listed {
  files: ListedFile[];
  /** How many given paths did not exist. */
  missing: number;
  /** How many given paths were FIFOs, sockets, devices or symlink loops. */
  special: number;
  warnings: Warning[];
  clientDirs: ClientDir[];
}

async function collectFiles(options: WorktreeOptions): Promise<Listed> {
  const listed: Listed = { files: [], missing: 0, special: 0, warnings: [], clientDirs: [] };
  const byPath = new Map<string, ListedFile>();
  const searches: Array<Promise<void>> = [];
  // Several paths may overlap (`a.ts . a.ts`); client output wins over a plain listing.
  const add = (entry: ListedFile) => {
    const known = byPath.get(entry.file.absPath);
    if (known && !(entry.file.kind === "client" && known.file.kind !== "client")) return;
    byPath.set(entry.file.absPath, entry);
  };
  for (const path of options.paths) {
    const absPath = resolve(options.cwd, path);
    const kind = kindOf(absPath);
    if (kind === "missing") {
      listed.missing++;
      listed.warnings.push({ code: "path-missing", message: `${path} does not exist; nothing was scanned there`, file: path });
    } else if (kind === "other") {
      listed.special++;
      listed.warnings.push({ code: "path-special", message: `${path} is not a regular file or folder (a FIFO, socket, device or symlink loop); skipped`, file: path });
    } else if (kind === "file") {
      const repoRoot = repoRootOf(dirname(absPath));
      add({ file: withRepoPath({ path: toPosix(path), kind: "given", absPath }, repoRoot), followSymlinks: true });
    } else {
      await addFolder(absPath, options, add, listed, byPath, searches);
    }
  }
  const bundles = options.bundles.filter((dir) => !listed.clientDirs.some((known) => known.dir === dir));
  for (const dir of bundles) addClientDir({ dir, reason: "given with --bundles or config bundles" }, options, add, listed, repoRootOf(dir), searches, byPath);
  await Promise.all(searches);
  listed.files = [...byPath.values()];
  return listed;
}

async function addFolder(dir: string, options: WorktreeOptions, add: (entry: ListedFile) => void, listed: Listed, byPath: Map<string, ListedFile>, searches: Array<Promise<void>>): Promise<void> {
  const ignoredEnv = listIgnoredEnvFiles(dir, options.env);
  const git = gitListFiles(dir, options.env);
  const inGit = !("failed" in git);
  const files = inGit ? git.files : walk(dir, git.failed, listed);
  // What git would commit is searched by git grep at once, while the rest of the listing goes on.
  const sizes = inGit ? git.sizes : new Map<string, number>();
  if (inGit) for (const rel of git.untracked) sizes.set(rel, fileSize(join(dir, rel)));
  const search = inGit ? literalSearch(dir, files, sizes, options, false) : null;
  if (inGit) for (const message of git.warnings) listed.warnings.push({ code: "walk", message });
  const repoRoot = inGit ? repoRootOf(dir) : null;
  // Names are joined as strings: path.join/relative per file cost more than the reading.
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const displayPrefix = dir === options.root ? "" : `${toPosix(relative(options.root, dir))}/`;
  const repoPrefix = repoRoot === null ? null : dir === repoRoot ? "" : `${toPosix(relative(repoRoot, dir))}/`;
  const packageJsons: string[] = [];
  const manifests: string[] = [];
  const entry = (rel: string, kind: FileKind): ListedFile => {
    const file: SourceFile = { path: displayPrefix + rel, kind, absPath: prefix + rel };
    if (repoPrefix !== null) file.repoPath = repoPrefix + rel;
    return { file, followSymlinks: false, size: sizes.get(rel) };
  };
  for (const rel of files) {
    // Outside git there is no git status: the files are read as given files are.
    add(entry(rel, !inGit ? "given" : git.untracked.has(rel) ? "untracked" : "tracked"));
    if (rel === "package.json" || rel.endsWith("/package.json")) packageJsons.push(prefix + rel);
    else if (rel === "manifest.json" || rel.endsWith("/manifest.json")) manifests.push(prefix + rel);
  }
  const envFiles = inGit ? await ignoredEnv : { untracked: [], tracked: [] };
  for (const rel of envFiles.untracked) add(entry(rel, "ignored"));
  for (const rel of envFiles.tracked) {
    const known = byPath.get(prefix + rel);
    if (known) known.file.ignoredButTracked = true;
  }
  if (search) searches.push(clear(search, prefix, byPath, options.plan));
  if (!options.discoverClient) return;
  const discovery = discoverClientOutput(dir, packageJsons.filter((file) => !file.includes(`${sep}node_modules${sep}`)), manifests, []);
  for (const clientDir of discovery.dirs) addClientDir(clientDir, options, add, listed, repoRoot, searches, byPath);
  if (discovery.mobile) {
    for (const rel of files) if (isShippedAppSource(rel)) add(entry(rel, "client"));
    listed.clientDirs.push({ dir: prefix, reason: "React Native / Expo app sources" });
  }
}

/** Below this many files, reading them all costs less than starting git grep. */
const PREFILTER_MIN_FILES = 64;
/** git grep reads a file whole into memory: larger files are read by lumenguard, in chunks. */
const GREP_MAX_BYTES = 16 << 20;

/**
 * Starts git grep over `files` (relative to `dir`) for the plan's literals, leaving out files too
 * large for it or of unknown size; resolves to the files that hold a literal, or null when no
 * search ran (too few files, a rule that reads every file, git grep unable to answer).
 */
function literalSearch(dir: string, files: readonly string[], sizes: Map<string, number>, options: WorktreeOptions, noIndex: boolean): Promise<Set<string> | null> | null {
  const prefilter = options.prefilter === false ? null : prefilterFor(options.plan);
  if (prefilter === null || files.length < PREFILTER_MIN_FILES) return null;
  const exclude = files.filter((rel) => !((sizes.get(rel) ?? Infinity) <= GREP_MAX_BYTES));
  const excludeGlobs = noIndex ? ["**/node_modules/**", "**/.git/**"] : [];
  const search = (literals: string[]) => (literals.length === 0 ? Promise.resolve(new Set<string>()) : grepFiles({ cwd: dir, env: options.env, literals, noIndex, exclude, excludeGlobs }));
  // Byte strings with a NUL (the UTF-16 form of a key) need git grep -P: searched on their own, at the same time.
  const binary = (literal: string) => literal.includes("\0");
  const literals = searchLiterals(prefilter);
  return Promise.all([search(literals.filter((literal) => !binary(literal))), search(literals.filter(binary))]).then(([text, utf16]) => {
    // null: git grep could not answer; every file is read.
    if (text === null || utf16 === null) return null;
    const holding = new Set([...text, ...utf16]);
    // Only files git grep read can be cleared: the excluded ones are read here.
    const cleared = new Set(files);
    for (const rel of exclude) cleared.delete(rel);
    for (const rel of holding) cleared.delete(rel);
    return cleared;
  });
}

/** Marks the listed files under `prefix` that the search read and cleared, except those read whatever they hold. */
async function clear(search: Promise<Set<string> | null>, prefix: string, byPath: Map<string, ListedFile>, plan: EnginePlan): Promise<void> {
  const cleared = await search;
  const prefilter = prefilterFor(plan);
  if (cleared === null || prefilter === null) return;
  for (const rel of cleared) {
    const entry = byPath.get(prefix + rel);
    if (entry && entry.file.kind !== "ignored" && !mustRead(entry.file, prefilter)) entry.cleared = true;
  }
}

function fileSize(path: string): number {
  try {
    const stat = lstatSync(path);
    return stat.isFile() ? stat.size : Infinity;
  } catch {
    return Infinity;
  }
}

function walk(dir: string, why: string, listed: Listed): string[] {
  if (why === "git-missing") listed.warnings.push({ code: "walk", message: "git was not found on PATH; walked the directory instead, honouring .gitignore files" });
  else if (why !== "not-a-repository") listed.warnings.push({ code: "walk", message: `git ls-files failed (${why}); walked ${dir} instead, honouring .gitignore` });
  return walkHonouringGitignore(dir, (relDir, code) =>
    listed.warnings.push({ code: "walk", message: `${relDir || "."}: folder could not be read (${code}); its files were not scanned` }),
  );
}

function addClientDir(clientDir: ClientDir, options: WorktreeOptions, add: (entry: ListedFile) => void, listed: Listed, repoRoot: string | null, searches: Array<Promise<void>>, byPath: Map<string, ListedFile>): void {
  listed.clientDirs.push(clientDir);
  const absPaths = listClientFiles(clientDir.dir, clientDir.dir);
  const prefix = clientDir.dir.endsWith(sep) ? clientDir.dir : clientDir.dir + sep;
  const rels = absPaths.map((absPath) => absPath.slice(prefix.length));
  const sizes = new Map(rels.map((rel) => [rel, fileSize(prefix + rel)]));
  const search = literalSearch(clientDir.dir, rels, sizes, options, true);
  for (const absPath of absPaths) {
    const file: SourceFile = { path: toPosix(relative(options.root, absPath)), kind: "client", absPath };
    const trace = traceSpecFor(absPath, options.root);
    if (trace) file.trace = trace;
    add({ file: withRepoPath(file, repoRoot), followSymlinks: false, size: sizes.get(absPath.slice(prefix.length)) });
  }
  if (search) searches.push(clear(search, prefix, byPath, options.plan));
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

function kindOf(path: string): "dir" | "file" | "other" | "missing" {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? "dir" : stat.isFile() ? "file" : "other";
  } catch (error) {
    // A symlink loop exists; it is just not readable.
    return (error as NodeJS.ErrnoException).code === "ELOOP" ? "other" : "missing";
  }
}
