import type { Finding } from "../types.js";

/**
 * Files as CI systems name them: from the repository root. GitHub puts an annotation or a code
 * scanning alert on `packages/web/src/app.ts`, not on `src/app.ts` of a scan run in
 * `packages/web`. Findings carry that path as `repoPath` when the scan is inside a git
 * repository; outside one, the scan root is the best root there is.
 */
export function ciPath(finding: Pick<Finding, "file" | "repoPath">): string {
  return finding.repoPath ?? finding.file;
}

/**
 * The original source behind a bundled key (its source map's `sources` entry, relative to the
 * scan root), from the repository root too: the scan root's own path from the repository root
 * is what `repoPath` has in front of `file`. When that cannot be told (the original is a URL
 * or absolute, the file is not in a repository, the path climbs out of it) the original is named
 * as the scan has it. Null when the finding has no original.
 */
export function ciOriginalPath(finding: Pick<Finding, "file" | "repoPath" | "original">): string | null {
  const original = finding.original?.file;
  if (original === undefined) return null;
  if (finding.repoPath === undefined || /^[A-Za-z][A-Za-z0-9+.-]*:/.test(original) || original.startsWith("/")) return original;
  const inner = finding.file.includes("!") ? finding.file.slice(0, finding.file.indexOf("!")) : finding.file;
  const outer = finding.repoPath.includes("!") ? finding.repoPath.slice(0, finding.repoPath.indexOf("!")) : finding.repoPath;
  if (!outer.endsWith(inner)) return original;
  const root = outer.slice(0, outer.length - inner.length);
  const joined: string[] = [];
  for (const part of `${root}${original}`.split("/")) {
    if (part === "." || part === "") continue;
    if (part === "..") {
      if (joined.length === 0) return original;
      joined.pop();
    } else joined.push(part);
  }
  return joined.join("/");
}
