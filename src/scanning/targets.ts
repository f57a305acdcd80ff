import { statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { listWorktreeFiles } from "../sources/list-worktree.js";
import type { Warning } from "../types.js";

/**
 * Turns the paths a user gave into the files to read (SPEC §3.1): folders are listed (git,
 * or a walk), files are taken as given, literally — lint-staged passes names such as
 * `app/[id]/page.tsx` that must never be globbed.
 */
export interface Target {
  absPath: string;
  /** The name the report uses: relative to the scan root, or as given for a file argument. */
  display: string;
  /** Given by the user: symlinks are followed for these only. */
  explicit: boolean;
  /** git tracks it (listed folders inside a repository only). */
  tracked?: boolean;
}

export interface TargetList {
  targets: Target[];
  /** How many given paths did not exist. */
  missing: number;
  warnings: Warning[];
}

export function collectTargets(paths: readonly string[], cwd: string, displayRoot: string, env: NodeJS.ProcessEnv): TargetList {
  const list: TargetList = { targets: [], missing: 0, warnings: [] };
  // One folder's listing has no duplicates; several paths may overlap (`a.ts . a.ts`).
  const seen = paths.length > 1 ? new Set<string>() : null;
  const add = (target: Target) => {
    if (seen) {
      if (seen.has(target.absPath)) return;
      seen.add(target.absPath);
    }
    list.targets.push(target);
  };
  for (const path of paths) {
    const absPath = resolve(cwd, path);
    const kind = kindOf(absPath);
    if (kind === "missing") {
      list.missing++;
      list.warnings.push({ code: "path-missing", message: `${path} does not exist; nothing was scanned there`, file: path });
    } else if (kind === "other") {
      list.warnings.push({ code: "path-special", message: `${path} is not a regular file or folder; skipped`, file: path });
    } else if (kind === "file") {
      add({ absPath, display: toPosix(path), explicit: true });
    } else {
      const listing = listWorktreeFiles(absPath, env);
      for (const message of listing.warnings) list.warnings.push({ code: "walk", message });
      // Names are joined as strings: path.join/relative per file cost more than the reading.
      const prefix = absPath.endsWith(sep) ? absPath : absPath + sep;
      const displayPrefix = absPath === displayRoot ? "" : `${toPosix(relative(displayRoot, absPath))}/`;
      for (const rel of listing.files) {
        add({ absPath: prefix + rel, display: displayPrefix + rel, explicit: false, tracked: listing.inGit && !listing.untracked.has(rel) });
      }
    }
  }
  return list;
}

function kindOf(path: string): "dir" | "file" | "other" | "missing" {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? "dir" : stat.isFile() ? "file" : "other";
  } catch {
    return "missing";
  }
}

export function toPosix(path: string): string {
  return sep === "/" ? path : path.split(sep).join("/");
}
