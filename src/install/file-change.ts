import { renameSync, unlinkSync } from "node:fs";
import { assertWritableTarget, isWithin, OutsideWriteRootError, pathKind, readFileForUpdate, UnsafeWriteTargetError, writeFileAtomic } from "../files.js";

/**
 * What `lumenguard init` (and `scan --fix`) means to do to one file. Planners only read;
 * applyChanges() is the one place that writes, so `--dry-run` is the same plan left unapplied.
 * New content is bytes: planners edit a file's bytes (see byte-lines.ts), never a re-encoding
 * of them.
 */
export type FileChange =
  | { action: "create" | "update"; file: string; content: Buffer; executable?: boolean; note: string }
  | { action: "delete"; file: string; note: string }
  /** The user's hook (a file or a symbolic link) moves aside to `chained`; ours, which runs it next, takes its place. */
  | { action: "chain"; file: string; chained: string; content: Buffer; note: string }
  /** The user's hook moves back from `chained` over ours. */
  | { action: "restore"; file: string; chained: string; note: string }
  | { action: "unchanged"; file: string; note: string }
  /** Something init will not touch; any conflict means nothing at all is changed. */
  | { action: "conflict"; file: string; note: string };

/**
 * A file's bytes as a string of one character per byte (Latin-1), or null when there is no
 * file. Whatever the file's real encoding, `Buffer.from(text, "latin1")` gives back the same
 * bytes, so lines can be matched and appended without re-encoding anything. Throws
 * UnsafeWriteTargetError for a link, a directory or a special file (they are never edited).
 */
export function readBytesAsText(file: string): string | null {
  return readFileForUpdate(file)?.toString("latin1") ?? null;
}

/** The write that makes `file` hold `content` (both byte strings as readBytesAsText gives), or "unchanged". */
export function contentChange(file: string, before: string | null, content: string, note: string, executable = false): FileChange {
  if (before === content) return { action: "unchanged", file, note };
  const bytes = Buffer.from(content, "latin1");
  return before === null ? { action: "create", file, content: bytes, executable, note } : { action: "update", file, content: bytes, note };
}

/**
 * Checks every target of a plan before anything is written, so a plan is applied whole or
 * not at all: files written or deleted must be regular files (or missing), a hook moved aside
 * may be a file or a link but its new name must be free, and no folder between a target and
 * the folder it is confined to may be a link: the work tree's top for work-tree files, the git
 * directory for its hooks. A target outside both is refused (OutsideWriteRootError): a hooks
 * folder elsewhere belongs to other repositories or programs (init says so before it plans,
 * see hooks-folder.ts; this is the last line). Throws UnsafeWriteTargetError or
 * OutsideWriteRootError (exit 2).
 */
export function validateChanges(changes: readonly FileChange[], scope: PlanScope): void {
  for (const change of changes) {
    const within = writeRoot(change.file, scope);
    switch (change.action) {
      case "create":
      case "update":
      case "delete":
        assertWritableTarget(change.file, within);
        break;
      case "chain":
        assertWritableTarget(change.chained, within);
        if (pathKind(change.chained) !== "missing") throw new UnsafeWriteTargetError(change.chained, "other");
        break;
      case "restore":
        assertWritableTarget(change.file, within);
        break;
      case "unchanged":
      case "conflict":
        break;
    }
  }
}

/** Where a plan's files live: the work tree's top and the git directory (common to all worktrees). */
export interface PlanScope {
  root: string;
  gitDir: string;
}

/**
 * The folder `file` is confined to (writeFileAtomic's `within`): the git directory for a file
 * in it, else the work tree's top for a file below it. Throws OutsideWriteRootError for a file
 * below neither.
 */
function writeRoot(file: string, scope: PlanScope): string {
  if (isWithin(file, scope.gitDir)) return scope.gitDir;
  if (isWithin(file, scope.root)) return scope.root;
  throw new OutsideWriteRootError(file, scope.root);
}

/**
 * Applies a validated plan in order. When one step fails (a full disk, a permission), the
 * steps already done are undone in reverse order and the error is thrown again: the files are
 * as they were before.
 */
export function applyChanges(changes: readonly FileChange[], scope: PlanScope): void {
  const undo: Array<() => void> = [];
  try {
    for (const change of changes) undo.push(applyChange(change, writeRoot(change.file, scope)));
  } catch (error) {
    for (const step of undo.reverse()) {
      try {
        step();
      } catch {
        // Best effort: the first error is the one to report.
      }
    }
    throw error;
  }
}

/** Applies one change and returns how to take it back. */
function applyChange(change: FileChange, within: string): () => void {
  switch (change.action) {
    case "create":
      writeFileAtomic(change.file, change.content, { executable: change.executable ?? false, within });
      return () => unlinkSync(change.file);
    case "update": {
      const before = readFileForUpdate(change.file);
      writeFileAtomic(change.file, change.content, { within });
      return () => (before === null ? unlinkSync(change.file) : writeFileAtomic(change.file, before, { within }));
    }
    case "delete": {
      const before = readFileForUpdate(change.file);
      unlinkSync(change.file);
      // A deleted hook of ours comes back executable, as it was written.
      return () => before !== null && writeFileAtomic(change.file, before, { executable: true, within });
    }
    case "chain":
      // rename() moves the name itself: a hook that is a symbolic link stays a link, never followed.
      renameSync(change.file, change.chained);
      try {
        writeFileAtomic(change.file, change.content, { executable: true, within });
      } catch (error) {
        renameSync(change.chained, change.file);
        throw error;
      }
      return () => {
        unlinkSync(change.file);
        renameSync(change.chained, change.file);
      };
    case "restore": {
      // One rename: the user's hook replaces ours atomically, bytes and mode as they were.
      const ours = readFileForUpdate(change.file);
      renameSync(change.chained, change.file);
      return () => {
        renameSync(change.file, change.chained);
        if (ours !== null) writeFileAtomic(change.file, ours, { executable: true, within });
      };
    }
    case "unchanged":
    case "conflict":
      return () => undefined;
  }
}
