import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { scrubKeys } from "../engine/redact.js";
import { ScanError } from "../errors.js";
import { emptyOutcome, scanTargets } from "../scanning/scan-files.js";
import { closeSession, openSession, type ScanRun, type SessionOptions } from "../scanning/session.js";
import type { Target } from "../scanning/targets.js";

/**
 * `lumenguard scan --pack [dir]` (SPEC §8, issue #4 item 8): exactly the files `npm publish`
 * would ship, as `npm pack --dry-run --json` lists them — `files`, `.npmignore`, `.gitignore`
 * and npm's own rules decide, not ours. A key in a published package is public the moment it
 * is on the registry, so these are scanned as working-tree files whatever git ignores.
 *
 * Lifecycle scripts are not run (`--ignore-scripts`): a scan must not start a build. Build
 * first (`npm run build`), then scan what is there.
 */
export interface PackOptions extends SessionOptions {
  /** The package folder: none or one path. Default: the current directory. */
  paths?: string[];
  /** Called once per file read, for progress displays. */
  onFile?: (path: string) => void;
}

export async function scanPack(options: PackOptions): Promise<ScanRun> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const root = resolve(cwd, options.paths?.[0] ?? ".");
  if (!existsSync(join(root, "package.json"))) {
    throw new ScanError(`--pack scans what npm would publish, and ${root} has no package.json`);
  }
  // npm first: it judges package.json before the config lookup reads it, and says more.
  const packed = listPackFiles(root, options.env ?? process.env);
  const session = openSession(options, root);
  const targets: Target[] = packed
    .map((path) => ({ absPath: join(root, path), display: path, explicit: false }))
    .filter((target) => isFile(target.absPath) && !session.isIgnored(target.absPath));
  let next = 0;
  const outcome = targets.length > 0 ? scanTargets(targets, session.engine, () => next++, options.onFile) : emptyOutcome();
  return closeSession(session, options, outcome, { mode: "worktree", warnings: [] });
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

/** npm may quote package.json in its error, and a package.json can hold a key (SPEC §5). */
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
