import { existsSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { writeFileAtomic } from "../files.js";

/**
 * What `lumenguard init` means to do to one file. Planners only read; applyChanges() is the
 * one place that writes, so `--dry-run` is the same plan left unapplied.
 */
export type FileChange =
  | { action: "create" | "update"; file: string; content: string; executable?: boolean; note: string }
  | { action: "delete"; file: string; note: string }
  /** The user's hook moves aside to `chained` and ours, which runs it next, takes its place. */
  | { action: "chain"; file: string; chained: string; content: string; note: string }
  /** The user's hook moves back from `chained` over ours. */
  | { action: "restore"; file: string; chained: string; note: string }
  | { action: "unchanged"; file: string; note: string }
  /** Something init will not touch; any conflict means nothing at all is changed. */
  | { action: "conflict"; file: string; note: string };

export function readTextIfExists(file: string): string | null {
  if (!existsSync(file) || !statSync(file).isFile()) return null;
  return readFileSync(file, "utf8");
}

/** The write for new `content` of a file that is or is not there (unchanged when equal). */
export function contentChange(file: string, before: string | null, content: string, note: string, executable = false): FileChange {
  if (before === content) return { action: "unchanged", file, note };
  return before === null ? { action: "create", file, content, executable, note } : { action: "update", file, content, note };
}

export function applyChanges(changes: readonly FileChange[]): void {
  for (const change of changes) applyChange(change);
}

function applyChange(change: FileChange): void {
  switch (change.action) {
    case "create":
    case "update":
      return writeFileAtomic(change.file, change.content, { executable: change.executable ?? false });
    case "delete":
      return rmSync(change.file, { force: true });
    case "chain":
      renameSync(change.file, change.chained);
      return writeFileAtomic(change.file, change.content, { executable: true });
    case "restore":
      // One rename: the user's hook replaces ours atomically, bytes and mode as they were.
      return renameSync(change.chained, change.file);
    case "unchanged":
    case "conflict":
      return;
  }
}

