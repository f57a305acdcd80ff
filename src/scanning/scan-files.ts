import { FileScanner, type EngineOptions, type FileOutcome } from "../engine/engine.js";
import type { SourceKind, Suppression, Warning } from "../types.js";
import type { PlacedFinding } from "../baseline.js";
import { readFileInChunks } from "../sources/read-file.js";
import type { Target } from "./targets.js";

/** What scanning a list of files yields; plain data, so a worker thread can send it back. */
export interface FilesOutcome {
  placed: PlacedFinding[];
  suppressed: Suppression[];
  warnings: Warning[];
  files: number;
  bytes: number;
  skipped: number;
}

export function emptyOutcome(): FilesOutcome {
  return { placed: [], suppressed: [], warnings: [], files: 0, bytes: 0, skipped: 0 };
}

export function mergeOutcome(into: FilesOutcome, from: FilesOutcome): void {
  into.placed.push(...from.placed);
  into.suppressed.push(...from.suppressed);
  into.warnings.push(...from.warnings);
  into.files += from.files;
  into.bytes += from.bytes;
  into.skipped += from.skipped;
}

export function addFileOutcome(into: FilesOutcome, absPath: string, outcome: FileOutcome): void {
  into.files++;
  into.bytes += outcome.bytes;
  for (const finding of outcome.findings) into.placed.push({ finding, absPath });
  into.suppressed.push(...outcome.suppressed);
}

/** Reads and scans one file from disk into `into`. */
export function scanTarget(target: Target, source: SourceKind, engine: EngineOptions, into: FilesOutcome): void {
  const scanner = new FileScanner({ path: target.display, source, tracked: target.tracked }, engine);
  const read = readFileInChunks(target.absPath, (chunk, final) => scanner.push(chunk, final), { followSymlinks: target.explicit });
  if (read.kind === "read") addFileOutcome(into, target.absPath, scanner.end());
  else if (read.kind === "skipped") {
    into.skipped++;
    into.warnings.push({ code: "unreadable", message: `${target.display}: ${read.reason}; skipped`, file: target.display });
  }
}

/**
 * Scans targets, taking the next index from `next()` until it runs out: with a shared atomic
 * counter, the main thread and worker threads pull from one list and finish together.
 */
export function scanTargets(targets: readonly Target[], engine: EngineOptions, next: () => number, onFile?: (path: string) => void): FilesOutcome {
  const outcome = emptyOutcome();
  for (let index = next(); index < targets.length; index = next()) {
    const target = targets[index] as Target;
    onFile?.(target.display);
    scanTarget(target, "worktree", engine, outcome);
  }
  return outcome;
}
