import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { configBaseline, parseBaseline, readBaseline, type Baseline } from "../config/baseline.js";
import { CONFIG_FILES, loadConfig, parseConfigText, type LoadedConfig } from "../config/load-config.js";
import { resolveConfig, type ResolvedConfig } from "../config/resolve-config.js";
import { readFilesAtCommit } from "../git/read-at-commit.js";
import type { Finding, Severity } from "../types.js";
import { toPosix } from "./paths.js";

/**
 * A pull request cannot switch off the gate that reviews it. A change that adds
 * `"ignore": ["**"]` or `"failOn": "none"` to lumenguard's config, or its own key to the
 * baseline, would otherwise pass its own check. So for a change under review, `ci` scans with
 * the configuration and the baseline of the base commit — read from it (`git cat-file`, as
 * `git show <base>:<path>` reads), never from the checked-out change — and what the change does
 * to them becomes an `info` finding (`scan-settings-changed`) for the reviewer; the edit
 * applies once merged. Settings outside the repository (a `--config` or `--baseline` path
 * elsewhere on the runner) are not part of the change and are read from disk.
 */
export interface ReviewSettingsInput {
  /** The repository root. */
  root: string;
  /** The commit the change is proposed against (full object id). */
  base: string;
  /** Where the config lookup starts (the scan root). */
  startDir: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** `--config FILE`, if given (relative to `cwd`). */
  explicitFile?: string | undefined;
  /** `--baseline FILE`, if given (relative to `cwd`). */
  baselineFlag?: string | undefined;
  /** The settings as the change has them (from disk). */
  head: ResolvedConfig;
  /** The baseline file the change's settings name, or null. */
  headBaselineFile: string | null;
  /** Called before the base's custom patterns are compiled (see `resolveConfig`). */
  beforeCustomPatterns?: (() => void) | undefined;
}

export interface ReviewSettings {
  resolved: ResolvedConfig;
  baselineFile: string | null;
  /** The base's baseline, when its file is in the repository; undefined: read `baselineFile` from disk. */
  baseline: Baseline | undefined;
  /** `scan-settings-changed` findings, paths relative to `cwd`. */
  findings: Finding[];
  /** The base's setting for `scan-settings-changed`: the severity its findings get, or off. */
  severity: Severity | "off";
}

/** @throws ConfigError (exit 2) when the base's own config or baseline is invalid. */
export async function reviewSettings(input: ReviewSettingsInput): Promise<ReviewSettings> {
  const loaded = await baseConfig(input);
  const resolved = resolveConfig({ startDir: input.startDir, loaded, beforeCustomPatterns: input.beforeCustomPatterns });
  const baselineFile = input.baselineFlag ? resolve(input.cwd, input.baselineFlag) : (configBaseline(loaded)?.file ?? null);
  const findings: Finding[] = [];
  // The base's own setting for this rule ("off", or another severity) holds, like any rule's.
  const setting = loaded.config.rules?.["scan-settings-changed"];
  const severity: Severity = setting === undefined || setting === "off" ? "info" : setting;
  const settingsFinding = (file: string, messageId: "config" | "baseline", data: Record<string, string | number>) => findingAt(input, file, messageId, data, severity);
  const configChange = describeConfigChange(loaded, input.head.loaded);
  if (configChange !== null) findings.push(settingsFinding(configChange.file, "config", { fields: configChange.fields, base: input.base.slice(0, 12) }));
  let baseline: Baseline | undefined;
  const inRepo = baselineFile !== null ? repoPathOf(input.root, baselineFile) : null;
  if (baselineFile !== null && inRepo !== null) {
    const text = (await readFilesAtCommit(input.base, [inRepo], input.root, input.env)).get(inRepo) ?? null;
    // A base without the file accepts nothing: the safe side.
    baseline = text === null ? { version: 1, entries: [] } : parseBaseline(text.toString("utf8"), baselineFile);
  }
  const change = describeBaselineChange(baseline, baselineFile, input.headBaselineFile);
  if (change !== null) findings.push(settingsFinding(change.file, "baseline", { added: change.added, removed: change.removed, base: input.base.slice(0, 12) }));
  return { resolved, baselineFile, baseline, findings: setting === "off" ? [] : findings, severity: setting === "off" ? "off" : severity };
}

