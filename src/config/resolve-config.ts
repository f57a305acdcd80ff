import { isAbsolute, relative, resolve, sep } from "node:path";
import { customPatternRule } from "../../rules/custom-pattern.js";
import { rules as builtInRules } from "../../rules/index.js";
import { customPatternDetector } from "../detectors/custom-pattern.js";
import { lumenfallDetector, scrubKeys } from "../detectors/lumenfall/index.js";
import type { Detector } from "../engine/detector.js";
import { planEngine, type EnginePlan } from "../engine/plan.js";
import type { Rule, RuleMeta } from "../engine/rule.js";
import { ConfigError } from "../errors.js";
import { limitsFrom, type ScanLimits } from "../scanning/limits.js";
import type { Severity } from "../types.js";
import { braceBudget, charMask, compileGlob, GlobError, type CompiledGlob } from "./glob.js";
import { loadConfig, validate, type LoadedConfig, type LumenguardConfig } from "./load-config.js";

/**
 * The one way every entry point — the CLI, the programmatic API, the bundler plugins — turns
 * configuration into what a scan runs: the config file found from the scanned folder upward
 * (or given), the rules (built-in plus one per custom pattern, ids checked for clashes), the
 * detectors, each rule's options, and the `ignore` matcher.
 */
export interface ResolvedConfig {
  loaded: LoadedConfig;
  rules: readonly Rule<any>[];
  detectors: readonly Detector[];
  /** Options per rule id, for the rules that read the config. */
  ruleOptions: ReadonlyMap<string, unknown>;
  /** Config `ignore`: whether a file (absolute path) is excluded. */
  isIgnored(absPath: string): boolean;
  /** The meta of a rule of this scan (built-in or custom), for reporters. */
  ruleMeta(id: string): RuleMeta | undefined;
  /** The config's `failOn`, else `medium`. */
  failOn: Severity | "none";
  /** Size budgets: the config's `maxFileMegabytes` and `archives`, over the defaults. */
  limits: ScanLimits;
}

export interface ResolveOptions {
  /** Where the config lookup starts: the scanned folder. */
  startDir: string;
  /** `--config FILE` (absolute, or relative to `cwd`). */
  explicitFile?: string | undefined;
  cwd?: string;
  /** A config object instead of a file (the programmatic API); paths in it are relative to `startDir`. */
  config?: LumenguardConfig | undefined;
  /**
   * A config already read and validated, with the file it names and the folder its paths are
   * relative to (`ci` reads a pull request's base commit this way); no lookup is done.
   */
  loaded?: LoadedConfig | undefined;
  /** Fields set on the command line, over the config's (`--max-file-megabytes`). */
  overrides?: Pick<LumenguardConfig, "maxFileMegabytes"> | undefined;
  /**
   * Called once before the config's custom patterns are compiled, only when it has any: the CLI
   * turns on V8's linear-time regular expression engine there (src/cli/linear-regexp.ts says why
   * not earlier). The library never sets that process-wide flag itself.
   */
  beforeCustomPatterns?: (() => void) | undefined;
}

/**
 * Finds, validates and resolves the configuration.
 * @throws ConfigError (exit 2) naming the file and field when the config is invalid, or a custom
 *   pattern's id is already a rule's.
 */
export function resolveConfig(options: ResolveOptions): ResolvedConfig {
  const found: LoadedConfig = options.loaded
    ? options.loaded
    : options.config
    ? { config: validate(options.config, "the config object", ""), file: null, dir: resolve(options.startDir) }
    : loadConfig({ explicitFile: options.explicitFile ? resolve(options.cwd ?? options.startDir, options.explicitFile) : undefined, startDir: options.startDir });
  // What the command line sets wins; worker threads get the merged config, so they see it too.
  const loaded: LoadedConfig = options.overrides ? { ...found, config: { ...found.config, ...definedOnly(options.overrides) } } : found;
  const config = loaded.config;
  checkCustomPatternIds(loaded);
  const custom = config.customPatterns ?? [];
  if (custom.length > 0) options.beforeCustomPatterns?.();
  const rules = [...builtInRules, ...custom.map((pattern) => customPatternRule(pattern))];
  const detectors = [lumenfallDetector, ...custom.map((pattern) => customPatternDetector(pattern))];
  const ruleOptions = new Map<string, unknown>();
  for (const rule of rules) if (rule.optionsFromConfig) ruleOptions.set(rule.meta.id, rule.optionsFromConfig(config, rule.defaultOptions));
  const metas = new Map(rules.map((rule) => [rule.meta.id, rule.meta]));
  return {
    loaded,
    rules,
    detectors,
    ruleOptions,
    isIgnored: ignoreMatcher(loaded),
    ruleMeta: (id) => metas.get(id),
    failOn: config.failOn ?? "medium",
    limits: limitsFrom(config),
  };
}

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** The engine plan for one scan of a resolved config. */
export function planScan(resolved: ResolvedConfig, options: { includePlaceholders?: boolean; onKey?: EnginePlan["onKey"]; inlineAllows?: EnginePlan["inlineAllows"] } = {}): EnginePlan {
  return planEngine({
    ...(options.inlineAllows ? { inlineAllows: options.inlineAllows } : {}),
    rules: resolved.rules,
    detectors: resolved.detectors,
    ruleSettings: resolved.loaded.config.rules,
    ruleOptions: resolved.ruleOptions,
    includePlaceholders: options.includePlaceholders ?? false,
    scrub: scrubberFor(resolved.detectors),
    ...(options.onKey ? { onKey: options.onKey } : {}),
  });
}

