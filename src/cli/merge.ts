import { rules } from "../../rules/index.js";
import { resolveConfig } from "../config/resolve-config.js";
import { scrubKeys } from "../detectors/lumenfall/index.js";
import { ConfigError, exitCodeOf } from "../errors.js";
import { printable } from "../reporters/printable.js";
import type { ReportContext } from "../reporters/index.js";
import { exitCodeForFindings } from "../severity.js";
import { SEVERITIES, type Severity } from "../types.js";
import { useColor } from "./destinations.js";
import type { CliIO } from "./io.js";
import { readReports } from "./merge-input.js";
import { MergeError } from "./merge-error.js";
import { mergeReports } from "./merge-reports.js";
import { messages } from "./messages.js";
import { headShaAt, reportTargets, writeReports } from "./write-reports.js";

/**
 * `lumenguard merge REPORT.json… [--format F] [--output FILE] [--report F=FILE] [--fail-on S]
 * [--config FILE]`: the JSON reports of a sharded scan's shards (or of separate scans) in, one
 * report in any format out (merge-reports.ts says how), with a scan's exit codes:
 * - 0 nothing at or above `--fail-on` (default: the configuration's `failOn` — found from the
 *   current directory upward, or `--config` —, else `medium`), 1 findings at or above it;
 * - 2 bad input: a file that is missing, too large, not JSON or not a lumenguard report (the file
 *   and field named), shards of different scans, a shard given twice, a flag merge does not take;
 * - 3 a shard of a scan is missing (a shard that failed writes no report).
 * The configuration also gives custom patterns' descriptions to the report; its `ignore`,
 * rules and baseline were applied by the scans and are not applied again.
 *
 * The reports are untrusted input: every string of the merged result is scrubbed of keys and
 * made printable on its way out, as a scan's is, and report files are scrubbed once more whole.
 */
export interface MergeFlags {
  format?: string | undefined;
  output?: string | undefined;
  report?: string[] | undefined;
  "fail-on"?: string | undefined;
  config?: string | undefined;
  color?: boolean | undefined;
  "no-color"?: boolean | undefined;
}

const MERGE_FLAGS = new Set(["format", "output", "report", "fail-on", "config", "color", "no-color"]);

/**
 * Runs `merge`; returns the exit code. Usage and configuration errors are reported here (exit 2),
 * not by run(): this module is loaded beside the CLI's bundle, so its error classes are not the
 * bundle's. Anything else propagates, and run() reports it as an internal error (exit 3).
 */
export async function mergeCommand(files: readonly string[], values: MergeFlags & Record<string, unknown>, io: CliIO, toolVersion: string): Promise<number> {
  try {
    return await merge(files, values, io, toolVersion);
  } catch (error) {
    if (exitCodeOf(error) !== 2) throw error;
    const detail = (error as Error).message;
    return fail(io, error instanceof ConfigError ? messages.configError(detail) : detail.startsWith("lumenguard: ") ? printable(detail) : `lumenguard: ${printable(detail)}`, 2);
  }
}

async function merge(files: readonly string[], values: MergeFlags & Record<string, unknown>, io: CliIO, toolVersion: string): Promise<number> {
  const foreign = Object.keys(values).filter((name) => values[name] !== undefined && !MERGE_FLAGS.has(name));
  if (foreign.length > 0) return fail(io, messages.mergeFlags(foreign.map((name) => `--${name}`)), 2);
  if (files.length === 0) return fail(io, messages.mergeNothing(), 2);
  const failOnFlag = values["fail-on"];
  if (failOnFlag !== undefined && !isFailOn(failOnFlag)) return fail(io, messages.badFailOn(failOnFlag), 2);
  const targets = reportTargets(values);
  const startedAt = new Date().toISOString();
  const resolved = resolveConfig({ startDir: io.cwd, explicitFile: values.config, cwd: io.cwd });
  let result;
  try {
    result = mergeReports(await readReports(files, io.cwd));
  } catch (error) {
    if (error instanceof MergeError) return fail(io, messages.mergeFailed(error.message), error.exitCode);
    throw error;
  }
  const failOn: Severity | "none" = failOnFlag ?? resolved.failOn;
  const context: ReportContext = {
    color: false,
    failOn,
    reportFiles: targets.filter((target) => target.file !== "-").map((target) => target.file),
    ruleMeta: (id) => resolved.ruleMeta(id),
    rules: rules.map((rule) => rule.meta),
    toolVersion,
    startedAt,
    headSha: targets.some((target) => target.format === "gitlab") ? headShaAt([], io) : undefined,
    env: io.env,
  };
  for (const warning of result.warnings) io.stderr.write(`${messages.warning(warning.message)}\n`);
  // Whatever the inputs held, no key reaches a report file, even one split over two fields that a format prints side by side.
  await writeReports(targets, result, context, io, { stdout: useColor(io.stdout, values, io.env), stderr: useColor(io.stderr, values, io.env) }, { fileText: scrubKeys });
  return exitCodeForFindings(result.findings, failOn);
}

function fail(io: CliIO, message: string, code: 2 | 3): number {
  io.stderr.write(`${message}\n`);
  return code;
}

function isFailOn(value: string): value is Severity | "none" {
  return value === "none" || (SEVERITIES as readonly string[]).includes(value);
}
