import { isAbsolute, sep } from "node:path";
import { FileScanner, type EngineOptions, type FileOutcome } from "../engine/engine.js";
import { readFileSync } from "node:fs";
import type { FileFacts, KeyOccurrence } from "../engine/rule.js";
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
  /** What rules decided across files kept from each file (plain data, from every thread). */
  collected: CollectedItem[];
  suppressed: Suppression[];
  warnings: Warning[];
  files: number;
  bytes: number;
  skipped: number;
}

export function emptyOutcome(): FilesOutcome {
  return { placed: [], collected: [], suppressed: [], warnings: [], files: 0, bytes: 0, skipped: 0 };
}

export function mergeOutcome(into: FilesOutcome, from: FilesOutcome): void {
  into.placed.push(...from.placed);
  into.collected.push(...from.collected);
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

/** One item a cross-file rule kept, with where it came from. */
export interface CollectedItem {
  ruleId: string;
  /** The file as reported, and on disk (for baselines). */
  file: string;
  absPath: string;
  item: unknown;
}

/** Hands a file's keys to the rules that decide across files (Rule.acrossFiles). */
function collectAcrossFiles(target: Target, facts: FileFacts, keys: readonly KeyOccurrence[], engine: EngineOptions, into: FilesOutcome): void {
  let text: string | undefined;
  const readText = () => (text ??= readFileSync(target.absPath, "utf8"));
  for (const rule of engine.rules) {
    if (!rule.acrossFiles || engine.ruleSettings?.[rule.meta.id] === "off") continue;
    for (const item of rule.acrossFiles.collect(facts, keys, readText)) into.collected.push({ ruleId: rule.meta.id, file: facts.path, absPath: target.absPath, item });
  }
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
    if (outcome.keys?.length) collectAcrossFiles(target, facts, outcome.keys, engine, into);
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
