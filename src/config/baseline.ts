import { basename, dirname, relative, resolve, sep } from "node:path";
import { scrubKeys } from "../detectors/lumenfall/redact.js";
import { ConfigError } from "../errors.js";
import { FileReadError, isWithin, readRegularFile, writeFileAtomic } from "../files.js";
import { repoRootOf } from "../git/work-tree-root.js";
import type { LoadedConfig } from "./load-config.js";
import { compareText } from "../severity.js";
import type { Finding, Suppression } from "../types.js";
import { describeSchemaError } from "./schema-errors.js";
import validateBaseline from "./validate-baseline.generated.js";

/**
 * Baselines: accepted findings, stored as rule + path + key fingerprint — never a key — with
 * the line only as a tie-break, so an entry survives edits above the key, rebases and squash
 * merges. Paths are relative to the baseline file (usually at the repository root), so the same
 * baseline works from any directory the scan runs in, and for every mode: a key accepted from
 * the working tree is accepted in the index, in history and in a push too — `lumenfall-key`,
 * `key-in-history` and `client-bundle-key` name one leaked key and count as one rule here.
 * The file is checked against schema/baseline.schema.json.
 *
 * A path that itself holds a key (a file named after one) is written with the key redacted, as
 * every report names it, and paths are compared redacted on both sides: the baseline never
 * holds a key, and one written before this rule still matches.
 */

export interface BaselineEntry {
  ruleId: string;
  file: string;
  fingerprint: string;
  line: number;
}

export interface Baseline {
  version: 1;
  entries: BaselineEntry[];
}

/** A finding together with the absolute path of its file, which baselines are keyed on. */
export interface PlacedFinding {
  finding: Finding;
  absPath: string;
}

export function buildBaseline(placed: PlacedFinding[], baselineFile: string): Baseline {
  const entries = placed.map(({ finding, absPath }) => ({
    ruleId: finding.ruleId,
    file: baselinePath(absPath, baselineFile),
    fingerprint: finding.secret?.fingerprint ?? "",
    line: finding.line,
  }));
  entries.sort((a, b) => compareText(a.file, b.file) || a.line - b.line || compareText(a.ruleId, b.ruleId));
  return { version: 1, entries };
}

/**
 * Writes a baseline atomically, never through a link (src/files.ts `writeFileAtomic`), below
 * `within`: the repository for a baseline a config names, the folder a user named for
 * `--output`.
 * @throws UnsafeWriteTargetError or OutsideWriteRootError (exit 2) before anything is written.
 */
export function writeBaseline(baseline: Baseline, file: string, within: string): void {
  writeFileAtomic(file, `${JSON.stringify(baseline, null, 2)}\n`, { within });
}

/**
 * The largest baseline file read: 100,000 entries (a scan keeps at most that many findings)
 * of ~250 bytes each, with room to spare.
 */
export const MAX_BASELINE_BYTES = 64 << 20;

/**
 * Reads and validates a baseline file: a regular file of at most {@link MAX_BASELINE_BYTES}
 * (a link to `/dev/zero` or a FIFO is refused, never read without end).
 * @throws ConfigError (exit 2) when it is missing, not a regular file, too large, not JSON, or
 *   not a baseline (the field named).
 */
export function readBaseline(file: string): Baseline {
  let bytes: Buffer | null;
  try {
    bytes = readRegularFile(file, MAX_BASELINE_BYTES);
  } catch (error) {
    if (error instanceof FileReadError) throw new ConfigError(file, null, error.detail);
    throw error;
  }
  if (bytes === null) throw new ConfigError(file, null, "baseline file does not exist");
  return parseBaseline(bytes.toString("utf8"), file);
}

/**
 * The baseline file a config names (`baseline`, relative to the config's folder) and the folder
 * it is confined to: the repository holding the config (or, outside git, the config's folder).
 * A repository's config is written by whoever wrote the repository, so it cannot send
 * `lumenguard baseline` to write — or a scan to read — a file elsewhere on the machine
 * (`"baseline": "../../.bashrc"`, an absolute path). Links on the way are refused when it is
 * written (writeFileAtomic).
 * @returns null when the config names no baseline.
 * @throws ConfigError (exit 2) naming the `baseline` field when the path leads outside.
 */
