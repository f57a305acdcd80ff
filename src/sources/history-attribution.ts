import { realpathSync } from "node:fs";
import { join, relative } from "node:path";
import type { EngineFinding } from "../engine/apply-rules.js";
import type { LoggedCommit } from "../git/walk-history.js";
import type { ScannedFile } from "../scanning/file-sink.js";
import type { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";
import { compareText } from "../severity.js";
import type { Finding, Warning } from "../types.js";
import { ALREADY_PUSHED } from "./already-committed.js";
import { toPosix } from "./paths.js";

/**
 * How the history source turns what it read into findings: a blob (or message) is scanned once,
 * and what it holds is recorded under each path and commit that introduced it — each key once
 * per path, at the earliest commit that put it there.
 */

/** Where a key in a commit message is reported (the finding's `commit` says which one). */
export const COMMIT_MESSAGE_PATH = "<commit message>";

/** Where a key in a commit's headers is reported: author, committer, a `mergetag`'s tag, any other header. */
export const COMMIT_HEADER_PATH = "<commit header>";

/** Where a key in the name of a ref being pushed (or of any ref, in a history scan) is reported. */
export const REF_NAME_PATH = "<ref name>";

/**
 * The pseudo-files of git metadata, which have no place in the work tree: a commit's message and
 * headers, an annotated tag's (`<tag message> <ref>`, `<tag header> <ref>`), a ref's name.
 */
export function isMessagePath(path: string): boolean {
  return path === COMMIT_MESSAGE_PATH || path === COMMIT_HEADER_PATH || path === REF_NAME_PATH || path.startsWith("<tag message> ") || path.startsWith("<tag header> ");
}

export interface Introduction {
  commit: number;
  path: string;
}

/** What a walk found: the commits, where each object was introduced, and the objects with something to report. */
export interface Walk {
  commits: LoggedCommit[];
  /** Blob (or commit, for its message) id → the paths and commits that introduced it. */
  introductions: Map<string, Introduction[]>;
  /** Per object, what was found in it: one entry per file scanned (an archive blob has one per member). */
  hits: Map<string, ScannedFile[]>;
  scanned: number;
  bytes: number;
  unreadable: string[];
  /** Warnings of reading an object (an archive a budget stopped …), reported once its paths are known. */
  warnings: Array<{ oid: string; warning: Warning }>;
  /** Paths that may hold a key in their name → the first commit (index in `commits`) that has them. */
  keyNames: Map<string, number>;
}

/**
 * Each key once per path: of all the blobs and commits that put the key at that path, the
 * earliest commit is the one that introduced it.
 */
/**
 * @param already for a push: whether the receiving side already has a key (fingerprint) at a
 *   path; such key findings are recorded as already there (ALREADY_PUSHED, low).
 */
export function attribute(walk: Walk, root: string, session: ScanSession, name: (repoPath: string) => string, already?: (path: string, fingerprint: string) => boolean): void {
  const earliest = new Map<string, { commit: number; path: string; finding: EngineFinding; scanned: ScannedFile }>();
  const attributed = new Map<string, { path: string; commit: number; entry: string; scanned: ScannedFile }>();
  for (const [oid, hits] of walk.hits) {
    for (const { commit, path } of walk.introductions.get(oid) ?? []) {
      if (session.isIgnored(join(root, path))) continue;
      for (const scanned of hits) {
        // An archive member is its own place: `release/app.zip!conf/app.env`.
        const entry = scanned.file.entry ?? "";
        attributed.set(`${oid}\u0000${path}\u0000${entry}`, { path, commit, entry, scanned });
        for (const finding of scanned.outcome.findings) {
          const key = `${finding.ruleId}\u0000${finding.secret?.fingerprint ?? finding.messageId}\u0000${path}\u0000${entry}`;
          const known = earliest.get(key);
          if (known && known.commit <= commit) continue;
          earliest.set(key, { commit, path, finding, scanned });
        }
      }
    }
  }
  const byPlace = new Map<string, { path: string; commit: number; findings: EngineFinding[]; scanned: ScannedFile }>();
  for (const { commit, path, finding, scanned } of earliest.values()) {
    const place = `${commit}\u0000${path}\u0000${scanned.file.entry ?? ""}`;
    const entry = byPlace.get(place) ?? { path, commit, findings: [], scanned };
    entry.findings.push(finding);
    byPlace.set(place, entry);
  }
  const fileAt = (path: string): SourceFile => ({ path: name(path), kind: "history", absPath: join(root, path), repoPath: path });
  for (const { path, commit, findings, scanned } of byPlace.values()) {
    // Allowed findings and cross-file facts are recorded once per blob and path, below.
    const judged = already === undefined ? findings : findings.map((finding) => (isAlreadyThere(finding, path, already) ? { ...finding, ...ALREADY_PUSHED } : finding));
    session.recordAttributed(fileAt(path), judged, { ...scanned, outcome: { ...scanned.outcome, collected: [], suppressed: [], keys: [] } }, { commit: commitOf(walk.commits[commit]), walkIndex: commit });
  }
  // Allowed findings and cross-file facts: once per blob and path, in the order of the walk
  // (blobs finish reading in any order; the report must not depend on it).
  const inWalkOrder = [...attributed.values()].sort((a, b) => a.commit - b.commit || compareText(a.path, b.path) || compareText(a.entry, b.entry));
  for (const { path, commit, scanned } of inWalkOrder) session.recordAttributed(fileAt(path), [], scanned, { walkIndex: commit });
  // Keys in paths: once per path, at the first commit that has it.
  for (const [path, commit] of walk.keyNames) {
    if (!session.isIgnored(join(root, path))) session.checkName(fileAt(path), { commit: commitOf(walk.commits[commit]), walkIndex: commit });
  }
}

function isAlreadyThere(finding: EngineFinding, path: string, already: (path: string, fingerprint: string) => boolean): boolean {
  return finding.ruleId === ALREADY_PUSHED.ruleId && finding.messageId !== ALREADY_PUSHED.messageId && finding.secret !== undefined && finding.placeholder === undefined && already(path, finding.secret.fingerprint);
}

/** How a path from the repository root is named in the report: relative to `displayRoot`, `/`-separated. */
export function displayName(root: string, displayRoot: string | undefined): (repoPath: string) => string {
  const from = displayRoot === undefined ? root : realPath(displayRoot);
  if (from === root) return (path) => path;
  return (path) => (isMessagePath(path) ? path : toPosix(relative(from, join(root, path))));
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function commitOf(commit: LoggedCommit | undefined): Finding["commit"] {
  return commit ? { sha: commit.sha, author: commit.author, date: commit.date } : undefined;
}

/**
 * Reports the warnings of reading objects, except an object whose every path config `ignore`
 * covers: its findings are not reported (see {@link attribute}), and neither is what could not be
 * read of it — a gate must not fail closed on a file the configuration says is known to be safe.
 */
export function reportWarnings(walk: Walk, root: string, session: ScanSession): void {
  for (const { oid, warning } of walk.warnings) {
    const paths = walk.introductions.get(oid) ?? [];
    if (paths.length > 0 && paths.every(({ path }) => !isMessagePath(path) && session.isIgnored(join(root, path)))) continue;
    session.warn(warning);
  }
}
