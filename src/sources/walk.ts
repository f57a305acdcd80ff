import { readdirSync } from "node:fs";
import { join } from "node:path";
import { FileReadError, readRegularFile } from "../files.js";
import { nameOfBytes } from "../git/path-bytes.js";
import { GitignoreRules } from "./gitignore.js";

/**
 * A directory walk for scans outside git: skips `.git` and `node_modules`, and honours every
 * `.gitignore` on the way down with git's pattern rules (gitignore.ts: literal rules looked up,
 * the others matched in linear time, so a 20,000-rule file does not cost minutes). An ignored
 * folder is not entered. Only regular files are listed: FIFOs, sockets and devices would block
 * or mean nothing, and symlinks are not followed (they could lead out of the tree or loop).
 *
 * A `.gitignore` is read only when it is a regular file of at most {@link MAX_GITIGNORE_BYTES}
 * (src/files.ts `readRegularFile`): a FIFO at that name would hang the walk, a link to
 * `/dev/zero` would fill memory. One that is refused is said (`onGitignoreRefused`), and its
 * folder is walked as if it had none: more is scanned, never less.
 */
export const MAX_GITIGNORE_BYTES = 4 << 20;
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
 * @param onIgnored called once with how many files and folders `.gitignore` rules left out
 *   (a folder counts once, whatever it holds).
 * @returns paths relative to `root`, `/`-separated.
 */
export function walkHonouringGitignore(
  root: string,
  onUnreadable?: (relDir: string, code: string) => void,
  onGitignoreRefused?: (relPath: string, detail: string) => void,
  raw?: Map<string, Buffer>,
  onIgnored?: (count: number) => void,
): string[] {
  const files: string[] = [];
  let ignored = 0;
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
    let own: GitignoreRules | null = null;
    try {
      // A folder whose name is not UTF-8 is opened by its bytes; its .gitignore is not read (more is scanned, never less).
      own = rawDir === null ? readGitignore(absDir as string) : null;
    } catch (error) {
      if (!(error instanceof FileReadError)) throw error;
      onGitignoreRefused?.(`${relDir}.gitignore`, error.detail);
    }
    const active = own ? [...scopes, { base: relDir, rules: own }] : scopes;
    for (const entry of entries) {
      const name = nameOfBytes(entry.name);
      const rel = relDir + name;
      const odd = rawDir !== null || name !== entry.name.toString("utf8");
      const rawRel = odd ? Buffer.concat([rawDir ?? Buffer.from(relDir), entry.name]) : null;
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(name)) continue;
        if (isIgnored(active, rel, true)) {
          ignored++;
          continue;
        }
        visit(`${rel}/`, rawRel === null ? null : Buffer.concat([rawRel, Buffer.from("/")]), active);
      } else if (entry.isFile()) {
        if (isIgnored(active, rel, false)) {
          ignored++;
          continue;
        }
        files.push(rel);
        if (rawRel !== null) raw?.set(rel, rawRel);
      }
    }
  };
  visit("", null, []);
  onIgnored?.(ignored);
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

/** @throws FileReadError for a `.gitignore` that is not a regular file or is too large. */
function readGitignore(absDir: string): GitignoreRules | null {
  const bytes = readRegularFile(join(absDir, ".gitignore"), MAX_GITIGNORE_BYTES);
  if (bytes === null) return null;
  const text = bytes.toString("utf8");
  return new GitignoreRules(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}
