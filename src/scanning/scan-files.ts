import { isAbsolute, sep } from "node:path";
import { FileScanner, type EngineOptions, type FileOutcome } from "../engine/engine.js";
import { readFileSync } from "node:fs";
import type { FileFacts, KeyOccurrence } from "../engine/rule.js";
import { environmentInWorkflow, environmentOfPath, isWorkflow, type EnvironmentKey } from "../../rules/shared-key-across-environments.js";
import { lazyMapperFor } from "../sources/source-maps.js";
import { lazySourceContentMapper } from "./map-sources.js";
import type { Suppression, Warning } from "../types.js";
import type { PlacedFinding } from "../baseline.js";
import { DIRECTORY, readFileInChunks } from "../sources/read-file.js";
import type { Target } from "./targets.js";

const MAPPED = /\.(?:m?js|cjs|css)$/i;

/** What scanning a list of files yields; plain data, so a worker thread can send it back. */
export interface FilesOutcome {
  placed: PlacedFinding[];
  /** Keys in files that belong to an environment (shared-key-across-environments). */
  environmentKeys: EnvironmentKey[];
  suppressed: Suppression[];
  warnings: Warning[];
  files: number;
  bytes: number;
  skipped: number;
}

export function emptyOutcome(): FilesOutcome {
  return { placed: [], environmentKeys: [], suppressed: [], warnings: [], files: 0, bytes: 0, skipped: 0 };
}

export function mergeOutcome(into: FilesOutcome, from: FilesOutcome): void {
  into.placed.push(...from.placed);
  into.environmentKeys.push(...from.environmentKeys);
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

/** Keys of a file that configures an environment, for the cross-file rule. */
function environmentKeysOf(target: Target, keys: KeyOccurrence[]): EnvironmentKey[] {
  let environment = environmentOfPath(target.display);
  let text: string | null = null;
  if (environment === null && !isWorkflow(target.display)) return [];
  const entries: EnvironmentKey[] = [];
  for (const key of keys) {
    if (environment === null || isWorkflow(target.display)) {
      text ??= readFileSync(target.absPath, "utf8");
      environment = environmentInWorkflow(text, key.line);
      if (environment === null) continue;
    }
    entries.push({ file: target.display, absPath: target.absPath, environment, fingerprint: key.fingerprint, line: key.line, column: key.column, endColumn: key.endColumn, redacted: key.redacted, keyId: key.keyId, lastFour: key.lastFour, confidence: key.confidence });
  }
  return entries;
}

/** The folder the report's names are relative to: the absolute path less its displayed part. */
export function scanRootOf(target: Target): string | undefined {
  const display = target.display.split("/").join(sep);
  return target.absPath.endsWith(display) && !isAbsolute(display) ? target.absPath.slice(0, -display.length) : undefined;
}

/** Reads and scans one file from disk into `into`. */
export function scanTarget(target: Target, engine: EngineOptions, into: FilesOutcome): void {
  const facts: FileFacts = { path: target.display, source: "worktree", tracked: target.tracked, ignored: target.ignored, untracked: target.untracked, ignoredButTracked: target.ignoredButTracked };
  if (target.client) {
    facts.client = true;
    facts.source = "bundle";
    // Built code may have a source map: findings then name the original file and line. A map's
    // own sourcesContent names its sources. Both are read only when a finding asks.
    if (MAPPED.test(target.absPath)) facts.original = lazyMapperFor(target.absPath, scanRootOf(target));
    else if (target.absPath.endsWith(".map")) facts.original = lazySourceContentMapper(target.absPath, scanRootOf(target));
  }
  const scanner = new FileScanner(facts, engine);
  const read = readFileInChunks(target.absPath, (chunk, final) => scanner.push(chunk, final), { followSymlinks: target.explicit });
  if (read.kind === "read") {
    const outcome = scanner.end();
    addFileOutcome(into, target.absPath, outcome);
    if (outcome.keys?.length) into.environmentKeys.push(...environmentKeysOf(target, outcome.keys));
  }
  // A symlink's content is not followed, but rules about the file itself (an unignored .env) still apply.
  else if (read.kind === "symlink") addFileOutcome(into, target.absPath, scanner.end());
  else if (read.kind === "skipped" && read.reason === DIRECTORY && target.tracked) {
    // git lists a submodule as one tracked path, a folder on disk: its files belong to its own
    // repository (scanned on its own), so it is said once, not counted as an unreadable file.
    into.warnings.push({ code: "submodule", message: `${target.display}: a submodule (or a folder where git tracks a file); its files were not scanned here — scan it on its own`, file: target.display });
  } else if (read.kind === "skipped") {
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
    scanTarget(target, engine, outcome);
  }
  return outcome;
}
