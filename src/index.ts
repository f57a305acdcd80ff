/**
 * Programmatic API (SPEC §8): `import { scan } from "lumenguard"` returns the JSON shape of
 * SPEC §5, fully typed.
 */
export { scan, type ScanOptions } from "./scan.js";
export { scanBuffer, FileScanner, type EngineOptions, type FileOutcome } from "./engine/engine.js";
export { rules } from "../rules/index.js";
export type { Rule, RuleMeta, KeyOccurrence } from "./engine/rule.js";
export type { LumenguardConfig } from "./config/load-config.js";
export type { Confidence, Finding, ScanResult, ScanStats, SecretInfo, Severity, SourceKind, Suppression, Warning } from "./types.js";
