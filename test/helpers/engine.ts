import { rules as builtInRules } from "../../rules/index.js";
import { planScan, resolveConfig } from "../../src/config/resolve-config.js";
import type { LumenguardConfig } from "../../src/config/load-config.js";
import type { EngineFinding, FileOutcome } from "../../src/engine/file-scanner.js";
import type { FileFacts, Rule } from "../../src/engine/rule.js";
import { openSink, type ScannedFile } from "../../src/scanning/file-sink.js";
import type { SourceFile } from "../../src/scanning/source-file.js";
import type { FileKind, Warning } from "../../src/types.js";
import { findingMessage } from "../../src/reporters/render.js";

/**
 * Runs text through the scanning loop's own entry (openSink) with a plan built by the config
 * resolver, as a scan would: for rule examples and engine tests that need no files on disk.
 */
export interface ScanTextOptions {
  /** Default `src/example.ts`. */
  path?: string;
  /** Rules' view of the file (scope, git status); default a tracked file of the repository. */
  facts?: Partial<Omit<FileFacts, "path">>;
  /** Only these rules run (default: every built-in rule and the config's custom patterns). */
  only?: readonly Rule<any>[];
  config?: LumenguardConfig;
  includePlaceholders?: boolean;
  /** Options for the rules, by rule id, over what the config gives. */
  ruleOptions?: Record<string, unknown>;
  /** Chunk sizes to feed the bytes in (default: one chunk). */
  chunkSize?: number;
}

export interface ScanTextResult {
  findings: EngineFinding[];
  outcome: FileOutcome;
  scanned: ScannedFile[];
  warnings: Warning[];
}

export function scanText(text: string | Uint8Array, options: ScanTextOptions = {}): ScanTextResult {
  const resolved = resolveConfig({ startDir: "/", config: options.config ?? {} });
  const selected = options.only ? resolved.rules.filter((rule) => options.only!.some((only) => only.meta.id === rule.meta.id)) : resolved.rules;
  const ruleOptions = new Map(resolved.ruleOptions);
  for (const [id, value] of Object.entries(options.ruleOptions ?? {})) {
    const rule = resolved.rules.find((candidate) => candidate.meta.id === id);
    ruleOptions.set(id, { ...(rule?.defaultOptions as object), ...(value as object) });
  }
  const plan = planScan({ ...resolved, rules: selected, ruleOptions }, { includePlaceholders: options.includePlaceholders ?? false });
  const path = options.path ?? "src/example.ts";
  const file: SourceFile = { path, kind: kindFor(options.facts ?? {}), absPath: `/${path}` };
  if (options.facts?.ignoredButTracked) file.ignoredButTracked = true;
  const scanned: ScannedFile[] = [];
  const warnings: Warning[] = [];
  const sink = openSink(file, { plan, limits: resolved.limits, done: (result) => void scanned.push(result), warn: (warning) => void warnings.push(warning), defer: () => {} });
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : Buffer.from(text);
  const size = options.chunkSize ?? Math.max(1, bytes.length);
  for (let at = 0; at < bytes.length; at += size) sink.push(bytes.subarray(at, at + size), at + size >= bytes.length);
  if (bytes.length === 0) sink.push(bytes, true);
  const outcome = scanned[0]!.outcome;
  // In report order (file, line, column), as a scan's result lists them.
  const findings = scanned.flatMap((entry) => entry.outcome.findings).sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  return { findings, outcome, scanned, warnings };
}

/** The file kind whose scope and git status are `facts` (the loop derives facts from kinds). */
export function kindFor(facts: Partial<Omit<FileFacts, "path">>): FileKind {
  switch (facts.scope ?? "repository") {
    case "history":
      return "history";
    case "shipped":
      return "client";
    case "package":
      return "packed";
    case "local":
      return "ignored";
    case "repository":
      return facts.git === "staged" ? "staged" : facts.git === "untracked" ? "untracked" : facts.git === "ignored" ? "ignored" : facts.git === undefined && facts.scope === "repository" ? "given" : "tracked";
  }
}

/** A finding's message as reporters render it, from the built-in rules' templates. */
export function message(finding: Pick<EngineFinding, "ruleId" | "messageId" | "data">): string {
  return findingMessage(finding, { ruleMeta: (id) => builtInRules.find((rule) => rule.meta.id === id)?.meta });
}

export { builtInRules };
