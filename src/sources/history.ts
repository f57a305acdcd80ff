import { join } from "node:path";
import { ScanError, UsageError } from "../errors.js";
import { splitObject, withLfsPointerCheck, type ChunkSink } from "../git/object-content.js";
import { BlobStream, type BlobSink } from "../git/read-blobs.js";
import { inspectRepository, missingObjects, type RepositoryFacts } from "../git/repository.js";
import type { TipObject } from "../git/pushed-objects.js";
import { ALL_REFS, isEmpty, revisionArgs, type Revisions } from "../git/revisions.js";
import { runGit } from "../git/run-git.js";
import { walkHistory } from "../git/walk-history.js";
import type { ScannedFile } from "../scanning/file-sink.js";
import { nameMayHoldKey } from "../scanning/file-name-keys.js";
import type { ScanSession } from "../scanning/session.js";
import type { ShardSelection } from "../scanning/shard.js";
import type { SourceFile } from "../scanning/source-file.js";
import type { Warning } from "../types.js";
import { ALREADY_PUSHED, keysAlreadyThere } from "./already-committed.js";
import { attribute, COMMIT_HEADER_PATH, COMMIT_MESSAGE_PATH, displayName, isMessagePath, REF_NAME_PATH, reportWarnings, type Introduction, type Walk } from "./history-attribution.js";
import { literalFirst } from "./history-triage.js";
import { LfsContent, type ServerLfs } from "./lfs-content.js";

/**
 * The history source: every blob reachable from the given revisions is read once, however
 * many commits share it, and each key is reported once per key and path, with the commit that
 * introduced it. `git log --raw` lists commits and the blobs they introduce; the blobs stream
 * into two `git cat-file --batch` processes (both cores inflate) while the log is still being
 * walked. Each object is searched for the rules' literals as it arrives, and only those that hold
 * one reach the engine (history-triage.ts: inflating is the floor, and a real history's objects
 * almost never hold a literal). Memory holds one entry per distinct blob and the findings, and
 * never more of one blob than its first HOLD_BYTES.
 *
 * Which objects are read is decided in one place: `mine` (a sharded scan's share of the objects,
 * else all), asked by the walk's visitors the first time the walk meets a blob or a commit.
 *
 * Commit messages are pushed like files: each commit's message is scanned too, reported at the
 * pseudo-file `<commit message>` with that commit. A Git LFS pointer is scanned as the
 * content it stands for when that content is in the local LFS store, and said otherwise.
 */
export interface HistoryOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Which commits (default: every ref); a set that names no commit scans nothing. */
  revisions?: Revisions | undefined;
  /** How many `git cat-file` processes inflate blobs (default 2). */
  readers?: number;
  onProgress?: ((progress: HistoryProgress) => void) | undefined;
  /** Stops the walk: git is stopped and `scanHistory` rejects with the signal's reason. */
  signal?: AbortSignal | undefined;
  /**
   * Report paths: relative to this folder (default: the repository root). History paths are
   * always read from the repository root; this only changes how they are named.
   */
  displayRoot?: string | undefined;
  /** Objects of pushed refs that no commit walk visits: tag objects (chains peeled), blobs and trees a ref points at. */
  objects?: readonly TipObject[] | undefined;
  /** Ref names to scan as text (the refs a push updates, or every ref): a branch can be named with a key. */
  refNames?: readonly string[] | undefined;
  /**
   * One shard of a sharded scan: only the blobs and commit messages whose ids fall in it are
   * read; every commit is still walked, so positions in the walk are the whole scan's.
   */
  shard?: ShardSelection | undefined;
  /**
   * A push (`--pre-push`, `--pre-receive`): a key whose path the receiving side already has it
   * at is reported as already there, at low severity (src/sources/already-committed.ts
   * `ALREADY_PUSHED`), not as a new leak.
   */
  judgeByBoundary?: boolean;
  /** On a git server (`scan --pre-receive`): where its Git LFS content is (src/sources/lfs-content.ts). */
  server?: { lfs: ServerLfs | null } | undefined;
}

