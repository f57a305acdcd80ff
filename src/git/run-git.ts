import { spawnSync } from "node:child_process";
import { ScanError } from "../errors.js";

/**
 * Runs git synchronously. The pre-commit path spawns git once or twice, so a child process
 * per call is cheaper here than a library's machinery (simple-git queues and parses text).
 */

/**
 * Variables a calling hook may have set that would point git at another repository or index.
 * A worktree scan takes its git context from the scanned path, so they are dropped.
 */
const REPOSITORY_OVERRIDES = [
  "GIT_DIR",
  "GIT_WORK_TREE",
  "GIT_INDEX_FILE",
  "GIT_COMMON_DIR",
  "GIT_OBJECT_DIRECTORY",
  "GIT_ALTERNATE_OBJECT_DIRECTORIES",
  "GIT_PREFIX",
];

export function envForPath(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...env };
  for (const name of REPOSITORY_OVERRIDES) delete clean[name];
  return clean;
}

/**
 * Memory bounds for the git processes that read a whole history (`cat-file`, `log`), as `-c`
 * options before the subcommand. git maps pack files in windows of up to 1 GiB, up to 8 GiB in
 * all, and caches up to 96 MiB of inflated delta bases per process
 * (https://git-scm.com/docs/git-config#Documentation/git-config.txt-corepackedGitWindowSize):
 * on a large repository each reader would hold hundreds of MB (measured: 300 MB for one
 * `cat-file` on a 280 MB pack). Mapped windows are reused least-recently first, so smaller ones
 * cost little: on that history these bounds kept each reader under 100 MB for about 3 % more
 * CPU time.
 */
export const GIT_READER_MEMORY = ["-c", "core.packedGitWindowSize=32m", "-c", "core.packedGitLimit=64m", "-c", "core.deltaBaseCacheLimit=32m"];

export interface GitResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

export function runGit(args: string[], cwd: string, env: NodeJS.ProcessEnv): GitResult {
  const result = spawnSync("git", args, { cwd, env, maxBuffer: 1 << 30, windowsHide: true });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new GitMissingError();
    throw new ScanError(`git ${args[0]} could not run: ${result.error.message}`);
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr.toString("utf8").trim() };
}

export class GitMissingError extends ScanError {
  constructor() {
    super("git was not found on PATH. Install git, or put it on PATH, and run lumenguard again.");
  }
}

/** Splits NUL-terminated git output (`-z`) into paths, byte-exact (names may hold newlines). */
export function splitNul(output: Buffer): string[] {
  const paths: string[] = [];
  let start = 0;
  for (let end = output.indexOf(0, start); end !== -1; end = output.indexOf(0, start)) {
    if (end > start) paths.push(output.toString("utf8", start, end));
    start = end + 1;
  }
  if (start < output.length) paths.push(output.toString("utf8", start));
  return paths;
}
