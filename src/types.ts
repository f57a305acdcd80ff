/**
 * The public data shapes of lumenguard (SPEC §5). Findings are data; prose is rendered by
 * reporters. A finding never carries a full key: only what `redact()` derives from it.
 */

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Where the scanned bytes came from (SPEC §5 `source`). */
export type SourceKind = "worktree" | "staged" | "history" | "bundle" | "stdin";

export type Confidence = "high" | "medium";

/** The identity of a key as the Lumenfall dashboard shows it; never the key itself. */
export interface SecretInfo {
  /** `lmnfl_<keyid>.…<last4>` (dotless keys: `lmnfl_….<last4>`). */
  redacted: string;
  /** SHA-256 of the full key, hex. */
  fingerprint: string;
  /** The key id, or null for a dotless key (it has none). */
  keyId: string | null;
  lastFour: string;
  confidence: Confidence;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** Relative to the scan root, `/`-separated (SPEC §5). */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  source: SourceKind;
  secret?: SecretInfo;
  /** How the key was written when it was not plain text: base64, percent, utf16le, … */
  encoding?: string;
  /** Placeholder reason, present only on `--include-placeholders` info findings. */
  placeholder?: string;
  /** A short window of the line around the key, the key redacted: never the whole line. */
  snippet?: string;
  commit?: { sha: string; author: string; date: string };
  original?: { file: string; line: number; column: number };
  verified?: "live" | "revoked" | "unknown";
}

export interface Warning {
  code: string;
  message: string;
  file?: string;
}

/** A finding that was found and then allowed; kept so the report can say why (SPEC §4). */
export interface Suppression {
  ruleId: string;
  file: string;
  line: number;
  column: number;
  fingerprint?: string;
  by: "inline" | "ignore" | "baseline";
  /** The text after `lumenguard-allow:`, when one was given. */
  reason?: string;
}

export interface ScanStats {
  files: number;
  bytes: number;
  blobs: number;
  /** Commits walked (history and pre-push scans). */
  commits?: number;
  durationMs: number;
  /** Files listed but not read (unreadable, special files, vanished). */
  skipped: number;
  /** Findings hidden by inline comments, config ignore globs or the baseline. */
  suppressed: number;
}

/** What a scan looked at: the working tree, the index, git history, or the commits being pushed. */
export type ScanMode = "worktree" | "staged" | "history" | "pre-push" | "ci";

export interface ScanResult {
  version: 1;
  mode: ScanMode;
  findings: Finding[];
  warnings: Warning[];
  suppressed: Suppression[];
  stats: ScanStats;
}
