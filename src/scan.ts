import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, relative, resolve } from "node:path";
import { rules as allRules } from "../rules/index.js";
import { applyBaseline, readBaseline, type PlacedFinding } from "./baseline.js";
import { loadConfig, type LoadedConfig, type LumenguardConfig } from "./config/load-config.js";
import { FileScanner, type EngineOptions } from "./engine/engine.js";
import { ConfigError, ScanError } from "./errors.js";
import { engineOptionsFor } from "./scanning/engine-options.js";
import { defaultJobs, ScanThreads } from "./scanning/parallel.js";
import { addFileOutcome, type FilesOutcome } from "./scanning/scan-files.js";
import { collectTargets, toPosix } from "./scanning/targets.js";
import { compareSeverity, compareText } from "./severity.js";
import type { Finding, ScanResult, Warning } from "./types.js";

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
  /** Called once per file read (on the main thread), for progress displays. */
  onFile?: (path: string) => void;
  /** Threads for large trees (default: the cores, at most 4); 1 scans on the main thread only. */
  jobs?: number;
}

export interface ScanRun {
  result: ScanResult;
  config: LoadedConfig;
  /** Findings with the absolute path of their file (baseline building needs it). */
  placed: PlacedFinding[];
}

export async function scan(options: ScanOptions = {}): Promise<ScanResult> {
  return (await runScan(options)).result;
}

export async function runScan(options: ScanOptions): Promise<ScanRun> {
  const started = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const paths = options.paths && options.paths.length > 0 ? options.paths : ["."];

  const single = paths.length === 1 && paths[0] !== "-" ? resolve(cwd, paths[0] as string) : null;
  // The scan root (SPEC §5): the positional folder when one is given, else the current
  // directory — also for file arguments, so lint-staged passing one file or fifty finds the
  // same config.
  const root = single !== null && isDirectory(single) ? single : cwd;
  const config: LoadedConfig = options.config
    ? { config: options.config, file: null, dir: root }
    : loadConfig({ explicitFile: options.configFile ? resolve(cwd, options.configFile) : undefined, startDir: root });
  checkCustomPatternIds(config);
  const isIgnored = ignoreMatcher(config);

  const includePlaceholders = options.includePlaceholders ?? false;
  const engine = engineOptionsFor(config.config, includePlaceholders);
  const { outcome, warnings } = await scanPaths(paths, { cwd, root, env, config, engine, isIgnored, includePlaceholders, options });
  if (paths.includes("-")) await scanStdin(options, cwd, engine, isIgnored, outcome);
  if (outcome.files === 0 && outcome.skipped > 0) {
    throw new ScanError(`no input could be read: all ${outcome.skipped} file(s) were unreadable`);
  }

  let kept = outcome.placed;
  const suppressed = outcome.suppressed;
  const baselineFile = options.useBaseline === false ? null : configuredBaseline(options.baselineFile, cwd, config);
  if (baselineFile) {
    const applied = applyBaseline(kept, readBaseline(baselineFile), baselineFile);
    kept = applied.kept;
    suppressed.push(...applied.suppressed);
  }

  const result: ScanResult = {
    version: 1,
    findings: kept.map((item) => item.finding).sort(compareFindings),
    warnings: [...warnings, ...outcome.warnings],
    suppressed,
    stats: {
      files: outcome.files,
      bytes: outcome.bytes,
      blobs: 0,
      durationMs: Math.round(performance.now() - started),
      skipped: outcome.skipped,
      suppressed: suppressed.length,
    },
  };
  return { result, config, placed: kept };
}

interface ScanContext {
  cwd: string;
  root: string;
  env: NodeJS.ProcessEnv;
  config: LoadedConfig;
  engine: EngineOptions;
  isIgnored: (absPath: string) => boolean;
  includePlaceholders: boolean;
  options: ScanOptions;
}

/** The files and folders given: listed, filtered by `ignore`, and read on every core when many. */
async function scanPaths(paths: string[], context: ScanContext): Promise<{ outcome: FilesOutcome; warnings: Warning[] }> {
  const { cwd, options } = context;
  const filePaths = paths.filter((path) => path !== "-");
  // Folders may hold thousands of files: start helper threads now, while git lists them.
  const jobs = options.jobs ?? defaultJobs();
  const threads = new ScanThreads(filePaths.some((path) => isDirectory(resolve(cwd, path))) ? jobs - 1 : 0);
  try {
    const listed = collectTargets(filePaths, cwd, context.root, context.env);
    if (listed.missing > 0 && listed.missing === paths.length) {
      throw new ScanError(`nothing to scan: ${paths.join(", ")} ${listed.missing === 1 ? "does" : "do"} not exist`);
    }
    const targets = listed.targets.filter((target) => !context.isIgnored(target.absPath));
    const input = { config: context.config.config, includePlaceholders: context.includePlaceholders };
    const outcome = await threads.scan(targets, context.engine, input, options.onFile);
    return { outcome, warnings: listed.warnings };
  } finally {
    threads.close();
  }
}

/** `-`: standard input, streamed through the engine under `--stdin-filename` (SPEC §3.5). */
async function scanStdin(options: ScanOptions, cwd: string, engine: EngineOptions, isIgnored: (absPath: string) => boolean, into: FilesOutcome) {
  if (!options.stdin) throw new ScanError("'-' was given but no standard input is available");
  const name = options.stdinFilename ?? "<stdin>";
  const absPath = resolve(cwd, name);
  if (options.stdinFilename && isIgnored(absPath)) return;
  const scanner = new FileScanner({ path: toPosix(name), source: "stdin" }, engine);
  for await (const chunk of options.stdin) scanner.push(chunk);
  addFileOutcome(into, absPath, scanner.end());
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

/** The baseline in use: `--baseline` (relative to cwd), else the config's (relative to the config file). */
export function configuredBaseline(flag: string | undefined, cwd: string, config: LoadedConfig): string | null {
  if (flag) return resolve(cwd, flag);
  return config.config.baseline ? resolve(config.dir, config.config.baseline) : null;
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



export function compareFindings(a: Finding, b: Finding): number {
  return compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareSeverity(a.severity, b.severity);
}
