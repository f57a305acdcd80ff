import { readFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { scrubKeys } from "../detectors/lumenfall/redact.js";
import { ConfigError } from "../errors.js";
import { writeFileAtomic } from "../files.js";
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

export function writeBaseline(baseline: Baseline, file: string): void {
  writeFileAtomic(file, `${JSON.stringify(baseline, null, 2)}\n`);
}

/**
 * Reads and validates a baseline file.
 * @throws ConfigError (exit 2) when it is missing, not JSON, or not a baseline (the field named).
 */
export function readBaseline(file: string): Baseline {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(file, null, code === "ENOENT" ? "baseline file does not exist" : "cannot be read");
  }
  return parseBaseline(text, file);
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
  const lines = new Map<string, number[]>();
  for (const entry of baseline.entries) {
    const key = groupKey(entry.ruleId, scrubKeys(entry.file), entry.fingerprint);
    lines.set(key, [...(lines.get(key) ?? []), entry.line]);
  }
  const groups = new Map<string, PlacedFinding[]>();
  for (const item of placed) {
    const key = groupKey(item.finding.ruleId, baselinePath(item.absPath, baselineFile), item.finding.secret?.fingerprint ?? "");
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  const kept: PlacedFinding[] = [];
  const suppressed: Suppression[] = [];
  for (const [key, items] of groups) {
    const accepted = matchByNearestLine(items, lines.get(key) ?? []);
    for (const item of items) {
      if (!accepted.has(item)) {
        kept.push(item);
        continue;
      }
      const { finding } = item;
      suppressed.push({ ruleId: finding.ruleId, file: finding.file, line: finding.line, column: finding.column, fingerprint: finding.secret?.fingerprint, by: "baseline" });
    }
  }
  return { kept, suppressed };
}

/**
 * As many findings as the baseline has entries for the same rule, path and key are accepted;
 * when there are more findings than entries, each entry takes the finding nearest its line.
 */
function matchByNearestLine(items: PlacedFinding[], entryLines: number[]): Set<PlacedFinding> {
  if (items.length <= entryLines.length) return new Set(items);
  const pairs: Array<{ item: PlacedFinding; entry: number; distance: number }> = [];
  entryLines.forEach((line, entry) => {
    for (const item of items) pairs.push({ item, entry, distance: Math.abs(item.finding.line - line) });
  });
  pairs.sort((a, b) => a.distance - b.distance);
  const accepted = new Set<PlacedFinding>();
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
 * The path from the baseline's folder, `/`-separated, any key in it redacted. Scrubbed before
 * `\\` becomes `/` (a name holding `\\u002e` for a key's dot is a key until then) and after.
 */
function baselinePath(absPath: string, baselineFile: string): string {
  return scrubKeys(scrubKeys(relative(dirname(baselineFile), absPath)).split("\\").join("/"));
}
