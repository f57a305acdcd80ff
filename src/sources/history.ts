import { join } from "node:path";
import type { EngineFinding } from "../engine/apply-rules.js";
import { ScanError, UsageError } from "../errors.js";
import { BlobStream } from "../git/read-blobs.js";
import { inspectRepository, missingObjects, type RepositoryFacts } from "../git/repository.js";
import { walkHistory, type LoggedCommit } from "../git/walk-history.js";
import type { ScannedFile } from "../scanning/file-sink.js";
import type { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";
import type { Finding } from "../types.js";

/**
 * The history source: every blob reachable from the given revisions is read once, however
 * many commits share it, and each key is reported once per key and path, with the commit that
 * introduced it. `git log --raw` lists commits and the blobs they introduce; the blobs stream
 * into two `git cat-file --batch` processes (both cores inflate) while the log is still being
 * walked, and into the scanning loop as they arrive. Memory holds one entry per distinct blob
 * and the findings, never a blob. Paths are relative to the repository root.
 */
export interface HistoryOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Revisions for `git log` (default: every ref); an empty list scans nothing. */
  revisions?: readonly string[] | undefined;
  /** How many `git cat-file` processes inflate blobs (default 2). */
  readers?: number;
  onProgress?: ((progress: HistoryProgress) => void) | undefined;
}

export interface HistoryProgress {
  commits: number;
  blobs: number;
  bytes: number;
}

interface Introduction {
  commit: number;
  path: string;
}

/**
 * Walks and scans.
 * @throws ScanError (exit 3) outside a repository, when git fails, or when an object of a
 *   complete (not partial) clone cannot be read — a corrupt repository is not a partial clone.
 * @throws UsageError (exit 2) for a revision this repository does not have.
 */
export async function scanHistory(session: ScanSession, options: HistoryOptions): Promise<void> {
  const env = { ...options.env, GIT_NO_LAZY_FETCH: "1" };
  const repo = inspectRepository(options.cwd, env);
  const revisions = options.revisions ?? ["--all"];
  warnIfShallow(session, repo);
  const missing = repo.partial && revisions.length > 0 ? missingObjects(revisions, options.cwd, env) : new Set<string>();
  const walk = await walkAndScan(revisions, repo, env, session, missing, options);
  if (walk.unreadable.length > 0) {
    if (!repo.partial) {
      throw new ScanError(`${walk.unreadable.length} blob(s) of this repository cannot be read (${walk.unreadable.slice(0, 3).join(", ")}): the repository is damaged, so history was not scanned whole. Run git fsck to see what is broken`);
    }
    session.warn({
      code: "objects-missing",
      message: `${walk.unreadable.length} blob(s) are missing from this partial clone and were not scanned; fetch them (for example git fetch --refetch, or a clone without --filter) to scan everything`,
    });
  }
  attribute(walk, repo, session);
  session.stats.blobs = walk.scanned;
  session.stats.commits = walk.commits.length;
}

interface Walk {
  commits: LoggedCommit[];
  introductions: Map<string, Introduction[]>;
  /** Per blob, what was found in it: one entry per file scanned (an archive blob has one per member). */
  hits: Map<string, ScannedFile[]>;
  scanned: number;
  bytes: number;
  unreadable: string[];
}

