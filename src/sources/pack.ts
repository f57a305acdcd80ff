import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { scrubKeys } from "../detectors/lumenfall/index.js";
import { ScanError } from "../errors.js";
import { repoRootOf } from "../git/work-tree-root.js";
import type { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";
import { scanShare, type DiskFile } from "./threads.js";

/**
 * The npm package source (`lumenguard scan --pack [dir]`): exactly the files `npm publish`
 * would ship, as `npm pack --dry-run --json` lists them — `files`, `.npmignore`, `.gitignore`
 * and npm's own rules decide, not ours (https://docs.npmjs.com/cli/configuring-npm/package-json#files).
 * A key in a published package is public the moment it is on the registry, whatever git ignores.
 *
 * Lifecycle scripts are not run (`--ignore-scripts`): a scan must not start a build. Build
 * first (`npm run build`), then scan what is there.
 */
export interface PackOptions {
  /** The package folder. */
  dir: string;
  /** What `listPackage` listed for it. */
  files: readonly string[];
  onFile?: ((path: string) => void) | undefined;
}

/**
 * The files npm would publish from `dir`, relative to it.
 * @throws ScanError (exit 3) without a package.json, or when npm cannot list the package.
 */
export function listPackage(dir: string, env: NodeJS.ProcessEnv): string[] {
  if (!existsSync(join(dir, "package.json"))) throw new ScanError(`--pack scans what npm would publish, and ${dir} has no package.json`);
  return listPackFiles(dir, env);
}

export function scanPack(session: ScanSession, options: PackOptions): void {
  const { dir } = options;
  const repoRoot = repoRootOf(dir);
  const files: DiskFile[] = options.files
    .map((path): SourceFile => ({ path, kind: "packed", absPath: join(dir, path) }))
    .filter((file) => isFile(file.absPath) && !session.isIgnored(file.absPath))
    .map((file) => {
      if (repoRoot !== null) file.repoPath = file.absPath.slice(repoRoot.length + 1).split("\\").join("/");
      return { file, followSymlinks: false };
    });
  let next = 0;
  scanShare(files, session.hooks, () => next++, (path, reason) => session.skip(path, reason), options.onFile);
}

/** The paths `npm pack --dry-run --json` lists, relative to the package folder, `/`-separated. */
export function listPackFiles(dir: string, env: NodeJS.ProcessEnv): string[] {
  const windows = process.platform === "win32";
  const result = spawnSync(windows ? "npm.cmd" : "npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: dir,
    env,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    windowsHide: true,
    shell: windows,
  });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new ScanError(missing ? "--pack needs npm, and npm was not found on PATH" : `npm pack could not run: ${result.error.message}`);
  }
  if (result.status !== 0) throw new ScanError(`npm pack --dry-run failed in ${dir} (exit ${result.status}): ${firstLines(result.stderr || result.stdout)}`);
  return parsePackJson(result.stdout, dir);
}

/** npm prints `[{ "files": [{ "path": "..." }, ...] }]`. */
export function parsePackJson(stdout: string, dir: string): string[] {
  let packed: unknown;
  try {
    packed = JSON.parse(stdout.slice(Math.max(0, stdout.indexOf("["))));
  } catch {
    throw new ScanError(`npm pack --dry-run --json in ${dir} printed no JSON list of files`);
  }
  const files = Array.isArray(packed) ? (packed[0] as { files?: unknown } | undefined)?.files : undefined;
  if (!Array.isArray(files)) throw new ScanError(`npm pack --dry-run --json in ${dir} printed no list of files`);
  return files.map((file) => (file as { path?: unknown }).path).filter((path): path is string => typeof path === "string");
}

/** npm may quote package.json in its error, and a package.json can hold a key: scrubbed. */
function firstLines(text: string): string {
  const lines = text.trim().split("\n").filter((line) => line.trim() !== "");
  return scrubKeys(lines.slice(0, 6).join("\n")) || "no message";
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