/**
 * What the engine applies to text it echoes from a file (snippets, allow reasons): Lumenfall keys
 * in every encoding (`scrubKeys`), then every other detector's secrets (custom patterns), each
 * replaced by the redacted form its detector gives. The other detectors run on that short text
 * as on a file, with their own time budgets.
 */
function scrubberFor(detectors: readonly Detector[]): (text: string) => string {
  const others = detectors.filter((detector) => detector.id !== lumenfallDetector.id);
  if (others.length === 0) return scrubKeys;
  return (text) => {
    let out = scrubKeys(text);
    for (const detector of others) {
      // One byte per character, so that offsets are string indexes; characters above U+00FF become SUB, never part of a secret.
      const bytes = Buffer.from(out.replace(/[^\u0000-\u00ff]/g, "\u001a"), "latin1");
      const hits = detector.find(bytes, 0, bytes.length, { fileOffset: 0, state: {}, note: () => undefined }).sort((a, b) => b.start - a.start);
      for (const hit of hits) out = `${out.slice(0, hit.start)}${detector.redact(hit)}${out.slice(hit.end)}`;
    }
    return out;
  };
}

/** A custom pattern's id names its findings: it must not pass for a built-in rule or another pattern. */
function checkCustomPatternIds(loaded: LoadedConfig): void {
  const taken = new Set(builtInRules.map((rule) => rule.meta.id));
  loaded.config.customPatterns?.forEach((pattern, index) => {
    if (taken.has(pattern.id)) {
      throw new ConfigError(loaded.file ?? "config", `customPatterns[${index}].id`, `"${pattern.id}" is already the id of a rule or of another pattern`);
    }
    taken.add(pattern.id);
  });
}

/**
 * Config `ignore` globs (picomatch syntax, `dot: true`), matched against paths relative to the
 * config file's folder in time linear in the path (src/config/glob.ts). Globs without a
 * wildcard are looked up by equality; the others are tried only when the path starts and ends
 * with their literal text.
 * @throws ConfigError naming `ignore[i]` for a glob the matcher refuses (extglobs, groups, `!`),
 *   or the first glob whose braces take the list past what all of them may expand to together.
 */
function ignoreMatcher(loaded: LoadedConfig): (absPath: string) => boolean {
  const globs = loaded.config.ignore ?? [];
  if (globs.length === 0) return () => false;
  const exact = new Set<string>();
  const patterns: CompiledGlob[] = [];
  // One budget for the whole list: what all their braces expand to together is bounded.
  const budget = braceBudget();
  globs.forEach((glob, index) => {
    let compiled: CompiledGlob;
    try {
      compiled = compileGlob(glob, "picomatch", budget);
    } catch (error) {
      if (!(error instanceof GlobError)) throw error;
      throw new ConfigError(loaded.file ?? "config", `ignore[${index}]`, error.message);
    }
    if (compiled.literal !== null) exact.add(compiled.literal);
    else patterns.push(compiled);
  });
  // The characters each glob needs, side by side: most globs are ruled out by one `&`.
  const masks = Int32Array.from(patterns, (pattern) => pattern.mask);
  return (absPath) => {
    const rel = relative(loaded.dir, absPath);
    if (rel.startsWith("..") || isAbsolute(rel)) return false;
    const path = sep === "/" ? rel : rel.split(sep).join("/");
    if (exact.has(path)) return true;
    const mask = charMask(path);
    for (let k = 0; k < patterns.length; k++) if (((masks[k] as number) & ~mask) === 0 && (patterns[k] as CompiledGlob).test(path)) return true;
    return false;
  };
}
