import { readBlobsQuickly } from "./read-blobs.js";

/**
 * Small files as a commit has them (`git cat-file --batch` with `<commit>:<path>` names, as
 * `git show <commit>:<path>` reads them), without touching the work tree. Each is read whole:
 * for configuration and baseline files only, up to `maxBytes` each.
 *
 * @param commit a full object id (checked: hex only).
 * @param paths from the repository root, `/`-separated.
 * @returns each path's content, or null when the commit has no such file (or it is too large,
 *   or its name cannot be asked for: a line break).
 */
export async function readFilesAtCommit(commit: string, paths: readonly string[], cwd: string, env: NodeJS.ProcessEnv, maxBytes = 1 << 20): Promise<Map<string, Buffer | null>> {
  if (!/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/i.test(commit)) throw new Error(`not an object id: ${commit}`);
  const found = new Map<string, Buffer | null>(paths.map((path) => [path, null]));
  const asked = paths.filter((path) => !/[\n\r]/.test(path));
  let next = 0;
  await readBlobsQuickly(asked.map((path) => `${commit}:${path}`), cwd, env, {
    begin: (_oid, size, type) => {
      const path = asked[next++]!;
      const chunks: Buffer[] = [];
      const keep = type === "blob" && size <= maxBytes;
      return (chunk, final) => {
        if (keep) chunks.push(Buffer.from(chunk));
        if (final && keep) found.set(path, Buffer.concat(chunks));
      };
    },
    missing: () => void next++,
  });
  return found;
}