async function walkAndScan(revisions: readonly string[], repo: RepositoryFacts, env: NodeJS.ProcessEnv, session: ScanSession, missing: Set<string>, options: HistoryOptions): Promise<Walk> {
  const walk: Walk = { commits: [], introductions: new Map(), hits: new Map(), scanned: 0, bytes: 0, unreadable: [] };
  const report = throttle(() => options.onProgress?.({ commits: walk.commits.length, blobs: walk.scanned, bytes: walk.bytes }));
  const blobFile = (oid: string): SourceFile => {
    const path = walk.introductions.get(oid)?.[0]?.path ?? oid;
    return { path, kind: "history", absPath: join(repo.root, path), repoPath: path };
  };
  const sink = {
    begin: (oid: string) => {
      const file = session.openAside(blobFile(oid), (scanned) => {
        walk.scanned++;
        walk.bytes += scanned.outcome.bytes;
        session.recordCounts(scanned);
        const { outcome } = scanned;
        if (outcome.findings.length > 0 || outcome.suppressed.length > 0 || outcome.collected.length > 0) walk.hits.set(oid, [...(walk.hits.get(oid) ?? []), scanned]);
        report();
      });
      return (chunk: Buffer, final: boolean) => file.push(chunk, final);
    },
    missing: (oid: string) => void walk.unreadable.push(oid),
  };
  const readers = Array.from({ length: Math.max(1, options.readers ?? 2) }, () => new BlobStream(repo.root, env, sink));
  let next = 0;
  if (revisions.length === 0) {
    await Promise.all(readers.map((reader) => reader.end()));
    return walk;
  }
  try {
    await walkHistory(revisions, repo.root, env, {
      commit: (commit) => void walk.commits.push(commit),
      blob: (oid, path) => {
        let seen = walk.introductions.get(oid);
        if (!seen) {
          walk.introductions.set(oid, (seen = []));
          if (missing.has(oid)) walk.unreadable.push(oid);
          else readers[next++ % readers.length]!.request(oid);
        }
        if (!seen.some((entry) => entry.path === path)) seen.push({ commit: walk.commits.length - 1, path });
      },
    });
  } catch (error) {
    for (const reader of readers) reader.kill();
    throw explainRevisionError(error, revisions, repo);
  }
  await Promise.all(readers.map((reader) => reader.end()));
  options.onProgress?.({ commits: walk.commits.length, blobs: walk.scanned, bytes: walk.bytes });
  return walk;
}

/**
 * Each key once per path: of all the blobs and commits that put the key at that path, the
 * earliest commit is the one that introduced it.
 */
function attribute(walk: Walk, repo: RepositoryFacts, session: ScanSession): void {
  const earliest = new Map<string, { commit: number; path: string; finding: EngineFinding; scanned: ScannedFile }>();
  const attributed: Array<{ path: string; scanned: ScannedFile }> = [];
  for (const [oid, hits] of walk.hits) {
    for (const { commit, path } of walk.introductions.get(oid) ?? []) {
      if (session.isIgnored(join(repo.root, path))) continue;
      for (const scanned of hits) {
        attributed.push({ path, scanned });
        // An archive member is its own place: `release/app.zip!conf/app.env`.
        const entry = scanned.file.entry ?? "";
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
  for (const { path, commit, findings, scanned } of byPlace.values()) {
    const file: SourceFile = { path, kind: "history", absPath: join(repo.root, path), repoPath: path };
    // Allowed findings and cross-file facts are recorded once per blob and path, below.
    session.recordAttributed(file, findings, { ...scanned, outcome: { ...scanned.outcome, suppressed: [], collected: [] } }, { commit: commitOf(walk.commits[commit]) });
  }
  // Allowed findings and cross-file facts: once per blob and path.
  for (const { path, scanned } of attributed) {
    const file: SourceFile = { path, kind: "history", absPath: join(repo.root, path), repoPath: path };
    session.recordAttributed(file, [], scanned, {});
  }
}

function commitOf(commit: LoggedCommit | undefined): Finding["commit"] {
  return commit ? { sha: commit.sha, author: commit.author, date: commit.date } : undefined;
}

function warnIfShallow(session: ScanSession, repo: RepositoryFacts): void {
  if (repo.shallowBoundary.length === 0) return;
  const first = repo.shallowBoundary[0]?.slice(0, 12);
  const more = repo.shallowBoundary.length > 1 ? ` and ${repo.shallowBoundary.length - 1} other commit(s)` : "";
  session.warn({
    code: "shallow-clone",
    message: `this clone is shallow: history stops at ${first}${more}, and older commits were not scanned. Run git fetch --unshallow (in CI: fetch-depth: 0) to scan all of it`,
  });
}

/** A revision git cannot resolve: in a shallow clone it is history that is missing (exit 3); otherwise a typo (exit 2). */
function explainRevisionError(error: unknown, revisions: readonly string[], repo: RepositoryFacts): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!/unknown revision|bad revision|ambiguous argument|bad object|Invalid revision range/i.test(message)) return error;
  const asked = revisions.join(" ");
  if (repo.shallowBoundary.length > 0) {
    return new ScanError(`${asked} cannot be resolved: this clone is shallow and does not have those commits, so nothing was scanned. Run git fetch --unshallow (in CI: fetch-depth: 0)`);
  }
  return new UsageError(`${asked} is not a revision range this repository has (${message.replace(/^git log failed: /, "").split("\n")[0]})`);
}

/** Calls `fn` at most every 100 ms. */
function throttle(fn: () => void): () => void {
  let last = 0;
  return () => {
    const now = Date.now();
    if (now - last < 100) return;
    last = now;
    fn();
  };
}
