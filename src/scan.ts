import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, join, relative, resolve } from "node:path";
import { customPatternRule } from "../rules/custom-pattern.js";
import { rules as allRules } from "../rules/index.js";
import { compilePattern } from "./engine/custom-patterns.js";
import { applyBaseline, readBaseline, type PlacedFinding } from "./baseline.js";
import { loadConfig, type LoadedConfig, type LumenguardConfig } from "./config/load-config.js";
import { FileScanner, type EngineOptions } from "./engine/engine.js";
import type { FileFacts } from "./engine/rule.js";
import { ConfigError, ScanError } from "./errors.js";
import { listWorktreeFiles } from "./sources/list-worktree.js";
import { readFileInChunks } from "./sources/read-file.js";
import type { Finding, ScanResult, Severity, SourceKind, Suppression, Warning } from "./types.js";

/**
 * One scan, from paths to a result: config, sources, engine, suppression. Reads files and
 * runs git, but prints nothing and never touches `process` — the CLI does that.
 */

export interface ScanOptions {
  /** Files and directories, taken literally (no glob expansion); `-` is stdin. Default `.`. */
  paths?: string[];
  /** Directory that relative paths and the report's file names start from. Default: process.cwd(). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Read when `paths` holds `-`. */
  stdin?: AsyncIterable<Uint8Array>;
  /** The name stdin content is reported under (and matched against `ignore`). */
  stdinFilename?: string;
  /** A config file to use instead of looking one up. */
  configFile?: string;
  /** A config object to use instead of any file (programmatic API). */
  config?: LumenguardConfig;
  includePlaceholders?: boolean;
  /** A baseline file whose findings are not reported (overrides the config's `baseline`). */
  baselineFile?: string;
  /** False to report everything, whatever baseline is configured (for writing a new baseline). */
  useBaseline?: boolean;
  /** Called once per file read, for progress displays. */
  onFile?: (path: string) => void;
}

export interface ScanRun {
  result: ScanResult;
  config: LoadedConfig;
  /** Findings with the absolute path of their file (baseline building needs it). */
  placed: PlacedFinding[];
}

interface Target {
  absPath: string;
  display: string;
  source: SourceKind;
  explicit: boolean;
}

export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  return (await runScan(options)).result;
}

export async function runScan(options: ScanOptions): Promise<ScanRun> {
  const started = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const paths = options.paths && options.paths.length > 0 ? options.paths : ["."];
  const warnings: Warning[] = [];

  const single = paths.length === 1 && paths[0] !== "-" ? resolve(cwd, paths[0] as string) : null;
  const singleIsDir = single !== null && isDirectory(single);
  // The scan root (SPEC §5): the positional directory when one is given, else the current
  // directory — also for file arguments, so lint-staged passing one file or fifty finds the
  // same config.
  const configStart = singleIsDir && single ? single : cwd;
  const config: LoadedConfig = options.config
    ? { config: options.config, file: null, dir: configStart }
    : loadConfig({ explicitFile: options.configFile ? resolve(cwd, options.configFile) : undefined, startDir: configStart });
  const displayRoot = singleIsDir && single ? single : cwd;
  const isIgnored = ignoreMatcher(config);

  const targets: Target[] = [];
  const seen = new Set<string>();
  let missing = 0;
  let wantsStdin = false;
  for (const path of paths) {
    if (path === "-") {
      wantsStdin = true;
      continue;
    }
    const absPath = resolve(cwd, path);
    let kind: "dir" | "file" | "other";
    try {
      const stat = statSync(absPath);
      kind = stat.isDirectory() ? "dir" : stat.isFile() ? "file" : "other";
    } catch {
      missing++;
      warnings.push({ code: "path-missing", message: `${path} does not exist; nothing was scanned there`, file: path });
      continue;
    }
    if (kind === "other") {
      warnings.push({ code: "path-special", message: `${path} is not a regular file or directory; skipped`, file: path });
      continue;
    }
    if (kind === "file") {
      addTarget(targets, seen, { absPath, display: toPosix(path), source: "worktree", explicit: true });
      continue;
    }
    const listing = listWorktreeFiles(absPath, env);
    for (const message of listing.warnings) warnings.push({ code: "walk", message });
    for (const rel of listing.files) {
      const file = join(absPath, rel);
      addTarget(targets, seen, { absPath: file, display: toPosix(relative(displayRoot, file)), source: "worktree", explicit: false });
    }
  }
  if (missing > 0 && missing === paths.length) {
    throw new ScanError(`nothing to scan: ${paths.join(", ")} ${missing === 1 ? "does" : "do"} not exist`);
  }

  checkCustomPatternIds(config);
  const engine = engineOptions(config.config, options.includePlaceholders ?? false);
  const placed: PlacedFinding[] = [];
  const suppressed: Suppression[] = [];
  let files = 0;
  let bytes = 0;
  let skipped = 0;

  const collect = (absPath: string, outcome: ReturnType<FileScanner["end"]>) => {
    files++;
    bytes += outcome.bytes;
    for (const finding of outcome.findings) placed.push({ finding, absPath });
    suppressed.push(...outcome.suppressed);
  };

  let listed = 0;
  for (const target of targets) {
    if (isIgnored(target.absPath)) continue;
    listed++;
    const scanner = new FileScanner(facts(target.display, target.source), engine);
    options.onFile?.(target.display);
    const read = readFileInChunks(target.absPath, (chunk, final) => scanner.push(chunk, final), { followSymlinks: target.explicit });
    if (read.kind === "read") collect(target.absPath, scanner.end());
    else if (read.kind === "skipped") {
      skipped++;
      warnings.push({ code: "unreadable", message: `${target.display}: ${read.reason}; skipped`, file: target.display });
    }
  }

  if (wantsStdin) {
    if (!options.stdin) throw new ScanError("'-' was given but no standard input is available");
    const name = options.stdinFilename ?? "<stdin>";
    const absPath = resolve(cwd, name);
    listed++;
    if (!options.stdinFilename || !isIgnored(absPath)) {
      const scanner = new FileScanner(facts(toPosix(name), "stdin"), engine);
      for await (const chunk of options.stdin) scanner.push(chunk);
      collect(absPath, scanner.end());
    }
  }

  if (listed > 0 && files === 0 && skipped === listed) {
    throw new ScanError(`no input could be read: all ${skipped} file(s) were unreadable`);
  }

  let kept = placed;
  const baselineFile = options.useBaseline === false ? null : configuredBaseline(options.baselineFile, cwd, config);
  if (baselineFile) {
    const applied = applyBaseline(placed, readBaseline(baselineFile), baselineFile);
    kept = applied.kept;
    suppressed.push(...applied.suppressed);
  }

  const findings = kept.map((item) => item.finding).sort(compareFindings);
  const result: ScanResult = {
    version: 1,
    findings,
    warnings,
    suppressed,
    stats: { files, bytes, blobs: 0, durationMs: Math.round(performance.now() - started), skipped, suppressed: suppressed.length },
  };
  return { result, config, placed: kept };
}