export interface HistoryProgress {
  commits: number;
  blobs: number;
  bytes: number;
}

/**
 * Walks and scans.
 * @throws ScanError (exit 3) outside a repository, when git fails, or when an object of a
 *   complete (not partial) clone cannot be read — a corrupt repository is not a partial clone.
 * @throws UsageError (exit 2) for a revision this repository does not have, or one that is not
 *   a revision at all (a leading `-`).
 */
export async function scanHistory(session: ScanSession, options: HistoryOptions): Promise<void> {
  const env = { ...options.env, GIT_NO_LAZY_FETCH: "1" };
  const repo = inspectRepository(options.cwd, env);
  const revisions = options.revisions ?? ALL_REFS;
  const missing = repo.partial && !isEmpty(revisions) ? missingObjects(revisions, options.cwd, env) : new Set<string>();
  const lfs = new LfsContent(repo.commonDir, options.server);
  const walk = await walkAndScan(revisions, repo, env, session, missing, lfs, options);
  await session.settle();
  if (walk.unreadable.length > 0) {
    if (!repo.partial) {
      throw new ScanError(`${walk.unreadable.length} object(s) of this repository cannot be read (${walk.unreadable.slice(0, 3).join(", ")}): the repository is damaged, so history was not scanned whole. Run git fsck to see what is broken`);
    }
    session.warn({
      code: "objects-missing",
      message: `${walk.unreadable.length} blob(s) are missing from this partial clone and were not scanned (${describeMissing(walk)}); fetch them (for example git fetch --refetch, or in CI a checkout without filter: blob:none) to scan everything`,
      incomplete: true,
    });
  }
  warnIfShallow(session, repo, walk);
  const name = displayName(repo.root, options.displayRoot);
  const already = options.judgeByBoundary ? await alreadyThere(walk, revisions, repo.root, env, session) : null;
  attribute(walk, repo.root, session, name, already === null ? undefined : (path, fingerprint) => already.get(path)?.has(fingerprint) ?? false);
  reportWarnings(walk, repo.root, session);
  // A path config `ignore` covers is not judged: its LFS content is not needed either.
  lfs.warnUnscanned(session, (oid) => (walk.introductions.get(oid) ?? []).filter((entry) => !session.isIgnored(join(repo.root, entry.path))).map((entry) => name(entry.path)));
  session.stats.blobs = walk.scanned;
  session.stats.commits = walk.commits.length;
  options.shard?.walked(walk.commits);
}

/**
 * For each path where the walk found a key: the key fingerprints the receiving side's versions
 * of it hold — at the boundary commits (`git rev-list --boundary`: commits outside the walk
 * whose children are in it, which the receiving side has).
 */
async function alreadyThere(walk: Walk, revisions: Revisions, root: string, env: NodeJS.ProcessEnv, session: ScanSession): Promise<Map<string, Set<string>>> {
  const paths = new Set<string>();
  for (const [oid, hits] of walk.hits) {
    if (!hits.some((scanned) => scanned.outcome.findings.some((finding) => finding.ruleId === ALREADY_PUSHED.ruleId && finding.secret !== undefined))) continue;
    for (const { path } of walk.introductions.get(oid) ?? []) if (!isMessagePath(path)) paths.add(path);
  }
  if (paths.size === 0 || isEmpty(revisions)) return new Map();
  const listed = runGit(["rev-list", "--boundary", ...revisionArgs(revisions)], root, env);
  if (listed.status !== 0) throw new ScanError(`git rev-list --boundary failed: ${listed.stderr}`);
  const boundary = listed.stdout.toString("utf8").split("\n").flatMap((line) => (line.startsWith("-") ? [line.slice(1).trim()] : []));
  return keysAlreadyThere([...paths], boundary, root, env, session);
}

