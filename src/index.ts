/**
 * The programmatic API: `import { scan } from "lumenguard"` runs one scan and returns the
 * report's data, fully typed. Errors are instances of the exported classes, each with the CLI
 * exit code it maps to (`exitCode`).
 */
export { scan, runScan, type ScanMode, type ScanOptions, type ScanRun } from "./scan.js";
export { ConfigError, ScanError, UsageError } from "./errors.js";
export { rules } from "../rules/index.js";
export { findingMessage } from "./reporters/render.js";
export { reporters, type ReportContext, type Reporter } from "./reporters/index.js";
export type { Rule, RuleMeta, KeyOccurrence, FileFacts, Scope, AppliesTo } from "./engine/rule.js";
export type { LumenguardConfig } from "./config/load-config.js";
export type {
  Confidence,
  FileKind,
  Finding,
  MessageData,
  OriginalPosition,
  ScanModeName,
  ScanResult,
  ScanStats,
  SecretInfo,
  Severity,
  SourceKind,
  Suppression,
  Warning,
} from "./types.js";
