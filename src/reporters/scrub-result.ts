import { scrubKeys } from "../detectors/lumenfall/index.js";
import type { RuleMeta } from "../engine/rule.js";
import type { ScanResult } from "../types.js";
import type { ReportContext, Reporter } from "./types.js";

/**
 * The one place every report passes before it is rendered: each string of the result — file
 * names and paths from the repository root, original sources of a source map, allow reasons,
 * commit authors, message data, snippets, warnings — and each string of the rule descriptions
 * a report quotes (a custom pattern's description and revoke page come from the config) goes
 * through `scrubKeys`, so no Lumenfall key reaches a report in any encoding, whichever field it
 * hid in. The walk is generic: a field added to findings later is scrubbed without a change here.
 */
export function safeReporter(reporter: Reporter): Reporter {
  return (result, context) => reporter(scrubResult(result), scrubContext(context));
}

/** The result with every string scrubbed of keys (copied where something changed; the input is never modified). */
export function scrubResult(result: ScanResult): ScanResult {
  return scrubValue(result) as ScanResult;
}

/** The context with rule descriptions (each rule once), the scan root and report file names scrubbed. */
export function scrubContext(context: ReportContext): ReportContext {
  const cache = new Map<string, RuleMeta | undefined>();
  const ruleMeta = (id: string) => {
    if (!cache.has(id)) {
      const meta = context.ruleMeta(id);
      cache.set(id, meta === undefined ? undefined : (scrubValue(meta) as RuleMeta));
    }
    return cache.get(id);
  };
  const scrubbed: ReportContext = { ...context, ruleMeta, ...(context.rules ? { rules: context.rules.map((meta) => ruleMeta(meta.id) ?? meta) } : {}) };
  // The scan root and report file names come from the command line.
  if (context.pathBase !== undefined) scrubbed.pathBase = scrubKeys(context.pathBase);
  if (context.reportFiles) scrubbed.reportFiles = context.reportFiles.map(scrubKeys);
  return scrubbed;
}

/**
 * The value with every string scrubbed. Objects and arrays in which nothing changed are returned
 * as they are, not copied: a report of 100,000 findings, almost all clean, costs no second copy.
 */
function scrubValue(value: unknown): unknown {
  if (typeof value === "string") return scrubKeys(value);
  if (Array.isArray(value)) {
    let copy: unknown[] | null = null;
    value.forEach((item, i) => {
      const scrubbed = scrubValue(item);
      if (scrubbed !== item) (copy ??= [...value])[i] = scrubbed;
    });
    return copy ?? value;
  }
  // Only plain data is walked; anything else (a RegExp in a rule's meta) is not text to print.
  if (value === null || typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return value;
  let copy: Record<string, unknown> | null = null;
  for (const [name, field] of Object.entries(value)) {
    const scrubbed = scrubValue(field);
    if (scrubbed !== field) (copy ??= { ...(value as Record<string, unknown>) })[name] = scrubbed;
  }
  return copy ?? value;
}