/** A custom pattern's id names its findings: it must not pass for a built-in rule or another pattern. */
function checkCustomPatternIds(config: LoadedConfig): void {
  const taken = new Set(allRules.map((rule) => rule.meta.id));
  config.config.customPatterns?.forEach((pattern, index) => {
    if (taken.has(pattern.id)) {
      throw new ConfigError(config.file ?? "config", `customPatterns[${index}].id`, `"${pattern.id}" is already the id of a rule or of another pattern`);
    }
    taken.add(pattern.id);
  });
}

/** Rules and detectors for a config: the built-in rules plus one rule per custom pattern. */
function engineOptions(config: LumenguardConfig, includePlaceholders: boolean): EngineOptions {
  const custom = config.customPatterns ?? [];
  return {
    rules: [...allRules, ...custom.map((pattern) => customPatternRule(pattern))],
    ruleSettings: config.rules,
    includePlaceholders,
    customPatterns: custom.map((pattern) => compilePattern({ id: pattern.id, regex: new RegExp(pattern.regex), keywords: pattern.keywords })),
  };
}

/** The baseline in use: `--baseline` (relative to cwd), else the config's (relative to the config file). */
export function configuredBaseline(flag: string | undefined, cwd: string, config: LoadedConfig): string | null {
  if (flag) return resolve(cwd, flag);
  return config.config.baseline ? resolve(config.dir, config.config.baseline) : null;
}

function facts(path: string, source: SourceKind): FileFacts {
  return { path, source };
}

function addTarget(targets: Target[], seen: Set<string>, target: Target): void {
  if (seen.has(target.absPath)) return;
  seen.add(target.absPath);
  targets.push(target);
}

/** Config `ignore` globs, matched against paths relative to the config file's directory. */
function ignoreMatcher(config: LoadedConfig): (absPath: string) => boolean {
  const globs = config.config.ignore ?? [];
  if (globs.length === 0) return () => false;
  // Loaded only when there are globs: the pre-commit path pays for nothing it does not use.
  const picomatch = createRequire(import.meta.url)("picomatch") as typeof import("picomatch");
  const matches = picomatch(globs, { dot: true });
  return (absPath) => {
    const rel = relative(config.dir, absPath);
    if (rel.startsWith("..") || isAbsolute(rel)) return false;
    return matches(toPosix(rel));
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function toPosix(path: string): string {
  return path.split("\\").join("/");
}

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export function compareFindings(a: Finding, b: Finding): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity];
}
