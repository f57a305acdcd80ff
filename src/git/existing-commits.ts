import { spawnSync } from "node:child_process";
import { gitArgs, gitEnv } from "./run-git.js";

/**
 * Those of `shas` that are commits in this repository: one `git cat-file --batch-check` for all.
 * Used to keep, of what a remote lists (src/git/ls-remote.ts), the commits a walk can exclude.
 */
export function existingCommits(shas: Iterable<string>, cwd: string, env: NodeJS.ProcessEnv): Set<string> {
  const asked = [...new Set(shas)].filter((sha) => /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(sha));
  if (asked.length === 0) return new Set();
  const result = spawnSync("git", gitArgs(["cat-file", "--batch-check=%(objectname) %(objecttype)"]), { cwd, env: gitEnv(env), input: `${asked.join("\n")}\n`, encoding: "utf8", maxBuffer: 1 << 26 });
  const found = new Set<string>();
  for (const line of (result.stdout ?? "").split("\n")) {
    const [sha = "", type] = line.split(" ");
    if (type === "commit") found.add(sha);
  }
  return found;
}
