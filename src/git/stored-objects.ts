import { spawn } from "node:child_process";
import { ScanError } from "../errors.js";
import { GIT_READER_MEMORY, GitMissingError } from "./run-git.js";

/**
 * Every object in the repository's store — packed ones in the order their packs hold them, then
 * loose ones, alternates included — with its type and size, from one
 * `git cat-file --batch-all-objects --batch-check --unordered`
 * (https://git-scm.com/docs/git-cat-file): only object headers are read, nothing is inflated, so
 * listing a real project's 160,000 objects takes a fraction of a second. Reading objects in this
 * order costs git the least: a delta's base is usually stored next to it.
 *
 * The listing streams: `visit` is called per object as git prints it; when it returns a promise,
 * the listing waits for it (a reader's pipe is full), so memory stays bounded however many
 * objects the store holds.
 * @throws ScanError when git fails (a damaged object store), GitMissingError without git.
 */
export function listStoredObjects(cwd: string, env: NodeJS.ProcessEnv, visit: (oid: string, type: string, size: number) => Promise<void> | void, signal?: AbortSignal): Promise<void> {
  const args = [...GIT_READER_MEMORY, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype) %(objectsize)", "--unordered"];
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const child = spawn("git", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const onAbort = () => {
      child.kill();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    let rest = "";
    let stderr = "";
    let pending: Promise<void> | null = null;
    child.stdout.setEncoding("latin1");
    // Visits lines from `index` on, and says whether it got to the end: when the visitor must
    // wait, the pipe pauses, and the rest of the lines are visited once it can go on.
    const visitLines = (lines: string[], index: number): boolean => {
      for (; index < lines.length; index++) {
        const line = lines[index]!;
        const first = line.indexOf(" ");
        const second = line.indexOf(" ", first + 1);
        const waiting = visit(line.slice(0, first), line.slice(first + 1, second), Number(line.slice(second + 1)));
        if (!waiting) continue;
        child.stdout.pause();
        const next = index + 1;
        // git may have exited and its output ended already: the listing is over only when every
        // line has been visited.
        pending = waiting.then(
          () => {
            if (!visitLines(lines, next)) return;
            pending = null;
            child.stdout.resume();
          },
          (error: unknown) => {
            pending = null;
            onFailure(error);
          },
        );
        return false;
      }
      return true;
    };
    const onFailure = (error: unknown) => {
      child.kill();
      reject(error);
    };
    child.stdout.on("data", (text: string) => {
      const lines = (rest + text).split("\n");
      rest = lines.pop() ?? "";
      visitLines(lines, 0);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    child.on("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new GitMissingError() : error));
    child.on("close", async (code) => {
      signal?.removeEventListener("abort", onAbort);
      if (code !== 0) return reject(new ScanError(`git cat-file failed: ${stderr.trim() || `exit ${code}`}`));
      while (pending) await pending;
      resolvePromise();
    });
  });
}
