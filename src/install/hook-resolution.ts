import { accessSync, constants, readFileSync } from "node:fs";
import { dirname, isAbsolute, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { readRegularFile, shellQuote } from "../files.js";
import { MAX_PACKAGE_JSON_BYTES } from "../config/load-config.js";
import { commandOverride, ROOT_BIN, type HookResolution } from "./hook-command.js";
import type { GitRepo } from "./locate-repo.js";

/**
 * Which lumenguard the hooks `init` writes will run: the one `init` itself was run from,
 * recorded relative to the top of the work tree (husky and lefthook files are committed and run
 * in every clone, wherever that is), then the root `node_modules/.bin/lumenguard`, then
 * `lumenguard` on PATH (see shellScanCommand()).
 */
export function hookResolution(repo: GitRepo, cwd: string, committed: boolean, env: NodeJS.ProcessEnv): HookResolution {
  const override = commandOverride(env);
  if (override) return override;
  const running = runningLumenguard(cwd, repo.root, packageRootOf(import.meta.url));
  const candidates: string[] = [];
  if (running !== null) {
    const path = relative(repo.root, running.bin);
    // A path outside the work tree means nothing in another clone: only hooks that stay on this machine keep it.
    if (!path.startsWith("..") && !isAbsolute(path)) candidates.push(path.split(sep).join("/"));
    else if (!committed) candidates.push(running.bin);
  }
  return { kind: "search", candidates: candidates.filter((path) => path !== ROOT_BIN), install: installCommand(repo.root, running) };
}

/** Where a lumenguard is installed: its executable and the folder whose node_modules holds it. */
export interface InstalledLumenguard {
  /** An executable file (absolute): `<folder>/node_modules/.bin/lumenguard`, or the package's own bin script. */
  bin: string;
  /** The package folder whose `npm install` puts it back, or null when it is not under a node_modules. */
  folder: string | null;
}

/**
 * The lumenguard running now, as an installed executable: a `node_modules/.bin/lumenguard` in
 * `cwd` or a folder above it up to `root` (what `npx lumenguard init` ran), else the `.bin`
 * beside the running package's own node_modules folder, else the package's `bin/lumenguard.js`.
 * `packageRoot` is the running package's folder (null when unknown).
 */
export function runningLumenguard(cwd: string, root: string, packageRoot: string | null): InstalledLumenguard | null {
  for (let folder = cwd; ; folder = dirname(folder)) {
    const bin = join(folder, ROOT_BIN);
    if (isExecutable(bin)) return { bin, folder };
    if (folder === root || dirname(folder) === folder || relative(root, folder).startsWith("..")) break;
  }
  if (packageRoot === null) return null;
  const modules = packageRoot.lastIndexOf(`${sep}node_modules${sep}`);
  if (modules !== -1) {
    const folder = packageRoot.slice(0, modules);
    const bin = join(folder, ROOT_BIN);
    if (isExecutable(bin)) return { bin, folder };
  }
  const own = join(packageRoot, "bin", "lumenguard.js");
  return isExecutable(own) ? { bin: own, folder: null } : null;
}

/**
 * What lumenguard's README (Install) says when nothing better is known: lumenguard is not on the
 * npm registry, and a registry package of that name is another one, so a hook never advises
 * `npm install lumenguard`.
 */
export const INSTALL_FROM_SOURCE =
  "from lumenguard's git repository or a tarball packed from it, as its README (Install) shows; not `npm install lumenguard`: the npm registry's package of that name is not this one";

/**
 * The command that puts lumenguard back where `init` found it, for the hook's message: `npm
 * install` where package.json declares it (it names the git URL or tarball it came from), else
 * `npm install --save-dev <what npm installed it from>` when npm's lock file in node_modules
 * records a git URL or a tarball path, else {@link INSTALL_FROM_SOURCE}.
 */
function installCommand(root: string, running: InstalledLumenguard | null): string {
  const folder = running?.folder ?? null;
  const path = folder === null ? null : relative(root, folder);
  if (folder === null || path === null || path.startsWith("..") || isAbsolute(path)) return INSTALL_FROM_SOURCE;
  const source = declaresLumenguard(join(folder, "package.json")) ? "" : installedFrom(folder);
  const install = source === "" ? "npm install" : source === null ? null : `npm install --save-dev ${shellQuote(source)}`;
  if (install === null) return INSTALL_FROM_SOURCE;
  return path === "" ? install : `cd ${shellQuote(path.split(sep).join("/"))} && ${install}`;
}

/** Where npm installed `node_modules/lumenguard` from (`node_modules/.package-lock.json`), when it is a git URL or a tarball; else null. */
function installedFrom(folder: string): string | null {
  try {
    const lock = JSON.parse(readRegularFile(join(folder, "node_modules", ".package-lock.json"), MAX_PACKAGE_JSON_BYTES * 64)?.toString("utf8") ?? "{}") as { packages?: Record<string, { resolved?: unknown }> };
    const resolved = lock.packages?.["node_modules/lumenguard"]?.resolved;
    if (typeof resolved !== "string") return null;
    if (/^git\+(https|ssh):\/\//.test(resolved)) return resolved;
    if (resolved.startsWith("file:") && resolved.endsWith(".tgz")) return resolved.slice("file:".length);
    return null;
  } catch {
    return null;
  }
}

function declaresLumenguard(file: string): boolean {
  try {
    const pkg = JSON.parse(readRegularFile(file, MAX_PACKAGE_JSON_BYTES)?.toString("utf8") ?? "{}") as Record<string, Record<string, unknown> | undefined>;
    return ["devDependencies", "dependencies", "optionalDependencies"].some((field) => typeof pkg[field] === "object" && pkg[field] !== null && "lumenguard" in pkg[field]);
  } catch {
    return false;
  }
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The folder of the lumenguard package that holds `moduleUrl`: the nearest folder above it
 * whose package.json is named lumenguard (the bundle runs from lib/, the compiled sources from
 * lib/src/install/, the tests from src/install/). Null when there is none.
 */
export function packageRootOf(moduleUrl: string): string | null {
  for (let folder = dirname(fileURLToPath(moduleUrl)), level = 0; level < 5; level++, folder = dirname(folder)) {
    try {
      if ((JSON.parse(readFileSync(join(folder, "package.json"), "utf8")) as { name?: string }).name === "lumenguard") return folder;
    } catch {
      // no package.json here: look one level up
    }
  }
  return null;
}
