import { lstatSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { FileScanner } from "../engine/engine.js";
import { shellQuote } from "../files.js";
import { ScanError } from "../errors.js";
import { addFileOutcome, emptyOutcome, type FilesOutcome } from "../scanning/scan-files.js";
import { closeSession, openSession, type ScanRun, type Session, type SessionOptions } from "../scanning/session.js";
import { toPosix } from "../scanning/targets.js";
import { readBlobsQuickly } from "../sources/cat-file.js";
import { readFileInChunks } from "../sources/read-file.js";
import { GitBlobHash } from "../sources/git-blob-hash.js";
import { findWorkTreeRoot } from "../sources/repo-root.js";
import { listStagedBlobs, type StagedBlob } from "../sources/staged.js";
import type { Warning } from "../types.js";

/**
 * `lumenguard scan --staged`, the pre-commit mode (SPEC §3.2, issue #3): the content in the
 * index, not the working tree — they differ after `git add -p`. Each staged blob is read once
 * through `git cat-file --batch`. When the file on disk disagrees with the index about a key,
 * the report says so, with the command that fixes it.
 */
export type StagedOptions = SessionOptions;

export async function scanStaged(options: StagedOptions): Promise<ScanRun> {
  const cwd = resolve(options.cwd ?? process.cwd());
  // Not envForPath(): a hook's GIT_INDEX_FILE names the index this commit will record.
  const env = options.env ?? process.env;
  const root = findWorkTreeRoot(cwd, env);
  const session = openSession({ ...options, env }, cwd);
  const listing = listStagedBlobs(root, env);
  const warnings: Warning[] = listing.skipped.map(({ path, reason }) => {
    const file = display(session, root, path);
    return { code: "staged-skipped", message: `${file}: ${reason}; not scanned`, file };
  });
  const blobs = listing.blobs.filter((blob) => !session.isIgnored(join(root, blob.path)));
  const outcome = emptyOutcome();
  const differing = scanUnchangedFromDisk(blobs, root, session, outcome);
  const missing = await scanBlobs(differing.map((d) => d.blob), root, session, outcome);
  if (missing.length > 0) {
    const message = `${missing.length} staged blob(s) could not be read from the object store: ${missing.map((b) => b.path).join(", ")}`;
    if (missing.length === blobs.length) throw new ScanError(`${message}. Nothing was scanned.`);
    warnings.push({ code: "staged-missing", message });
  }
  warnings.push(...compareWithWorktree(differing, root, session, outcome));
  return closeSession(session, options, outcome, { mode: "staged", warnings, blobs: blobs.length - missing.length });
}

interface DifferingBlob {
  blob: StagedBlob;
  /** Key fingerprints in the file on disk, or null when there is no readable file. */
  keysOnDisk: Set<string> | null;
}

/**
 * Most commits stage files exactly as they are on disk. A file whose git blob id matches the
 * staged one is the staged content: it is scanned from disk, and git is not asked for it. The
 * rest (partial staging, later edits, deleted files) is returned, to be read from the index,
 * with the keys of the file on disk for the comparison.
 */
function scanUnchangedFromDisk(blobs: StagedBlob[], root: string, session: Session, outcome: FilesOutcome): DifferingBlob[] {
  const differing: DifferingBlob[] = [];
  for (const blob of blobs) {
    const absPath = join(root, blob.path);
    const size = regularFileSize(absPath);
    if (size === null) {
      differing.push({ blob, keysOnDisk: null });
      continue;
    }
    const scanner = new FileScanner({ path: display(session, root, blob.path), source: "staged" }, session.engine);
    const hash = new GitBlobHash(blob.oid.length, size);
    const read = readFileInChunks(absPath, (chunk, final) => {
      hash.update(chunk);
      scanner.push(chunk, final);
    });
    const result = scanner.end();
    if (read.kind === "read" && hash.digest() === blob.oid) addFileOutcome(outcome, absPath, result);
    else differing.push({ blob, keysOnDisk: read.kind === "read" ? keysOf(result) : null });
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

async function scanBlobs(blobs: StagedBlob[], root: string, session: Session, outcome: FilesOutcome): Promise<StagedBlob[]> {
  let next = 0;
  const missing: StagedBlob[] = [];
  if (blobs.length === 0) return missing;
  await readBlobsQuickly(blobs.map((blob) => blob.oid), root, session.env, {
    begin: () => {
      const blob = blobs[next++] as StagedBlob;
      const scanner = new FileScanner({ path: display(session, root, blob.path), source: "staged" }, session.engine);
      return (chunk, final) => {
        scanner.push(chunk, final);
        if (final) addFileOutcome(outcome, join(root, blob.path), scanner.end());
      };
    },
    missing: () => {
      missing.push(blobs[next++] as StagedBlob);
    },
  });
  return missing;
}

/**
 * SPEC §3.2: the key was removed from the file but is still staged (the commit would carry
 * it), or the file holds a key that is not staged (this commit is clean; the next `git add`
 * would not be).
 */
function compareWithWorktree(differing: DifferingBlob[], root: string, session: Session, outcome: FilesOutcome): Warning[] {
  const warnings: Warning[] = [];
  const stagedKeys = new Map<string, Set<string>>();
  for (const { finding, absPath } of outcome.placed) {
    if (finding.secret) stagedKeys.set(absPath, (stagedKeys.get(absPath) ?? new Set()).add(finding.secret.fingerprint));
  }
  for (const { blob, keysOnDisk: onDisk } of differing) {
    if (onDisk === null) continue;
    const name = display(session, root, blob.path);
    const staged = stagedKeys.get(join(root, blob.path)) ?? new Set<string>();
    if ([...staged].some((key) => !onDisk.has(key))) {
      warnings.push({
        code: "staged-differs",
        file: name,
        message: `${name}: the staged copy still holds a key that the file on disk no longer has, and the commit records the staged copy. Stage your fix with \`git add ${shellQuote(name)}\`, or unstage the file with \`git restore --staged ${shellQuote(name)}\``,
      });
    } else if ([...onDisk].some((key) => !staged.has(key))) {
      warnings.push({
        code: "worktree-differs",
        file: name,
        message: `${name}: the file on disk holds a key that is not staged. This commit is clean, but \`git add ${shellQuote(name)}\` would stage the key: remove it from the file first`,
      });
    }
  }
  return warnings;
}

function keysOf({ findings, suppressed }: ReturnType<FileScanner["end"]>): Set<string> {
  return new Set([...findings.map((f) => f.secret?.fingerprint), ...suppressed.map((s) => s.fingerprint)].filter((f): f is string => !!f));
}

function display(session: Session, root: string, path: string): string {
  return session.cwd === root ? path : toPosix(relative(session.cwd, join(root, path)));
}


