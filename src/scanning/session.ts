import { createRequire } from "node:module";
import { isAbsolute, relative, resolve } from "node:path";
import { rules as builtInRules } from "../../rules/index.js";
import { applyBaseline, readBaseline, type PlacedFinding } from "../baseline.js";
import { loadConfig, type LoadedConfig, type LumenguardConfig } from "../config/load-config.js";
import type { EngineOptions } from "../engine/engine.js";
import { ConfigError } from "../errors.js";
import { compareSeverity, compareText } from "../severity.js";
import type { Finding, ScanMode, ScanResult, Warning } from "../types.js";
import { engineOptionsFor } from "./engine-options.js";
import type { FilesOutcome } from "./scan-files.js";
import { toPosix } from "./targets.js";

/**
 * What every scan mode shares: the config found from the scan root, the `ignore` matcher, the
 * engine's options, and at the end the baseline, ordering and the result's shape.
 */
export interface SessionOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  configFile?: string;
  config?: LumenguardConfig;
  includePlaceholders?: boolean;
  baselineFile?: string;
  useBaseline?: boolean;
  /** `--verify`: receives each real key the engine finds (EngineOptions.onKey; src/verify/). */
  onKey?: EngineOptions["onKey"];
}

export interface Session {
  started: number;
  cwd: string;
  env: NodeJS.ProcessEnv;
  config: LoadedConfig;
  engine: EngineOptions;
  includePlaceholders: boolean;
  isIgnored(absPath: string): boolean;
}

export interface ScanRun {
  result: ScanResult;
  config: LoadedConfig;
  /** Findings with the absolute path of their file (baseline building needs it). */
  placed: PlacedFinding[];
}

export function openSession(options: SessionOptions, root: string): Session {
  const started = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const config: LoadedConfig = options.config
    ? { config: options.config, file: null, dir: root }
    : loadConfig({ explicitFile: options.configFile ? resolve(cwd, options.configFile) : undefined, startDir: root });
  checkCustomPatternIds(config);
  const includePlaceholders = options.includePlaceholders ?? false;
  return {
    started,
    cwd,
    env: options.env ?? process.env,
    config,
    engine: { ...engineOptionsFor(config.config, includePlaceholders), ...(options.onKey ? { onKey: options.onKey } : {}) },
    includePlaceholders,
    isIgnored: ignoreMatcher(config),
  };
}

export function closeSession(
  session: Session,
  options: SessionOptions,
  outcome: FilesOutcome,
  extra: { mode: ScanMode; warnings: Warning[]; blobs?: number; commits?: number },
): ScanRun {
  let kept = outcome.placed;
  const suppressed = outcome.suppressed;
  const baselineFile = options.useBaseline === false ? null : configuredBaseline(options.baselineFile, session.cwd, session.config);
  if (baselineFile) {
    const applied = applyBaseline(kept, readBaseline(baselineFile), baselineFile);
    kept = applied.kept;
    suppressed.push(...applied.suppressed);
  }
  const result: ScanResult = {
    version: 1,
    mode: extra.mode,
    findings: kept.map((item) => item.finding).sort(compareFindings),
    warnings: [...extra.warnings, ...outcome.warnings],
    suppressed,
    stats: {
      files: outcome.files,
      bytes: outcome.bytes,
      blobs: extra.blobs ?? 0,
      ...(extra.commits !== undefined ? { commits: extra.commits } : {}),
      durationMs: Math.round(performance.now() - session.started),
      skipped: outcome.skipped,
      suppressed: suppressed.length,
    },
  };
  return { result, config: session.config, placed: kept };
}

/** The baseline in use: `--baseline` (relative to cwd), else the config's (relative to the config file). */
export function configuredBaseline(flag: string | undefined, cwd: string, config: LoadedConfig): string | null {
  if (flag) return resolve(cwd, flag);
  return config.config.baseline ? resolve(config.dir, config.config.baseline) : null;
}

/** A custom pattern's id names its findings: it must not pass for a built-in rule or another pattern. */
function checkCustomPatternIds(config: LoadedConfig): void {
  const taken = new Set(builtInRules.map((rule) => rule.meta.id));
  config.config.customPatterns?.forEach((pattern, index) => {
    if (taken.has(pattern.id)) {
      throw new ConfigError(config.file ?? "config", `customPatterns[${index}].id`, `"${pattern.id}" is already the id of a rule or of another pattern`);
    }
    taken.add(pattern.id);
  });
}

/** Config `ignore` globs, matched against paths relative to the config file's directory. */
export function ignoreMatcher(config: LoadedConfig): (absPath: string) => boolean {
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

export function compareFindings(a: Finding, b: Finding): number {
  return compareText(a.file, b.file) || a.line - b.line || a.column - b.column || compareSeverity(a.severity, b.severity);
}
