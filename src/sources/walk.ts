import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { nameOfBytes } from "../git/path-bytes.js";
import { GitignoreRules } from "./gitignore.js";

/**
 * A directory walk for scans outside git: skips `.git` and `node_modules`, and honours every
 * `.gitignore` on the way down with git's pattern rules (gitignore.ts: literal rules looked up,
 * the others matched in linear time, so a 20,000-rule file does not cost minutes). An ignored
 * folder is not entered. Only regular files are listed: FIFOs, sockets and devices would block
 * or mean nothing, and symlinks are not followed (they could lead out of the tree or loop).
 */
const SKIPPED_DIRS = new Set([".git", "node_modules"]);

interface IgnoreScope {
  /** Directory of the .gitignore, relative to the walk root ("" for the root), with a trailing "/". */
  base: string;
  rules: GitignoreRules;
}

/**
 * @param raw where the names that are not valid UTF-8 are recorded: their listed text (the
 *   lossless escaped form of path-bytes.ts, which the returned list holds) → their bytes,
 *   relative to `root`, to open them by.
 * @returns paths relative to `root`, `/`-separated.
 */
export function walkHonouringGitignore(root: string, onUnreadable?: (relDir: string, code: string) => void, raw?: Map<string, Buffer>): string[] {
  const files: string[] = [];
  const rootBytes = Buffer.from(root.endsWith("/") ? root : `${root}/`);
  // `rawDir`: the folder's bytes when its name (or a parent's) is not valid UTF-8, else null.
  const visit = (relDir: string, rawDir: Buffer | null, scopes: IgnoreScope[]) => {
    const absDir: string | Buffer = rawDir === null ? join(root, relDir) : Buffer.concat([rootBytes, rawDir]);
    let entries;
    try {
      // Names as bytes: decoded as text, a name that is not UTF-8 would name no file.
      entries = readdirSync(absDir, { withFileTypes: true, encoding: "buffer" });
    } catch (error) {
      // A folder that cannot be listed (permissions, a path longer than PATH_MAX) is said, not
      // skipped silently: a scan that quietly misses a folder passes keys through.
      onUnreadable?.(relDir, (error as NodeJS.ErrnoException).code ?? "unreadable");
      return;
    }
    const own = readGitignore(rawDir === null ? join(absDir as string, ".gitignore") : Buffer.concat([absDir as Buffer, Buffer.from(".gitignore")]));
    const active = own ? [...scopes, { base: relDir, rules: own }] : scopes;
    for (const entry of entries) {
      const name = nameOfBytes(entry.name);
      const rel = relDir + name;
      const odd = rawDir !== null || name !== entry.name.toString("utf8");
      const rawRel = odd ? Buffer.concat([rawDir ?? Buffer.from(relDir), entry.name]) : null;
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(name) || isIgnored(active, rel, true)) continue;
        visit(`${rel}/`, rawRel === null ? null : Buffer.concat([rawRel, Buffer.from("/")]), active);
      } else if (entry.isFile() && !isIgnored(active, rel, false)) {
        files.push(rel);
        if (rawRel !== null) raw?.set(rel, rawRel);
      }
    }
  };
  visit("", null, []);
  return files;
}

function isIgnored(scopes: IgnoreScope[], rel: string, isDir: boolean): boolean {
  // A deeper .gitignore can re-include (`!pattern`) what a shallower one excluded.
  let ignored = false;
  for (const { base, rules } of scopes) {
    const verdict = rules.verdict(rel.slice(base.length), isDir);
    if (verdict !== null) ignored = verdict === "ignored";
  }
  return ignored;
}

function readGitignore(file: string | Buffer): GitignoreRules | null {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return null;
  }
  return new GitignoreRules(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
