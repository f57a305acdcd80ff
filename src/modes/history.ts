import { join, resolve } from "node:path";
import type { PlacedFinding } from "../baseline.js";
import { FileScanner } from "../engine/engine.js";
import { ScanError, UsageError } from "../errors.js";
import { emptyOutcome, type FilesOutcome } from "../scanning/scan-files.js";
import { closeSession, openSession, type ScanRun, type Session, type SessionOptions } from "../scanning/session.js";
import { BlobStream } from "../sources/cat-file.js";
import { walkHistory, type LoggedCommit } from "../sources/history-log.js";
import { inspectRepository, missingObjects, type RepositoryFacts } from "../sources/repository.js";
import type { Finding, ScanMode, Suppression, Warning } from "../types.js";

/**
 * `scan --history` (SPEC §3.3, issue #3): every blob reachable from the given revisions is
 * read once, however many commits share it, and each key is reported once per key and path,
 * with the commit that introduced it. `git log --raw` lists commits and the blobs they
 * introduce; the blobs stream into two `git cat-file --batch` processes (both cores inflate)
 * while the log is still being walked, and into the engine as they arrive. Memory holds one
 * entry per distinct blob and the findings, never a blob.
 */
export interface HistoryOptions extends SessionOptions {
  /** Revisions for `git log` (default: every ref); an empty list scans nothing. */
  revisions?: string[];
  mode?: Extract<ScanMode, "history" | "pre-push">;
  /** How many `git cat-file` processes inflate blobs (default 2). */
  readers?: number;
  onProgress?: (progress: HistoryProgress) => void;
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

interface BlobHits {
  findings: Finding[];
  suppressed: Suppression[];
}

export async function scanHistory(options: HistoryOptions): Promise<ScanRun> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = { ...(options.env ?? process.env), GIT_NO_LAZY_FETCH: "1" };
  const repo = inspectRepository(cwd, env);
  const session = openSession({ ...options, env }, cwd);
  const revisions = options.revisions ?? ["--all"];
  const warnings = shallowWarnings(repo);
  const missing = repo.partial && revisions.length > 0 ? missingObjects(revisions, cwd, env) : new Set<string>();

  const walk = await walkAndScan(revisions, repo, session, missing, options);
  if (walk.missingBlobs > 0) {
    warnings.push({
      code: "objects-missing",
      message: `${walk.missingBlobs} blob(s) are missing from this partial clone and were not scanned; fetch them (for example git fetch --refetch, or a clone without --filter) to scan everything`,
    });
  }
  const outcome = attribute(walk, repo, session);
  return closeSession(session, options, outcome, {
    mode: options.mode ?? "history",
    warnings,
    blobs: walk.scanned,
    commits: walk.commits.length,
  });
}

interface Walk {
  commits: LoggedCommit[];
  introductions: Map<string, Introduction[]>;
  hits: Map<string, BlobHits>;
  scanned: number;
  bytes: number;
  missingBlobs: number;
}

async function walkAndScan(revisions: string[], repo: RepositoryFacts, session: Session, missing: Set<string>, options: HistoryOptions): Promise<Walk> {
  const walk: Walk = { commits: [], introductions: new Map(), hits: new Map(), scanned: 0, bytes: 0, missingBlobs: 0 };
  const report = throttle(() => options.onProgress?.({ commits: walk.commits.length, blobs: walk.scanned, bytes: walk.bytes }));
  const sink = {
    begin: (oid: string) => {
      const path = walk.introductions.get(oid)?.[0]?.path ?? oid;
      const scanner = new FileScanner({ path, source: "history" }, session.engine);
      return (chunk: Buffer, final: boolean) => {
        scanner.push(chunk, final);
        if (!final) return;
        const result = scanner.end();
        walk.scanned++;
        walk.bytes += result.bytes;
        if (result.findings.length > 0 || result.suppressed.length > 0) walk.hits.set(oid, result);
        report();
      };
    },
    missing: () => {
      walk.missingBlobs++;
    },
  };
  const readers = Array.from({ length: Math.max(1, options.readers ?? 2) }, () => new BlobStream(repo.root, session.env, sink));
  let next = 0;
  if (revisions.length === 0) {
    await Promise.all(readers.map((reader) => reader.end()));
    return walk;
  }
  try {
    await walkHistory(revisions, repo.root, session.env, {
      commit: (commit) => {
        walk.commits.push(commit);
      },
      blob: (oid, path) => {
        let seen = walk.introductions.get(oid);
        if (!seen) {
          walk.introductions.set(oid, (seen = []));
          if (missing.has(oid)) walk.missingBlobs++;
          else (readers[next++ % readers.length] as BlobStream).request(oid);
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
 * Each key once per path (SPEC §2 key-in-history): of all the blobs and commits that put the
 * key at that path, the earliest commit is the one that introduced it.
 */
function attribute(walk: Walk, repo: RepositoryFacts, session: Session): FilesOutcome {
  const outcome = emptyOutcome();
  outcome.files = walk.scanned;
  outcome.bytes = walk.bytes;
  const earliest = new Map<string, { commit: number; placed: PlacedFinding }>();
  const allowed = new Map<string, Suppression>();
  for (const [oid, hits] of walk.hits) {
    for (const { commit, path } of walk.introductions.get(oid) ?? []) {
      const absPath = join(repo.root, path);
      if (session.isIgnored(absPath)) continue;
      for (const finding of hits.findings) {
        const key = `${finding.secret?.fingerprint ?? finding.ruleId}\u0000${path}`;
        const known = earliest.get(key);
        if (known && known.commit <= commit) continue;
        const placed = { finding: { ...finding, file: path, commit: commitOf(walk.commits[commit]) }, absPath };
        earliest.set(key, { commit, placed });
      }
      for (const suppression of hits.suppressed) allowed.set(`${suppression.fingerprint}\u0000${path}`, { ...suppression, file: path });
    }
  }
  outcome.placed = [...earliest.values()].map((entry) => entry.placed);
  outcome.suppressed = [...allowed.values()];
  return outcome;
}

function commitOf(commit: LoggedCommit | undefined): Finding["commit"] {
  return commit ? { sha: commit.sha, author: commit.author, date: commit.date } : undefined;
}

function shallowWarnings(repo: RepositoryFacts): Warning[] {
  if (repo.shallowBoundary.length === 0) return [];
  const first = repo.shallowBoundary[0]?.slice(0, 12);
  const more = repo.shallowBoundary.length > 1 ? ` and ${repo.shallowBoundary.length - 1} other commit(s)` : "";
  return [
    {
      code: "shallow-clone",
      message: `this clone is shallow: history stops at ${first}${more}, and older commits were not scanned. Run git fetch --unshallow (in CI: fetch-depth: 0) to scan all of it`,
    },
  ];
}

/** A revision git cannot resolve: in a shallow clone it is history that is missing (exit 3); otherwise a typo (exit 2). */
function explainRevisionError(error: unknown, revisions: string[], repo: RepositoryFacts): unknown {
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