export function configBaseline(loaded: LoadedConfig): { file: string; within: string } | null {
  const named = loaded.config.baseline;
  if (!named) return null;
  const file = resolve(loaded.dir, named);
  const within = repoRootOf(loaded.dir) ?? loaded.dir;
  if (!isWithin(dirname(file), within) || file === within) {
    const field = loaded.file !== null && basename(loaded.file) === "package.json" ? "lumenguard.baseline" : "baseline";
    throw new ConfigError(loaded.file ?? "the config object", field, `leads outside the repository (${within}); a baseline named in a config must be a file inside the repository`);
  }
  return { file, within };
}

/**
 * A baseline file's text, read from anywhere (disk, or a commit: `ci` reads a pull request's
 * base), validated; `file` names it in errors.
 * @throws ConfigError (exit 2) when it is not JSON or not a baseline (the field named).
 */
export function parseBaseline(text: string, file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(file, null, "is not a valid baseline (JSON expected)");
  }
  if (!validateBaseline(data)) {
    const { field, detail } = describeSchemaError(validateBaseline.errors?.[0]);
    throw new ConfigError(file, field, detail);
  }
  return data as Baseline;
}

/** Splits findings into those not in the baseline and those it accepts. */
export function applyBaseline(placed: PlacedFinding[], baseline: Baseline, baselineFile: string) {
  return applyBaselineAt(placed, baseline, (item) => baselinePath(item.absPath, baselineFile));
}

/**
 * {@link applyBaseline} for findings whose path as the baseline names it is already known
 * (`pathOf`: relative to the baseline file's folder, `/`-separated): `lumenguard merge` applies
 * a shard's baseline to the findings it concludes from the shards' facts.
 */
export function applyBaselineAt<T extends { finding: Finding }>(placed: T[], baseline: Pick<Baseline, "entries">, pathOf: (item: T) => string): { kept: T[]; suppressed: Suppression[] } {
  const lines = new Map<string, number[]>();
  for (const entry of baseline.entries) {
    const key = groupKey(entry.ruleId, scrubKeys(entry.file), entry.fingerprint);
    lines.set(key, [...(lines.get(key) ?? []), entry.line]);
  }
  const groups = new Map<string, T[]>();
  for (const item of placed) {
    const key = groupKey(item.finding.ruleId, pathOf(item), item.finding.secret?.fingerprint ?? "");
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const kept: T[] = [];
  const suppressed: Suppression[] = [];
  for (const [key, items] of groups) {
    const accepted = matchByNearestLine(items, lines.get(key) ?? []);
    for (const item of items) {
      if (!accepted.has(item)) {
        kept.push(item);
        continue;
      }
      const { finding } = item;
      const allowed: Suppression = { ruleId: finding.ruleId, file: finding.file, line: finding.line, column: finding.column, fingerprint: finding.secret?.fingerprint, by: "baseline" };
      if (finding.commitIndex !== undefined) allowed.commitIndex = finding.commitIndex;
      suppressed.push(allowed);
    }
  }
  return { kept, suppressed };
}

/**
 * As many findings as the baseline has entries for the same rule, path and key are accepted;
 * when there are more findings than entries, each entry takes the finding nearest its line.
 */
function matchByNearestLine<T extends { finding: Finding }>(items: T[], entryLines: number[]): Set<T> {
  if (items.length <= entryLines.length) return new Set(items);
  const pairs: Array<{ item: T; entry: number; distance: number }> = [];
  entryLines.forEach((line, entry) => {
    for (const item of items) pairs.push({ item, entry, distance: Math.abs(item.finding.line - line) });
  });
  pairs.sort((a, b) => a.distance - b.distance);
  const accepted = new Set<T>();
  const used = new Set<number>();
  for (const { item, entry } of pairs) {
    if (used.has(entry) || accepted.has(item)) continue;
    used.add(entry);
    accepted.add(item);
  }
  return accepted;
}

/** The rules that report one leaked Lumenfall key, by where it was found: one rule for the baseline. */
const SAME_KEY_RULES = new Set(["lumenfall-key", "key-in-history", "client-bundle-key"]);

function groupKey(ruleId: string, file: string, fingerprint: string): string {
  const family = SAME_KEY_RULES.has(ruleId) ? "lumenfall-key" : ruleId;
  return `${family}\u0000${file}\u0000${fingerprint}`;
}

/**
 * A file as a baseline names it: the path from the baseline's folder, `/`-separated, any key in
 * it redacted — redacted first, while the path is as it was found: turning `\` into `/` first
 * would break an escaped key (`lmnfl_ID\u002eSECRET`) apart before the scrubber could see it.
 */
export function baselinePath(absPath: string, baselineFile: string): string {
  const path = scrubKeys(relative(dirname(baselineFile), absPath));
  return sep === "/" ? path : path.split(sep).join("/");
}