async function walkAndScan(revisions: Revisions, repo: RepositoryFacts, env: NodeJS.ProcessEnv, session: ScanSession, missing: Set<string>, lfs: LfsContent, options: HistoryOptions): Promise<Walk> {
  const walk: Walk = { commits: [], introductions: new Map(), hits: new Map(), scanned: 0, bytes: 0, unreadable: [], warnings: [], keyNames: new Map() };
  // Commit and tag objects: id → the pseudo-file of their headers (the message is the object's own).
  const headed = new Map<string, string>();
  const report = throttle(() => options.onProgress?.({ commits: walk.commits.length, blobs: walk.scanned, bytes: walk.bytes }));
  const objectFile = (oid: string): SourceFile => {
    const path = walk.introductions.get(oid)?.[0]?.path ?? oid;
    return { path, kind: "history", absPath: join(repo.root, path), repoPath: path };
  };
  // Called once per file scanned: a blob that is an archive calls it once per member.
  const done = (oid: string) => (scanned: ScannedFile) => {
    walk.bytes += scanned.outcome.bytes;
    session.recordCounts(scanned);
    const { outcome } = scanned;
    if (outcome.findings.length > 0 || outcome.suppressed.length > 0 || outcome.collected.length > 0) walk.hits.set(oid, [...(walk.hits.get(oid) ?? []), scanned]);
    report();
  };
  // What the engine reads of an object: a commit's or tag's headers and message (two pseudo-files), an LFS pointer's content, a blob.
  const engine = (oid: string, size: number): ChunkSink => {
    const headerId = headed.get(oid);
    if (headerId !== undefined) {
      const message = session.openAside(objectFile(oid), done(oid));
      const headers = session.openAside(objectFile(headerId), done(headerId));
      return splitObject((chunk, final) => headers.push(chunk, final), (chunk, final) => message.push(chunk, final));
    }
    walk.scanned++;
    const warn = (warning: Warning) => void walk.warnings.push({ oid, warning });
    const file = session.openAside(objectFile(oid), done(oid), warn);
    const push = (chunk: Buffer, final: boolean) => file.push(chunk, final);
    // An LFS pointer: its content from the local store, and the pointer's own text (what is pushed) too.
    const scanPointer = (pointer: Buffer) => session.openAside(objectFile(oid), done(oid), warn).push(pointer, true);
    return withLfsPointerCheck(size, push, (content) => lfs.substitute(oid, content, push, scanPointer));
  };
  const missingObject = (oid: string) => void walk.unreadable.push(oid);
  // Large objects holding a literal, read again by the engine once the first pass is over.
  const again: string[] = [];
  const test = session.literalTest("history");
  const sink: BlobSink = test
    ? literalFirst(test, {
        engine,
        mustRead: (oid, size) => size > session.hooks.limits.fileBytes || test.mustRead(objectFile(oid)),
        // The literal test sees the whole object: a key in a header makes the engine read it.
        isMessage: (oid) => headed.has(oid),
        cleared: (oid, bytes) => {
          if (!headed.has(oid)) walk.scanned++;
          walk.bytes += bytes;
          // A commit or tag object is two pseudo-files to the engine: its headers and its message.
          session.stats.files += headed.has(oid) ? 2 : 1;
          session.stats.bytes += bytes;
          report();
        },
        readAgain: (oid) => void again.push(oid),
        missing: missingObject,
      })
    : { begin: engine, missing: missingObject };
  const readers = Array.from({ length: Math.max(1, options.readers ?? 2) }, () => new BlobStream(repo.root, env, sink));
  // Whether a blob was already introduced at a path: a list is searched while short; a blob found
  // at many paths (an empty file, a fixture copied a thousand times) gets a set of them.
  const manyPaths = new Map<string, Set<string>>();
  const introducedAt = (oid: string, seen: Introduction[], path: string): boolean => {
    if (seen.length < 16) return seen.some((entry) => entry.path === path);
    let paths = manyPaths.get(oid);
    if (!paths) manyPaths.set(oid, (paths = new Set(seen.map((entry) => entry.path))));
    if (paths.has(path)) return true;
    paths.add(path);
    return false;
  };
  const route = readerRouting(readers.length);
  const request = (oid: string, path: string) => readers[route(path)]!.request(oid);
  const mine = (oid: string) => options.shard?.takesObject(oid) ?? true;
  if (isEmpty(revisions)) {
    await Promise.all(readers.map((reader) => reader.end()));
    return walk;
  }
  try {
    await walkHistory(
      revisions,
      repo.root,
      env,
      {
        commit: (commit) => {
          walk.commits.push(commit);
          // The object is read through the same readers: its message and its headers (author,
          // committer, mergetag…) as two pseudo-files of its commit.
          headed.set(commit.sha, headerIdOf(commit.sha));
          walk.introductions.set(commit.sha, [{ commit: walk.commits.length - 1, path: COMMIT_MESSAGE_PATH }]);
          walk.introductions.set(headerIdOf(commit.sha), [{ commit: walk.commits.length - 1, path: COMMIT_HEADER_PATH }]);
          if (mine(commit.sha)) request(commit.sha, COMMIT_MESSAGE_PATH);
        },
        blob: (oid, path) => {
          // A key in a path is reported once, at the first commit of the walk (the oldest) that has the path.
          if (!walk.keyNames.has(path) && nameMayHoldKey(path) && (options.shard?.takesPath(path) ?? true)) walk.keyNames.set(path, walk.commits.length - 1);
          let seen = walk.introductions.get(oid);
          if (!seen) {
            walk.introductions.set(oid, (seen = []));
            // Every shard counts the blobs a partial clone lacks, so each says what the whole scan would.
            const read = mine(oid);
            if (missing.has(oid)) walk.unreadable.push(oid);
            else if (read) request(oid, path);
          }
          if (!introducedAt(oid, seen, path)) seen.push({ commit: walk.commits.length - 1, path });
        },
      },
      options.signal,
    );
  } catch (error) {
    for (const reader of readers) reader.kill();
    throw explainRevisionError(error, repo);
  }
  for (const object of options.objects ?? []) {
    // Not introduced by a commit of the walk: attributed to none (index -1).
    const seen = walk.introductions.get(object.oid);
    if (seen && !object.message) {
      seen.push({ commit: -1, path: object.path });
      continue;
    }
    walk.introductions.set(object.oid, [{ commit: -1, path: object.path }]);
    if (object.message) {
      headed.set(object.oid, headerIdOf(object.oid));
      walk.introductions.set(headerIdOf(object.oid), [{ commit: -1, path: object.headerPath ?? object.path }]);
    }
    if (mine(object.oid)) request(object.oid, object.path);
  }
  for (const name of new Set(options.refNames ?? [])) {
    const id = `ref:${name}`;
    walk.introductions.set(id, [{ commit: -1, path: REF_NAME_PATH }]);
    // Each ref's name is read by one shard only, as each object is.
    if (options.shard?.takesPath(id) ?? true) session.openAside(objectFile(id), done(id)).push(Buffer.from(name), true);
  }
  await untilRead(readers, options.signal);
  if (again.length > 0) {
    const reader = new BlobStream(repo.root, env, { begin: engine, missing: missingObject });
    for (const oid of again) reader.request(oid);
    await untilRead([reader], options.signal);
  }
  options.onProgress?.({ commits: walk.commits.length, blobs: walk.scanned, bytes: walk.bytes });
  return walk;
}

