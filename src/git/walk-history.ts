import { spawn } from "node:child_process";
import { ScanError } from "../errors.js";
import { nameOfBytes } from "./path-bytes.js";
import { revisionArgs, type Revisions } from "./revisions.js";
import { GIT_READER_MEMORY, gitArgs, gitEnv, GitMissingError } from "./run-git.js";

/**
 * Walks history with one `git log --raw`: for every commit, oldest first, the
 * blobs it introduced and at which paths. Only trees are compared — no content diffs — and
 * the output is parsed as it streams, so blobs can be read while git is still walking.
 *
 * - `--root`: the first commit's files count as introduced by it.
 * - `--diff-merges=first-parent`: a blob made while resolving a merge is introduced by the merge.
 * - `--no-renames`: a renamed file is its new path, introduced by the renaming commit.
 * - Revisions come after `--end-of-options` ({@link revisionArgs}): none is read as an option.
 */
export interface LoggedCommit {
  sha: string;
  author: string;
  date: string;
}

export interface LogVisitor {
  commit(commit: LoggedCommit): void;
  /** A blob added or changed at `path` (from the repository root) by the last commit. */
  blob(oid: string, path: string): void;
}

const HEADER = "\u0001";
const FORMAT = `--format=${HEADER}%H %aI %an <%ae>`;
const GITLINK = "160000";

/**
 * @throws ScanError when git fails (its message), GitMissingError without git, UsageError for a
 *   revision that is not one, and `signal.reason` when the walk is aborted (git is stopped).
 */
export function walkHistory(revisions: Revisions, cwd: string, env: NodeJS.ProcessEnv, visitor: LogVisitor, signal?: AbortSignal): Promise<void> {
  const args = [...GIT_READER_MEMORY, "log", "--reverse", "--raw", "--no-abbrev", "-z", "--no-renames", "--root", "--diff-merges=first-parent", "--no-ext-diff", "--no-textconv", FORMAT, ...revisionArgs(revisions)];
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn("git", gitArgs(args), { cwd, env: gitEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    const onAbort = () => {
      child.kill();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const tokens = new NulTokenizer();
    let pendingRaw: string | null = null;
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      for (let token of tokens.feed(chunk)) {
        if (pendingRaw !== null) {
          const [, newMode = "", , oid = "", status = ""] = pendingRaw.slice(1).split(" ");
          pendingRaw = null;
          if (status !== "D" && newMode !== GITLINK) visitor.blob(oid, token);
          continue;
        }
        if (token.startsWith("\n")) token = token.slice(1);
        if (token.startsWith(HEADER)) visitor.commit(parseHeader(token.slice(1)));
        else if (token.startsWith(":")) pendingRaw = token;
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new GitMissingError() : error));
    child.on("close", (code) => {
      signal?.removeEventListener("abort", onAbort);
      if (code === 0) resolvePromise();
      else reject(new ScanError(`git log failed: ${stderr.trim() || `exit ${code}`}`));
    });
  });
}

function parseHeader(text: string): LoggedCommit {
  const first = text.indexOf(" ");
  const second = text.indexOf(" ", first + 1);
  return { sha: text.slice(0, first), date: text.slice(first + 1, second), author: text.slice(second + 1) };
}

/** Splits a stream into NUL-terminated tokens, keeping a token cut across chunks whole. */
class NulTokenizer {
  private rest: Buffer = Buffer.alloc(0);

  *feed(chunk: Buffer): Generator<string> {
    const data = this.rest.length > 0 ? Buffer.concat([this.rest, chunk]) : chunk;
    let start = 0;
    for (let end = data.indexOf(0, start); end !== -1; end = data.indexOf(0, start)) {
      const text = data.toString("utf8", start, end);
      // A path that is not valid UTF-8 is named in its lossless escaped form, never U+FFFD.
      yield text.includes("\uFFFD") ? nameOfBytes(data.subarray(start, end)) : text;
      start = end + 1;
    }
    this.rest = Buffer.from(data.subarray(start));
  }
}
