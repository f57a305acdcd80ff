import { statSync } from "node:fs";
import { dirname, relative, resolve, sep } from "node:path";
import { ScanError } from "../errors.js";
import { gitListFiles, listIgnoredEnvFiles } from "../git/list-files.js";
import { repoRootOf } from "../git/work-tree-root.js";
import type { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";
import type { FileKind, Warning } from "../types.js";
import { discoverClientOutput, listClientFiles, type ClientDir } from "./client-output.js";
import { toPosix } from "./paths.js";
import { traceSpecFor } from "./source-maps.js";
import { ScanThreads, type DiskFile } from "./threads.js";
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
}

/**
 * Lists and scans the paths.
 * @throws ScanError (exit 3) when nothing given exists or nothing given is readable.
 */
export async function scanWorktree(session: ScanSession, options: WorktreeOptions): Promise<void> {
  // Folders may hold thousands of files: start helper threads now, while git lists them.
  const folders = options.bundles.length > 0 || options.paths.some((path) => kindOf(resolve(options.cwd, path)) === "dir");
  const threads = new ScanThreads(folders ? options.jobs - 1 : 0);
  try {
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
    await threads.scan(files, session, options.onFile);
    if (given > 0 && session.stats.files === 0 && session.stats.skipped > 0) {
      throw new ScanError(`no input could be read: all ${session.stats.skipped} file(s) were unreadable`);
    }
  } finally {
    threads.close();
  }
}

interface Listed {
  files: DiskFile[];
  /** How many given paths did not exist. */
  missing: number;
  /** How many given paths were FIFOs, sockets, devices or symlink loops. */
  special: number;
  warnings: Warning[];
  clientDirs: ClientDir[];
}

async function collectFiles(options: WorktreeOptions): Promise<Listed> {
  const listed: Listed = { files: [], missing: 0, special: 0, warnings: [], clientDirs: [] };
  const byPath = new Map<string, DiskFile>();
  // Several paths may overlap (`a.ts . a.ts`); client output wins over a plain listing.
  const add = (entry: DiskFile) => {
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
      await addFolder(absPath, options, add, listed, byPath);
    }
  }
  const bundles = options.bundles.filter((dir) => !listed.clientDirs.some((known) => known.dir === dir));
  for (const dir of bundles) addClientDir({ dir, reason: "given with --bundles or config bundles" }, options, add, listed, repoRootOf(dir));
  listed.files = [...byPath.values()];
  return listed;
}

async function addFolder(dir: string, options: WorktreeOptions, add: (entry: DiskFile) => void, listed: Listed, byPath: Map<string, DiskFile>): Promise<void> {
  const ignoredEnv = listIgnoredEnvFiles(dir, options.env);
  const git = gitListFiles(dir, options.env);
  const inGit = !("failed" in git);
  const files = inGit ? git.files : walk(dir, git.failed, listed);
  if (inGit) for (const message of git.warnings) listed.warnings.push({ code: "walk", message });
  const repoRoot = inGit ? repoRootOf(dir) : null;
  // Names are joined as strings: path.join/relative per file cost more than the reading.
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const displayPrefix = dir === options.root ? "" : `${toPosix(relative(options.root, dir))}/`;
  const repoPrefix = repoRoot === null ? null : dir === repoRoot ? "" : `${toPosix(relative(repoRoot, dir))}/`;
  const packageJsons: string[] = [];
  const manifests: string[] = [];
  const entry = (rel: string, kind: FileKind): DiskFile => {
    const file: SourceFile = { path: displayPrefix + rel, kind, absPath: prefix + rel };
    if (repoPrefix !== null) file.repoPath = repoPrefix + rel;
    return { file, followSymlinks: false };
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
  if (!options.discoverClient) return;
  const discovery = discoverClientOutput(dir, packageJsons.filter((file) => !file.includes(`${sep}node_modules${sep}`)), manifests, []);
  for (const clientDir of discovery.dirs) addClientDir(clientDir, options, add, listed, repoRoot);
  if (discovery.mobile) {
    for (const rel of files) if (isShippedAppSource(rel)) add(entry(rel, "client"));
    listed.clientDirs.push({ dir: prefix, reason: "React Native / Expo app sources" });
  }
}

function walk(dir: string, why: string, listed: Listed): string[] {
  if (why === "git-missing") listed.warnings.push({ code: "walk", message: "git was not found on PATH; walked the directory instead, honouring .gitignore files" });
  else if (why !== "not-a-repository") listed.warnings.push({ code: "walk", message: `git ls-files failed (${why}); walked ${dir} instead, honouring .gitignore` });
  return walkHonouringGitignore(dir, (relDir, code) =>
    listed.warnings.push({ code: "walk", message: `${relDir || "."}: folder could not be read (${code}); its files were not scanned` }),
  );
}

function addClientDir(clientDir: ClientDir, options: WorktreeOptions, add: (entry: DiskFile) => void, listed: Listed, repoRoot: string | null): void {
  listed.clientDirs.push(clientDir);
  for (const absPath of listClientFiles(clientDir.dir, clientDir.dir)) {
    const file: SourceFile = { path: toPosix(relative(options.root, absPath)), kind: "client", absPath };
    const trace = traceSpecFor(absPath, options.root);
    if (trace) file.trace = trace;
    add({ file: withRepoPath(file, repoRoot), followSymlinks: false });
  }
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