/**
 * Which reader inflates an object, by the path it was found at. git stores most versions of a
 * file as deltas of other versions of it, and each `cat-file` keeps the bases it inflated lately
 * in its delta-base cache: versions of one path read by one process inflate their chain once,
 * while spreading them over two inflates it in both. So each path's versions go to one reader in
 * runs of {@link ROUTING_RUN}, the first run to the reader given fewer objects so far, and the
 * runs of a path alternate — a file with thousands of versions (a lock file: 57 % of the bytes of
 * a real project's history) is still shared by every reader. Measured there, CPU time of the two
 * readers together: 5.4 s with objects dealt round-robin, 4.8 s with runs of 64 (4.45 s for one
 * reader alone), with the two readers within 5 % of each other.
 */
function readerRouting(readers: number): (path: string) => number {
  const given = new Array<number>(readers).fill(0);
  const paths = new Map<string, { first: number; seen: number }>();
  return (path) => {
    let entry = paths.get(path);
    if (!entry) paths.set(path, (entry = { first: given.indexOf(Math.min(...given)), seen: 0 }));
    const reader = (entry.first + Math.floor(entry.seen++ / ROUTING_RUN)) % readers;
    given[reader]!++;
    return reader;
  };
}

const ROUTING_RUN = 64;

/** Waits until `readers` have handed every requested object on; an abort stops git and rejects. */
async function untilRead(readers: BlobStream[], signal: AbortSignal | undefined): Promise<void> {
  if (!signal) {
    await Promise.all(readers.map((reader) => reader.end()));
    return;
  }
  const stop = () => readers.forEach((reader) => reader.kill());
  signal.addEventListener("abort", stop, { once: true });
  try {
    await Promise.race([Promise.all(readers.map((reader) => reader.end())), aborted(signal)]);
  } finally {
    signal.removeEventListener("abort", stop);
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** The key under which a commit's or tag's headers are attributed (the object id keys its message). */
function headerIdOf(oid: string): string {
  return `${oid}:headers`;
}

/** The first few missing blobs, by the path that introduced each. */
function describeMissing(walk: Walk): string {
  const named = walk.unreadable.slice(0, 3).map((oid) => `${walk.introductions.get(oid)?.[0]?.path ?? "?"} (${oid.slice(0, 12)})`);
  return `${named.join(", ")}${walk.unreadable.length > 3 ? ", …" : ""}`;
}

/**
 * A shallow clone: when the walk reached a commit where the clone's history stops, the commits
 * before it were not scanned — a gate exits 3 on that (`incomplete`), a plain scan warns. A walk
 * that stayed inside the clone's history (a range whose commits are all here) is complete.
 */
function warnIfShallow(session: ScanSession, repo: RepositoryFacts, walk: Walk): void {
  if (repo.shallowBoundary.length === 0) return;
  const boundary = new Set(repo.shallowBoundary);
  const reached = walk.commits.filter((commit) => boundary.has(commit.sha)).map((commit) => commit.sha.slice(0, 12));
  if (reached.length === 0) return;
  const more = reached.length > 1 ? ` and ${reached.length - 1} other commit(s)` : "";
  session.warn({
    code: "shallow-clone",
    message: `this clone is shallow: history stops at ${reached[0]}${more}, which the scanned commits reach, so the commits before it were not scanned. Fetch them: git fetch --unshallow (in CI: fetch-depth: 0 on actions/checkout, GIT_DEPTH: 0 on GitLab)`,
    incomplete: true,
  });
}

/** A revision git cannot resolve: in a shallow clone it is history that is missing (exit 3); otherwise a typo (exit 2). */
function explainRevisionError(error: unknown, repo: RepositoryFacts): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (!/unknown revision|bad revision|ambiguous argument|bad object|Invalid revision range|not a valid object name/i.test(message)) return error;
  const detail = message.replace(/^git log failed: /, "").split("\n")[0];
  if (repo.shallowBoundary.length > 0) {
    return new ScanError(`a revision cannot be resolved (${detail}): this clone is shallow and does not have those commits, so nothing was scanned. Run git fetch --unshallow (in CI: fetch-depth: 0)`);
  }
  return new UsageError(`not a revision range this repository has (${detail})`);
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

export { COMMIT_HEADER_PATH, COMMIT_MESSAGE_PATH, isMessagePath, REF_NAME_PATH } from "./history-attribution.js";
