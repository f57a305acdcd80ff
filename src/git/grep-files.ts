import { spawn } from "node:child_process";
import { envForPath, gitArgs, gitEnv, splitNul } from "./run-git.js";

/**
 * Which files hold any of some literals, from `git grep -l` — git's own multi-threaded C search
 * over exactly the files git would commit (`--untracked`: tracked plus untracked-not-ignored),
 * or over a folder git does not track (`--no-index`, for client output in ignored folders).
 * Literals are byte strings (one char a byte); those with a NUL byte (the UTF-16 form of a key)
 * go to a second, concurrent `git grep -P` with `\x` escapes, since fixed strings cannot hold a
 * NUL (https://git-scm.com/docs/git-grep).
 *
 * git grep reads each file whole into memory: files too large for that are excluded by the
 * caller (`exclude`) and read by lumenguard itself, in chunks.
 */
export interface GrepOptions {
  /** The folder to search (paths come back relative to it). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  literals: readonly string[];
  /** Search a folder git does not track (every file in it, whatever .gitignore says). */
  noIndex?: boolean;
  /** Paths relative to `cwd` that git grep must not read (matched literally). */
  exclude?: readonly string[];
  /** Glob pathspecs to leave out (`**\/node_modules/**`). */
  excludeGlobs?: readonly string[];
}

/** The files holding a literal (paths relative to `cwd`, `/`-separated), or null when git grep could not answer. */
export async function grepFiles(options: GrepOptions): Promise<Set<string> | null> {
  const text = options.literals.filter((literal) => !literal.includes("\0") && !literal.includes("\n"));
  const binary = options.literals.filter((literal) => literal.includes("\0") || literal.includes("\n"));
  if (options.literals.length === 0) return new Set();
  const runs: Array<Promise<string[] | null>> = [];
  if (text.length > 0) runs.push(runGrep(options, ["-F", ...text.flatMap((literal) => ["-e", asArgument(literal)])]));
  if (binary.length > 0) runs.push(runGrep(options, ["-P", "-e", binary.map(perlLiteral).join("|")]));
  const found = new Set<string>();
  for (const paths of await Promise.all(runs)) {
    if (paths === null) return null;
    for (const path of paths) found.add(path);
  }
  return found;
}

/** A byte string as the argument git should receive: UTF-8 sequences stay what they are. */
function asArgument(literal: string): string {
  return Buffer.from(literal, "latin1").toString("utf8");
}

/** A byte string as a Perl-compatible regex matching exactly those bytes. */
function perlLiteral(literal: string): string {
  return [...literal].map((char) => `\\x{${char.charCodeAt(0).toString(16).padStart(2, "0")}}`).join("");
}

function runGrep(options: GrepOptions, pattern: string[]): Promise<string[] | null> {
  const pathspecs = [".", ...(options.exclude ?? []).map((path) => `:(exclude,literal)${path}`), ...(options.excludeGlobs ?? []).map((glob) => `:(exclude,glob)${glob}`)];
  const where = options.noIndex ? ["--no-index"] : ["--untracked"];
  const args = ["-c", "core.quotePath=false", "grep", "-l", "-z", "-a", "--no-color", "--no-textconv", ...where, ...pattern, "--", ...pathspecs];
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
