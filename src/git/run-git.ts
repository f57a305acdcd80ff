import { spawnSync } from "node:child_process";
import { ScanError } from "../errors.js";
import { shellQuote } from "../files.js";
import { nameOfBytes } from "./path-bytes.js";

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
 * lumenguard reads repositories written by someone else — an unpacked archive, a pull request,
 * a shared checkout — and a repository's own `.git/config` can name programs that git runs:
 * `core.fsmonitor` (run by every command that reads the index), `gpg.program` with
 * `log.showSignature` (run by `git log`), a promisor remote's URL (`ext::<command>`, or ssh
 * with `core.sshCommand`, or https with a `credential.helper`) that a partial clone's lazy fetch
 * contacts for a missing object, and a pager. Every git command lumenguard runs gets these
 * overrides before its subcommand: options given with `-c` take precedence over every config
 * file (https://git-scm.com/docs/git-config#_configuration_file), and git hands them on to any
 * git it starts itself. lumenguard never fetches: an object that is not here is reported as
 * missing, never fetched from a remote the scanned repository names.
 *
 * Commands that could run a diff driver, a textconv filter or a clean/smudge filter named in
 * `.gitattributes` are run with `--no-ext-diff` / `--no-textconv` at their call sites; blobs are
 * read raw with `git cat-file --batch`, which runs no filter.
 */
export const GIT_SAFETY_ARGS: readonly string[] = [
  "--no-pager",
  // Replace refs (refs/replace/*, `git replace`) make git show another object in place of the
  // one stored: a scan would read a clean look-alike while a push sends the real commit. The
  // objects are read as they are (https://git-scm.com/docs/git-replace).
  "--no-replace-objects",
  ...[
    "core.fsmonitor=false",
    "log.showSignature=false",
    "core.pager=cat",
    // Every transport off: a per-protocol setting in the repository's config would beat the
    // general `protocol.allow`, so each one git knows is named too.
    "protocol.allow=never",
    ...["file", "git", "ssh", "http", "https", "ext", "fd"].map((name) => `protocol.${name}.allow=never`),
    "core.sshCommand=false",
    "credential.helper=",
    "core.askPass=false",
  ].flatMap((setting) => ["-c", setting]),
];

/**
 * The environment every git command gets: the caller's, with lazy fetching of missing objects
 * off (git 2.44 and newer honour GIT_NO_LAZY_FETCH; older ones fail the fetch on the transport
 * overrides above), no password prompts, and no optional index writes.
 */
export function gitEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, GIT_NO_LAZY_FETCH: "1", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", GIT_NO_REPLACE_OBJECTS: "1" };
}

/** `args` with {@link GIT_SAFETY_ARGS} in front: what every spawn of git passes. */
export function gitArgs(args: readonly string[]): string[] {
  return [...GIT_SAFETY_ARGS, ...args];
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

/**
 * Runs `git <args>` with the safety overrides, synchronously.
 * @throws GitMissingError without git; RepositoryNotTrustedError when git refuses the
 *   repository (owned by another user, `safe.directory`); ScanError when git cannot be started.
 */
export function runGit(args: string[], cwd: string, env: NodeJS.ProcessEnv): GitResult {
  const result = spawnSync("git", gitArgs(args), { cwd, env: gitEnv(env), maxBuffer: 1 << 30, windowsHide: true });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new GitMissingError();
    throw new ScanError(`git ${args[0]} could not run: ${result.error.message}`);
  }
  const stderr = result.stderr.toString("utf8").trim();
  if (result.status !== 0) throwIfNotTrusted(stderr);
  return { status: result.status ?? 1, stdout: result.stdout, stderr };
}

/**
 * git (2.35.2 and newer) refuses to work in a repository owned by another user unless
 * `safe.directory` lists it (https://git-scm.com/docs/git-config#Documentation/git-config.txt-safedirectory);
 * every command then fails, and the failure would read as "not a repository" or "no such
 * commit". This names the cause and the fix instead.
 */
export class RepositoryNotTrustedError extends ScanError {
  constructor(readonly directory: string) {
    super(
      `git refuses to read the repository at ${directory}: it is owned by another user than the one running lumenguard (git's safe.directory check), so nothing was scanned. If you trust it, run: git config --global --add safe.directory ${shellQuote(directory)}`,
    );
  }
}

/** @throws RepositoryNotTrustedError when git's message is its ownership refusal. */
export function throwIfNotTrusted(stderr: string): void {
  const refused = /detected dubious ownership in repository at '([^'\n]*)'/.exec(stderr);
  if (refused) throw new RepositoryNotTrustedError(refused[1]!);
}

export class GitMissingError extends ScanError {
  constructor() {
    super("git was not found on PATH. Install git, or put it on PATH, and run lumenguard again.");
  }
}

/**
 * Splits NUL-terminated git output (`-z`) into paths, byte-exact (names may hold newlines). A
 * name that is not valid UTF-8 comes back in its lossless escaped form (path-bytes.ts), and —
 * when `raw` is given — with its bytes recorded there under that text, to open it by.
 */
export function splitNul(output: Buffer, raw?: Map<string, Buffer>): string[] {
  const paths: string[] = [];
  const add = (start: number, end: number) => {
    const text = output.toString("utf8", start, end);
    // Only a name that decoded to U+FFFD can be invalid: the others cost nothing more.
    if (!text.includes("\uFFFD")) return void paths.push(text);
    const bytes = output.subarray(start, end);
    const name = nameOfBytes(bytes);
    if (raw !== undefined && name !== text) raw.set(name, Buffer.from(bytes));
    paths.push(name);
  };
  let start = 0;
  for (let end = output.indexOf(0, start); end !== -1; end = output.indexOf(0, start)) {
    if (end > start) add(start, end);
    start = end + 1;
  }
  if (start < output.length) add(start, output.length);
  return paths;
}
