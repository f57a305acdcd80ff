import { lstatSync } from "node:fs";
import { join, relative } from "node:path";
import { ScanError } from "../errors.js";
import { shellQuote } from "../files.js";
import { GitBlobHash } from "../git/blob-id.js";
import { listStagedBlobs, type StagedBlob } from "../git/list-staged.js";
import { withLfsPointerCheck } from "../git/object-content.js";
import { readBlobsQuickly } from "../git/read-blobs.js";
import { runGit } from "../git/run-git.js";
import { findWorkTreeRoot } from "../git/work-tree-root.js";
import type { ScannedFile } from "../scanning/file-sink.js";
import type { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";
import { markAlreadyCommitted } from "./already-committed.js";
import { LfsContent } from "./lfs-content.js";
import { readFileInChunks } from "./read-file.js";
import { toPosix } from "./paths.js";

/**
 * The index source (`lumenguard scan --staged`, the pre-commit hook): the content in the index,
 * not the working tree — they differ after `git add -p`. A file whose blob id on disk matches
 * the staged one is read from disk; the rest through `git cat-file --batch`. When the file on
 * disk disagrees with the index about a key, the report says so, with the command that fixes
 * it. The index is never written.
 *
 * The commit is judged on what it adds (as gitleaks and ggshield judge a commit by its diff): a
 * key that HEAD already has in the same file is reported as already committed — revoke it —
 * without failing the commit, unless `failOnExisting` is set. A Git LFS pointer is scanned as
 * the content it stands for (which `git add` put in the local LFS store), or said otherwise.
 */
export interface StagedOptions {
  cwd: string;
  /** Not cleaned of GIT_INDEX_FILE: a hook's GIT_INDEX_FILE names the index this commit will record. */
  env: NodeJS.ProcessEnv;
  /** Only these paths (from the work tree root); empty or absent: everything staged. */
  pathspecs?: readonly string[] | undefined;
  /** Report paths are relative to this folder (default: `cwd`). */
  displayRoot?: string | undefined;
  /** Keys HEAD already has in the same file fail the commit too. */
  failOnExisting?: boolean | undefined;
}

/** @throws ScanError (exit 3) outside a work tree, or when no staged blob could be read. */
export async function scanStaged(session: ScanSession, options: StagedOptions): Promise<void> {
  const root = findWorkTreeRoot(options.cwd, options.env);
  const displayRoot = options.displayRoot ?? options.cwd;
  const listing = listStagedBlobs(root, options.env, options.pathspecs ?? []);
  if (listing.changes === 0 && options.env["PRE_COMMIT"] === "1") {
    session.warn({
      code: "index-equals-head",
      message: "the index holds no changes, so --staged had nothing to read: under pre-commit run --all-files (and pre-commit.ci) use the lumenguard-files hook id, which scans the files the framework passes",
    });
  }
  for (const { path, reason } of listing.skipped) {
    const name = display(displayRoot, root, path);
    session.warn({ code: "staged-skipped", message: `${name}: ${reason}; not scanned`, file: name });
  }
  const files = listing.blobs
    .map((blob) => ({ blob, file: stagedFile(displayRoot, root, blob) }))
    .filter(({ file }) => !session.isIgnored(file.absPath));
  const results: Array<{ scanned: ScannedFile; blob: StagedBlob }> = [];
  const keep = (blob: StagedBlob) => (scanned: ScannedFile) => void results.push({ scanned, blob });
  const lfs = new LfsContent(() => gitCommonDir(root, options.env));
  const differing = scanUnchangedFromDisk(files, session, keep, lfs);
  const missing = await scanBlobs(differing, root, options.env, session, keep, lfs);
  if (missing.length > 0) {
    const message = `${missing.length} staged blob(s) could not be read from the object store: ${missing.map((entry) => entry.file.path).join(", ")}`;
    if (missing.length === files.length) throw new ScanError(`${message}. Nothing was scanned.`);
    session.warn({ code: "staged-missing", message, incomplete: true });
  }
  await session.settle();
  if (!options.failOnExisting) await markAlreadyCommitted(results, root, options.env, session);
  const staged = new Map<string, Set<string>>();
  for (const { scanned } of results) {
    session.record(scanned);
    staged.set(scanned.file.absPath, new Set([...(staged.get(scanned.file.absPath) ?? []), ...scanned.outcome.fingerprints]));
  }
  lfs.warnUnscanned(session, (oid) => files.filter((entry) => entry.blob.oid === oid).map((entry) => entry.file.path));
  session.stats.blobs = files.length - missing.length;
  compareWithWorktree(differing, staged, session);
}

interface StagedEntry {
  blob: StagedBlob;
  file: SourceFile;
}

interface DifferingEntry extends StagedEntry {
  /** Key fingerprints in the file on disk, or null when there is no readable file. */
  keysOnDisk: Set<string> | null;
}

function stagedFile(displayRoot: string, root: string, blob: StagedBlob): SourceFile {
  return { path: display(displayRoot, root, blob.path), kind: "staged", absPath: join(root, blob.path), repoPath: blob.path };
}

/**
 * Most commits stage files exactly as they are on disk. A file whose git blob id matches the
 * staged one is the staged content: it is scanned from disk, and git is not asked for it. The
 * rest (partial staging, later edits, deleted files, files git filters such as LFS) is
 * returned, to be read from the index, with the keys of the file on disk for the comparison.
 */
function scanUnchangedFromDisk(entries: StagedEntry[], session: ScanSession, keep: (blob: StagedBlob) => (scanned: ScannedFile) => void, lfs: LfsContent): DifferingEntry[] {
  const differing: DifferingEntry[] = [];
  for (const entry of entries) {
    const size = regularFileSize(entry.file.absPath);
    if (size === null) {
      differing.push({ ...entry, keysOnDisk: null });
      continue;
    }
    const hash = new GitBlobHash(entry.blob.oid.length, size);
    const results: ScannedFile[] = [];
    const sink = session.openAside(entry.file, (scanned) => void results.push(scanned));
    const push = (chunk: Buffer, final: boolean) => sink.push(chunk, final);
    // The staged blob is a Git LFS pointer when the file on disk is one (no git-lfs, or a clone that skipped smudging).
    const scanPointer = (pointer: Buffer) => session.openAside(entry.file, (scanned) => void results.push(scanned)).push(pointer, true);
    const scan = withLfsPointerCheck(size, push, (content) => lfs.substitute(entry.blob.oid, content, push, scanPointer));
    const read = readFileInChunks(entry.file.absPath, (chunk, final) => {
      hash.update(chunk);
      scan(chunk, final);
    });
    if (read.kind === "read" && hash.digest() === entry.blob.oid) results.forEach(keep(entry.blob));
    else differing.push({ ...entry, keysOnDisk: read.kind === "read" ? new Set(results.flatMap((scanned) => scanned.outcome.fingerprints)) : null });
  }
  return differing;
}

function regularFileSize(path: string): number | null {
  try {
    const stat = lstatSync(path);
    return stat.isFile() ? stat.size : null;
  } catch {
    return null;
  }
}

async function scanBlobs(
  entries: DifferingEntry[],
  root: string,
  env: NodeJS.ProcessEnv,
  session: ScanSession,
  keep: (blob: StagedBlob) => (scanned: ScannedFile) => void,
  lfs: LfsContent,
): Promise<DifferingEntry[]> {
  let next = 0;
  const missing: DifferingEntry[] = [];
  if (entries.length === 0) return missing;
  await readBlobsQuickly(entries.map((entry) => entry.blob.oid), root, env, {
    begin: (oid, size) => {
      const entry = entries[next++]!;
      const sink = session.openAside(entry.file, keep(entry.blob));
      const push = (chunk: Buffer, final: boolean) => sink.push(chunk, final);
      const scanPointer = (pointer: Buffer) => session.openAside(entry.file, keep(entry.blob)).push(pointer, true);
      return withLfsPointerCheck(size, push, (content) => lfs.substitute(oid, content, push, scanPointer));
    },
    missing: () => {
      missing.push(entries[next++]!);
    },
  });
  return missing;
}

function gitCommonDir(root: string, env: NodeJS.ProcessEnv): string {
  const result = runGit(["rev-parse", "--path-format=absolute", "--git-common-dir"], root, env);
  return result.status === 0 ? result.stdout.toString("utf8").trim() : join(root, ".git");
}

/**
 * The key was removed from the file but is still staged (the commit would carry it), or the
 * file holds a key that is not staged (this commit is clean; the next `git add` would not be).
 */
function compareWithWorktree(differing: DifferingEntry[], staged: Map<string, Set<string>>, session: ScanSession): void {
  for (const { file, keysOnDisk: onDisk } of differing) {
    if (onDisk === null) continue;
    const name = file.path;
    const inIndex = staged.get(file.absPath) ?? new Set<string>();
    if ([...inIndex].some((key) => !onDisk.has(key))) {
      session.warn({
        code: "staged-differs",
        file: name,
        message: `${name}: the staged copy still holds a key that the file on disk no longer has, and the commit records the staged copy. Stage your fix with \`git add ${shellQuote(name)}\`, or unstage the file with \`git restore --staged ${shellQuote(name)}\``,
      });
    } else if ([...onDisk].some((key) => !inIndex.has(key))) {
      session.warn({
        code: "worktree-differs",
        file: name,
        message: `${name}: the file on disk holds a key that is not staged. This commit is clean, but \`git add ${shellQuote(name)}\` would stage the key: remove it from the file first`,
      });
    }
  }
}

function display(displayRoot: string, root: string, path: string): string {
  return displayRoot === root ? path : toPosix(relative(displayRoot, join(root, path)));
}
