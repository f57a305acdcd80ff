import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Ignore } from "ignore";

/**
 * A directory walk for scans outside git: skips `.git` and `node_modules`, and
 * honours every `.gitignore` on the way down with git's own pattern rules (the `ignore`
 * package, which implements them). Only regular files are listed: FIFOs, sockets and devices
 * would block or mean nothing, and symlinks are not followed (they could lead out of the tree
 * or loop).
 */
const SKIPPED_DIRS = new Set([".git", "node_modules"]);

interface IgnoreScope {
  /** Directory of the .gitignore, relative to the walk root ("" for the root), with a trailing "/". */
  base: string;
  matcher: Ignore;
}

export function walkHonouringGitignore(root: string, onUnreadable?: (relDir: string, code: string) => void): string[] {
  const files: string[] = [];
  const makeIgnore = loadIgnore();
  const visit = (relDir: string, scopes: IgnoreScope[]) => {
    const absDir = join(root, relDir);
    let entries;
    try {
      entries = readdirSync(absDir, { withFileTypes: true });
    } catch (error) {
      // A folder that cannot be listed (permissions, a path longer than PATH_MAX) is said, not
      // skipped silently: a scan that quietly misses a folder passes keys through.
      onUnreadable?.(relDir, (error as NodeJS.ErrnoException).code ?? "unreadable");
      return;
    }
    const own = readGitignore(absDir, makeIgnore);
    const active = own ? [...scopes, { base: relDir, matcher: own }] : scopes;
    for (const entry of entries) {
      const rel = relDir + entry.name;
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name) || isIgnored(active, `${rel}/`)) continue;
        visit(`${rel}/`, active);
      } else if (entry.isFile() && !isIgnored(active, rel)) {
        files.push(rel);
      }
    }
  };
  visit("", []);
  return files;
}

function isIgnored(scopes: IgnoreScope[], rel: string): boolean {
  // A deeper .gitignore can re-include (`!pattern`) what a shallower one excluded.
  let ignored = false;
  for (const { base, matcher } of scopes) {
    const result = matcher.test(rel.slice(base.length));
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

function readGitignore(absDir: string, makeIgnore: () => Ignore): Ignore | null {
  let text: string;
  try {
    text = readFileSync(join(absDir, ".gitignore"), "utf8");
  } catch {
    return null;
  }
  return makeIgnore().add(text);
}

/** `ignore` is loaded only when a walk happens: git repositories (the common case) never need it. */
function loadIgnore(): () => Ignore {
  const require = createRequire(import.meta.url);
  const factory = require("ignore") as () => Ignore;
  return factory;
}
