import { statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { discoverClientOutput, listClientFiles, type ClientDir } from "../sources/client-output.js";
import { listIgnoredEnvFiles, listWorktreeFiles } from "../sources/list-worktree.js";
import type { Warning } from "../types.js";

/**
 * Turns the paths a user gave into the files to read (SPEC §3.1, §3.4): folders are listed
 * (git, or a walk) together with the client output in them and the env files git ignores;
 * files are taken as given, literally — lint-staged passes names such as `app/[id]/page.tsx`
 * that must never be globbed.
 */
export interface Target {
  absPath: string;
  /** The name the report uses: relative to the scan root, or as given for a file argument. */
  display: string;
  /** Given by the user: symlinks are followed for these only. */
  explicit: boolean;
  /** git tracks it (listed folders inside a repository only). */
  tracked?: boolean;
  /** git ignores it (an ignored env file, listed for the rules that read those). */
  ignored?: boolean;
  /** Inside a repository, neither tracked nor ignored. */
  untracked?: boolean;
  /** Tracked although `.gitignore` matches it. */
  ignoredButTracked?: boolean;
  /** Client code: build output, an extension, a mobile app's sources (SPEC §3.4). */
  client?: boolean;
}

export interface TargetList {
  targets: Target[];
  /** How many given paths did not exist. */
  missing: number;
  /** How many given paths were FIFOs, sockets, devices or symlink loops. */
  special: number;
  warnings: Warning[];
  /** The client output folders that were found, for the report. */
  clientDirs: ClientDir[];
}

export interface TargetOptions {
  cwd: string;
  /** What report names are relative to. */
  displayRoot: string;
  env: NodeJS.ProcessEnv;
  /** Extra client output folders (absolute): config `bundles`, `--bundles`. */
  bundles: readonly string[];
  /** Look for client output in the folders given (a plain `scan`). */
  discoverClient: boolean;
}

export async function collectTargets(paths: readonly string[], options: TargetOptions): Promise<TargetList> {
  const list: TargetList = { targets: [], missing: 0, special: 0, warnings: [], clientDirs: [] };
  const byPath = new Map<string, Target>();
  // Several paths may overlap (`a.ts . a.ts`); client output wins over a plain listing.
  const add = (target: Target) => {
    const known = byPath.get(target.absPath);
    if (known && !(target.client && !known.client)) return;
    byPath.set(target.absPath, target);
  };
  for (const path of paths) {
    const absPath = resolve(options.cwd, path);
    const kind = kindOf(absPath);
    if (kind === "missing") {
      list.missing++;
      list.warnings.push({ code: "path-missing", message: `${path} does not exist; nothing was scanned there`, file: path });
    } else if (kind === "other") {
      list.special++;
      list.warnings.push({ code: "path-special", message: `${path} is not a regular file or folder (a FIFO, socket, device or symlink loop); skipped`, file: path });
    } else if (kind === "file") {
      add({ absPath, display: toPosix(path), explicit: true });
    } else {
      await addFolder(absPath, options, add, list, (file) => byPath.get(file));
    }
  }
  const bundles = options.bundles.filter((dir) => !list.clientDirs.some((known) => known.dir === dir));
  for (const dir of bundles) addClientDir({ dir, reason: "given with --bundles or config bundles" }, options, add, list);
  list.targets = [...byPath.values()];
  return list;
}

async function addFolder(dir: string, options: TargetOptions, add: (target: Target) => void, list: TargetList, known: (absPath: string) => Target | undefined): Promise<void> {
  const ignoredEnv = listIgnoredEnvFiles(dir, options.env);
  const listing = listWorktreeFiles(dir, options.env);
  for (const message of listing.warnings) list.warnings.push({ code: "walk", message });
  // Names are joined as strings: path.join/relative per file cost more than the reading.
  const prefix = dir.endsWith(sep) ? dir : dir + sep;
  const displayPrefix = dir === options.displayRoot ? "" : `${toPosix(relative(options.displayRoot, dir))}/`;
  const packageJsons: string[] = [];
  const manifests: string[] = [];
  for (const rel of listing.files) {
    const untracked = listing.inGit && listing.untracked.has(rel);
    add({ absPath: prefix + rel, display: displayPrefix + rel, explicit: false, tracked: listing.inGit && !untracked, untracked });
    if (rel === "package.json" || rel.endsWith("/package.json")) packageJsons.push(prefix + rel);
    else if (rel === "manifest.json" || rel.endsWith("/manifest.json")) manifests.push(prefix + rel);
  }
  const envFiles = listing.inGit ? await ignoredEnv : { untracked: [], tracked: [] };
  for (const rel of envFiles.untracked) add({ absPath: prefix + rel, display: displayPrefix + rel, explicit: false, ignored: true });
  for (const rel of envFiles.tracked) {
    const target = known(prefix + rel);
    if (target) target.ignoredButTracked = true;
  }
  if (!options.discoverClient) return;
  const discovery = discoverClientOutput(dir, packageJsons.filter((file) => !file.includes(`${sep}node_modules${sep}`)), manifests, []);
  for (const clientDir of discovery.dirs) addClientDir(clientDir, options, add, list);
  if (discovery.mobile) markMobileSources(list, prefix, add, listing.files, displayPrefix);
}

function addClientDir(clientDir: ClientDir, options: TargetOptions, add: (target: Target) => void, list: TargetList): void {
  list.clientDirs.push(clientDir);
  for (const file of listClientFiles(clientDir.dir, clientDir.dir)) {
    add({ absPath: file, display: toPosix(relative(options.displayRoot, file)), explicit: false, client: true });
  }
}

/**
 * A React Native / Expo app ships its sources inside the app (SPEC §2): its code and native
 * folders are client code — build scripts, tests and tool configs are not.
 */
const APP_SOURCE = /\.(?:[cm]?[jt]sx?|java|kt|swift|m|mm|plist|xml|gradle|properties|json)$/;
const NOT_SHIPPED = /(?:^|\/)(?:scripts|tests?|__tests__|__mocks__|e2e|server|api|node_modules)\/|(?:^|\/)[^/]*\.config\.[cm]?[jt]s$|(?:^|\/)package(?:-lock)?\.json$/;

function markMobileSources(list: TargetList, prefix: string, add: (target: Target) => void, files: string[], displayPrefix: string): void {
  for (const rel of files) {
    if (APP_SOURCE.test(rel) && !NOT_SHIPPED.test(rel)) add({ absPath: prefix + rel, display: displayPrefix + rel, explicit: false, client: true });
  }
  list.clientDirs.push({ dir: prefix, reason: "React Native / Expo app sources" });
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

export function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
