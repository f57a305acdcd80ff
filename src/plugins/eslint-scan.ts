import { isAbsolute, relative, resolve, sep } from "node:path";
import { planScan, resolveConfig, type ResolvedConfig } from "../config/resolve-config.js";
import type { EnginePlan } from "../engine/plan.js";
import { ScanSession } from "../scanning/session.js";
import type { SourceFile } from "../scanning/source-file.js";
import type { Finding } from "../types.js";

/**
 * The editor source (`lumenguard/eslint`): the text ESLint is linting — a file on disk or an
 * unsaved buffer — pushed through the same configuration resolver and the same scanning loop
 * as `lumenguard scan FILE`. The file is read as a given file (scope `repository`, no git
 * status), so the rules that apply to a file named on the command line apply here.
 */
export interface LintedText {
  /** The text ESLint parsed (without the byte-order mark, which ESLint strips). */
  text: string;
  /** ESLint's `context.filename`: absolute, a processor's virtual name below a real file (`README.md/0.js`), or `<input>`/`<text>`. */
  filename: string;
  /** ESLint's `context.physicalFilename`: the file on disk (config `ignore` globs are matched on it). */
  physicalFilename: string;
  /** ESLint's `context.cwd`: the scan root — the config is looked for from here upward, and report paths are relative to it. */
  cwd: string;
}

export interface TextScan {
  /** The findings, in report order; positions as the engine gives them (1-based lines, 1-based UTF-16 columns, `\n` ends a line). */
  findings: Finding[];
  /** The configuration the scan ran with (messages are rendered from its rules). */
  resolved: ResolvedConfig;
}

/** How long a resolved configuration is reused before the config file is looked up again, in milliseconds. */
export const CONFIG_REUSE_MS = 1000;

interface CachedConfig {
  at: number;
  outcome: { resolved: ResolvedConfig; plan: EnginePlan } | { error: unknown };
}

const configs = new Map<string, CachedConfig>();

/**
 * Scans one linted text.
 * @throws ConfigError (the field named) when the lumenguard config found from `cwd` is invalid:
 *   ESLint reports it as the rule's error and exits 2, as `lumenguard scan` would.
 */
export function scanLintedText(input: LintedText): TextScan {
  const { resolved, plan } = configFor(input.cwd);
  const absPath = isAbsolute(input.physicalFilename) ? input.physicalFilename : resolve(input.cwd, input.physicalFilename);
  if (resolved.isIgnored(absPath)) return { findings: [], resolved };
  const session = new ScanSession({ mode: "worktree", resolved, plan, baselineFile: null });
  const file: SourceFile = { path: reportPath(input), kind: "given", absPath };
  session.open(file).push(Buffer.from(input.text, "utf8"), true);
  return { findings: session.finishSync().result.findings, resolved };
}

/**
 * The resolved config and engine plan for a scan root, reused for {@link CONFIG_REUSE_MS}: one
 * ESLint run lints many files, and an editor's long-lived ESLint sees an edited config within a second.
 */
function configFor(cwd: string): { resolved: ResolvedConfig; plan: EnginePlan } {
  const now = Date.now();
  let cached = configs.get(cwd);
  if (!cached || now - cached.at > CONFIG_REUSE_MS) {
    let outcome: CachedConfig["outcome"];
    try {
      const resolved = resolveConfig({ startDir: cwd });
      outcome = { resolved, plan: planScan(resolved) };
    } catch (error) {
      outcome = { error };
    }
    cached = { at: now, outcome };
    configs.set(cwd, cached);
  }
  if ("error" in cached.outcome) throw cached.outcome.error;
  return cached.outcome;
}

/** The name rules and reports see: relative to the scan root with `/` separators, as `lumenguard scan` names a file under the current directory. */
function reportPath(input: LintedText): string {
  if (!isAbsolute(input.filename)) return input.filename;
  const path = relative(input.cwd, input.filename);
  return sep === "/" ? path : path.split(sep).join("/");
}
