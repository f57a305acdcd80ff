import { ScanError } from "../errors.js";
import { readBlobsQuickly } from "./read-blobs.js";
import { runGit, splitNul } from "./run-git.js";

/**
 * Small files as a commit has them, without touching the work tree: the commit's tree is listed
 * for the paths (`git ls-tree`, which reads no file content), then the blobs it names are read
 * (`git cat-file --batch`). Each is read whole: for configuration and baseline files only, up to
 * `maxBytes` each.
 *
 * A path the commit does not have is null. A path it has whose blob is not in this clone (a
 * partial clone, `--filter=blob:none`) is an error, never taken for an absent file: the caller
 * would otherwise judge with settings it never read.
 *
 * @param commit a full object id (checked: hex only).
 * @param paths from the repository root, `/`-separated.
 * @returns each path's content, or null when the commit has no such file (or it is too large,
 *   not a regular file, or its name cannot be asked for: a line break).
 * @throws ScanError naming the file when its blob is missing.
 */
export async function readFilesAtCommit(commit: string, paths: readonly string[], cwd: string, env: NodeJS.ProcessEnv, maxBytes = 1 << 20): Promise<Map<string, Buffer | null>> {
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(commit)) throw new Error(`not an object id: ${commit}`);
  const found = new Map<string, Buffer | null>(paths.map((path) => [path, null]));
  const blobs = listBlobs(commit, paths.filter((path) => !/[\n\r]/.test(path)), cwd, env);
  const asked = [...blobs.entries()];
  let next = 0;
  const missing: Array<{ path: string; oid: string }> = [];
  const reading = readBlobsQuickly(
    asked.map(([, oid]) => oid),
    cwd,
    env,
    {
      begin: (_oid, size, type) => {
        const [path] = asked[next++]!;
        const chunks: Buffer[] = [];
        const keep = type === "blob" && size <= maxBytes;
        return (chunk, final) => {
          if (keep) chunks.push(Buffer.from(chunk));
          if (final && keep) found.set(path, Buffer.concat(chunks));
        };
      },
      missing: (oid) => {
        const [path] = asked[next++]!;
        missing.push({ path, oid });
      },
    },
  );
  try {
    await reading;
  } catch (error) {
    // Older git (before GIT_NO_LAZY_FETCH) stops at a missing object of a partial clone, having been refused the fetch.
    const message = (error as Error).message;
    if (!/promisor|could not fetch/i.test(message)) throw error;
    const named = asked.filter(([, oid]) => message.includes(oid));
    missing.push(...(named.length > 0 ? named : asked).map(([path, oid]) => ({ path, oid })));
  }
  const first = missing[0];
  if (first) {
    throw new ScanError(`${first.path} at ${commit.slice(0, 12)} (blob ${first.oid.slice(0, 12)}) is not in this clone (a partial clone?), so the settings it holds cannot be read; fetch it (git cat-file blob ${first.oid} >/dev/null fetches it from the promisor remote; in CI, a checkout without filter: blob:none)`);
  }
  return found;
}

/** The regular files among `paths` in the commit's tree: path → blob id. */
function listBlobs(commit: string, paths: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Map<string, string> {
  const blobs = new Map<string, string>();
  if (paths.length === 0) return blobs;
  const listing = runGit(["ls-tree", "-z", "--full-tree", "--end-of-options", commit, "--", ...paths], cwd, env);
  if (listing.status !== 0) throw new ScanError(`git ls-tree failed: ${listing.stderr}`);
  const wanted = new Set(paths);
  for (const entry of splitNul(listing.stdout)) {
    const tab = entry.indexOf("\t");
    const [mode = "", type = "", oid = ""] = entry.slice(0, tab).split(" ");
    const path = entry.slice(tab + 1);
    if (type === "blob" && /^100[67][45]{2}$/.test(mode) && wanted.has(path)) blobs.set(path, oid);
  }
  return blobs;
}
