import { planScan, resolveConfig, type ResolvedConfig } from "../config/resolve-config.js";
import { ScanSession } from "../scanning/session.js";
import { atOrAbove } from "../severity.js";
import { scanEmitted, type EmittedFile } from "../sources/emitted.js";
import { createTracer } from "../sources/source-maps.js";
import type { Finding, Severity, Warning } from "../types.js";

/**
 * What the bundler gates share: a build's emitted files run through the same configuration
 * loader, scanning loop and rules as the CLI (the bundler source, src/sources/emitted.ts), and
 * the findings split by the build's `failOn`.
 */
export interface GateOptions {
  /** Lowest severity that fails the build; default: the config's `failOn`, else `medium`. */
  failOn?: Severity | "none";
  /** `false`: report findings as warnings and let the build finish. Default `true`. */
  failOnFindings?: boolean;
}

export interface EmittedScan {
  /** Findings at or above `failOn`. */
  failing: Finding[];
  /** Findings below it (reported as warnings). */
  below: Finding[];
  warnings: Warning[];
  failOn: Severity | "none";
  /** The configuration the scan ran with (messages are rendered from its rules). */
  resolved: ResolvedConfig;
}

export interface EmittedScanContext {
  /** The project root: config is found from here upward, and original sources are named relative to it. */
  root: string;
  /** The build's output folder (absolute): maps' relative sources resolve against it. */
  outDir: string;
  failOn?: Severity | "none" | undefined;
}

/**
 * Scans a build's emitted files.
 * @throws ConfigError for an invalid config, as the CLI would (the build fails naming the field).
 */
export async function scanEmittedFiles(files: Iterable<EmittedFile>, context: EmittedScanContext): Promise<EmittedScan> {
  const resolved = resolveConfig({ startDir: context.root });
  const session = new ScanSession({ mode: "worktree", resolved, plan: planScan(resolved), baselineFile: null, trace: createTracer() });
  scanEmitted(session, files, { root: context.root, outDir: context.outDir });
  const { result } = await session.finish();
  const failOn = context.failOn ?? resolved.failOn;
  const scan: EmittedScan = { failing: [], below: [], warnings: result.warnings, failOn, resolved };
  for (const finding of result.findings) (atOrAbove(finding.severity, failOn) ? scan.failing : scan.below).push(finding);
  return scan;
}

export type { EmittedFile } from "../sources/emitted.js";