/** The config the base commit would use, looked for as `loadConfig` looks on disk: from `startDir` up. */
async function baseConfig(input: ReviewSettingsInput): Promise<LoadedConfig> {
  if (input.explicitFile !== undefined) {
    const file = resolve(input.cwd, input.explicitFile);
    const inRepo = repoPathOf(input.root, file);
    if (inRepo === null) return loadConfig({ explicitFile: file, startDir: input.startDir });
    const text = (await readFilesAtCommit(input.base, [inRepo], input.root, input.env)).get(inRepo) ?? null;
    return text === null ? { config: {}, file: null, dir: dirname(file) } : parseConfigText(text.toString("utf8"), file, file.endsWith("package.json"));
  }
  const candidates: Array<{ file: string; inRepo: string; packageJson: boolean }> = [];
  for (let dir = resolve(input.startDir); ; dir = dirname(dir)) {
    const inRepo = repoPathOf(input.root, join(dir, "x"));
    if (inRepo === null) break;
    for (const name of [...CONFIG_FILES, "package.json"]) {
      const file = join(dir, name);
      candidates.push({ file, inRepo: repoPathOf(input.root, file)!, packageJson: name === "package.json" });
    }
    if (dir === input.root || dirname(dir) === dir) break;
  }
  const texts = await readFilesAtCommit(input.base, candidates.map((candidate) => candidate.inRepo), input.root, input.env);
  for (const candidate of candidates) {
    const text = texts.get(candidate.inRepo);
    if (!text) continue;
    const loaded = parseConfigText(text.toString("utf8"), candidate.file, candidate.packageJson);
    if (loaded.file !== null) return loaded;
  }
  // Above the repository, the change has no say: the runner's own files, as on disk.
  const outside = loadConfig({ startDir: dirname(input.root) });
  return outside.file !== null ? outside : { config: {}, file: null, dir: resolve(input.startDir) };
}

/** Which top-level fields differ (or which file now holds the config), or null when the change leaves it alone. */
function describeConfigChange(base: LoadedConfig, head: LoadedConfig): { file: string; fields: string } | null {
  const keys = new Set([...Object.keys(base.config), ...Object.keys(head.config)]);
  const fields = [...keys].filter((key) => JSON.stringify((base.config as Record<string, unknown>)[key]) !== JSON.stringify((head.config as Record<string, unknown>)[key])).sort();
  const moved = base.file !== head.file;
  if (fields.length === 0 && !moved) return null;
  const file = head.file ?? base.file;
  if (file === null) return null;
  const where = moved ? (head.file === null ? "removed" : base.file === null ? "added" : `now read from ${toPosix(relative(dirname(base.file), head.file))}`) : null;
  return { file, fields: [where, fields.length > 0 ? `fields ${fields.join(", ")}` : null].filter(Boolean).join("; ") };
}

function describeBaselineChange(base: Baseline | undefined, baseFile: string | null, headFile: string | null): { file: string; added: number; removed: number } | null {
  // A baseline outside the repository is the runner's, not the change's.
  if (base === undefined && baseFile !== null) return null;
  const head = headFile !== null && existsSync(headFile) ? readHeadBaseline(headFile) : null;
  const entries = (baseline: Baseline | null | undefined) => new Set((baseline?.entries ?? []).map((entry) => JSON.stringify([entry.ruleId, entry.file, entry.fingerprint, entry.line])));
  const before = entries(base);
  const after = entries(head);
  const added = [...after].filter((entry) => !before.has(entry)).length;
  const removed = [...before].filter((entry) => !after.has(entry)).length;
  if (added === 0 && removed === 0 && headFile === baseFile) return null;
  const file = headFile ?? baseFile;
  return file === null ? null : { file, added, removed };
}

function readHeadBaseline(file: string): Baseline | null {
  try {
    return readBaseline(file);
  } catch {
    // The change broke its baseline: every entry of the base's is shown as removed.
    return null;
  }
}

function findingAt(input: ReviewSettingsInput, file: string, messageId: "config" | "baseline", data: Record<string, string | number>, severity: Severity): Finding {
  const finding: Finding = {
    ruleId: "scan-settings-changed",
    severity,
    messageId,
    data,
    file: toPosix(relative(input.cwd, file)) || file,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    source: "worktree",
  };
  const inRepo = repoPathOf(input.root, file);
  if (inRepo !== null) finding.repoPath = inRepo;
  return finding;
}

/** `file` from the repository root, `/`-separated, or null when it is outside. */
function repoPathOf(root: string, file: string): string | null {
  const rel = relative(root, file);
  if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel)) return null;
  return rel.split(sep).join("/");
}
