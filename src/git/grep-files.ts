import { spawn } from "node:child_process";
import { envForPath, gitArgs, gitEnv, splitNul } from "./run-git.js";

/**
 * Which files hold any of some literals, from `git grep -l` — git's own multi-threaded C search
 * (https://git-scm.com/docs/git-grep) over:
 * - `tracked`: the files in the index, as they are in the working tree. No directory walk: the
 *   untracked files are listed once, by the caller's `git ls-files --others`, and searched apart
 *   (a walk in each of several git processes cost more than the search on a 200,000-file tree);
 * - `no-index`: a folder git does not track (client output in ignored folders), or `paths` in
 *   it (untracked files), whatever .gitignore says.
 *
 * One process, one pass over the files: every literal goes into one Perl-compatible regular
 * expression (`-P`), because the UTF-16 form of a key holds NUL bytes, which fixed strings
 * (`-F`) cannot. Two processes (`-F` for the text and `-P` for the NUL forms) read every file
 * twice: 2.1 s of CPU against 1.3 s for one `-P` pass over 200,000 files here. Literals are byte
 * strings (one char a byte), written as `\x{..}` escapes (letters and digits as they are), and git
 * runs in the C locale: in a UTF-8 locale git compiles `-P` patterns as UTF-8, where `\x{8b}` is
 * the character U+008B, not the byte — and a gzip magic number (`1f 8b 08`) is not UTF-8 at all.
 *
 * git grep reads each file whole into memory: files too large for that are excluded by the
 * caller (`exclude`) and read by lumenguard itself, in chunks.
 */
export interface GrepOptions {
  /** The folder to search (paths come back relative to it). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  literals: readonly string[];
  scope: "tracked" | "no-index";
  /** `no-index` only: exactly these paths (relative to `cwd`, matched literally) instead of the whole folder. */
  paths?: readonly string[];
  /** Paths relative to `cwd` that git grep must not read (matched literally). */
  exclude?: readonly string[];
  /** Glob pathspecs to leave out (`**\/node_modules/**`). */
  excludeGlobs?: readonly string[];
}

/** The files holding a literal (paths relative to `cwd`, `/`-separated), or null when git grep could not answer. */
export async function grepFiles(options: GrepOptions): Promise<Set<string> | null> {
  if (options.literals.length === 0 || (options.paths !== undefined && options.paths.length === 0)) return new Set();
  // git grep matches within a line: a literal holding a newline cannot be searched for.
  if (options.literals.some((literal) => literal.includes("\n"))) return null;
  const paths = await runGrep({ ...options, env: { ...options.env, LC_ALL: "C" } }, ["-P", "-e", `(?:${options.literals.map(perlLiteral).join("|")})`]);
  return paths === null ? null : new Set(paths);
}

/** A byte string as a Perl-compatible regex matching exactly those bytes in the C locale (letters and digits as they are). */
function perlLiteral(literal: string): string {
  return [...literal].map((char) => (/[A-Za-z0-9_]/.test(char) ? char : `\\x{${char.charCodeAt(0).toString(16).padStart(2, "0")}}`)).join("");
}

function runGrep(options: GrepOptions, pattern: string[]): Promise<string[] | null> {
  const where = options.paths !== undefined ? options.paths.map((path) => `:(literal)${path}`) : ["."];
  const pathspecs = [...where, ...(options.exclude ?? []).map((path) => `:(exclude,literal)${path}`), ...(options.excludeGlobs ?? []).map((glob) => `:(exclude,glob)${glob}`)];
  const scope = options.scope === "no-index" ? ["--no-index"] : [];
  const args = ["-c", "core.quotePath=false", "grep", "-l", "-z", "-a", "--no-color", "--no-textconv", ...scope, ...pattern, "--", ...pathspecs];
  return new Promise((resolvePromise) => {
    let child;
    try {
      child = spawn("git", gitArgs(args), { cwd: options.cwd, env: gitEnv(envForPath(options.env)), stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      resolvePromise(null);
      return;
    }
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", () => resolvePromise(null));
    child.on("close", (code) => {
      // 0: some file matched; 1: none did; anything else: git could not search (no PCRE, a bad pathspec).
      if (code === 0) resolvePromise(splitNul(Buffer.concat(chunks)));
      else resolvePromise(code === 1 ? [] : null);
    });
  });
}
