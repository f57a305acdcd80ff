/**
 * The public data shapes of lumenguard. Findings are data — a rule id, a message id and the
 * values its template needs — and prose is rendered only by reporters. A finding never carries
 * a full key: only the identity the Lumenfall dashboard shows and a fingerprint.
 */

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * Where the scanned bytes came from, as the JSON report's `source` names it: a file of the
 * working tree (or a given file, or a file npm would publish), the index, a blob of git history,
 * client code shipped to users, or standard input.
 */
export type SourceKind = "worktree" | "staged" | "history" | "bundle" | "stdin";

/**
 * What one scanned file is, as its source knows it. Finer than {@link SourceKind}:
 * - `tracked`, `untracked`: a working-tree file git tracks, or lists as untracked-not-ignored;
 * - `ignored`: an env file git ignores (read for the rules about such files only);
 * - `given`: a file named on the command line, read whatever git says of it;
 * - `staged`: a blob in the index; `history`: a blob of a past commit;
 * - `client`: client build output, a browser extension, mobile-app sources on disk;
 * - `emitted`: a chunk a bundler is about to write; `packed`: a file `npm pack` would ship;
 * - `stdin`: standard input.
 */
export type FileKind = "tracked" | "untracked" | "ignored" | "given" | "staged" | "history" | "client" | "emitted" | "packed" | "stdin";

export type Confidence = "high" | "medium";

/** The identity of a secret as its provider's dashboard shows it; never the secret itself. */
export interface SecretInfo {
  /** `lmnfl_<keyid>.…<last4>` for a Lumenfall key (dotless keys: `lmnfl_…<last4>`); a custom pattern's secret as `abcd…wxyz`. */
  redacted: string;
  /** SHA-256 of the full secret as UTF-8, 64 lowercase hex digits. */
  fingerprint: string;
  /** The key id, or null when the secret has none (a dotless key, another provider's secret). */
  keyId: string | null;
  /** Empty for a partial key (its last four are not known). */
  lastFour: string;
  confidence: Confidence;
  /**
   * Only part of the key was found: it goes on past a line break or a string literal in a way
   * that could not be joined. `fingerprint` is then the SHA-256 of `partial:` and the fragment,
   * which is never a key's fingerprint, and `--verify` does not send it.
   */
  partial?: true;
}

/** Values a message template interpolates (`{{name}}`): plain strings and numbers, never a key. */
export type MessageData = Readonly<Record<string, string | number>>;

/** Where a position of client output came from, through its source map. */
export interface OriginalPosition {
  /** The original source as the map names it, relative to the scan root when it is a path. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** Which of the rule's messages (RuleMeta.messages) describes this finding. */
  messageId: string;
  /** The values the message's template interpolates. */
  data: MessageData;
  /** Relative to the scan root, `/`-separated; `archive.zip!inner/path` inside an archive. */
  file: string;
  /** The same file from the repository's root, when the scan is inside a git repository. */
  repoPath?: string;
  /** 1-based. Binary content has no lines: line 1, and the column counts bytes. */
  line: number;
  /** 1-based, in UTF-16 code units of the line (as SARIF, ESLint and VS Code count); a BOM is not counted. */
  column: number;
  endLine: number;
  /** Exclusive, in the same units as `column`. */
  endColumn: number;
  source: SourceKind;
  secret?: SecretInfo;
  /** How the key was written when it was not plain text: base64, escaped, utf16le, utf16be. */
  encoding?: string;
  /** Why the match is a placeholder; present only on `--include-placeholders` info findings. */
  placeholder?: string;
  /** A short window of the line around the key, the key redacted: never the whole line. */
  snippet?: string;
  /**
   * A `lumenguard-allow` comment covers this finding but the scan did not honour it: a server's
   * pre-receive hook honours inline allows only when its own settings say so (`inlineAllow` in
   * lumenguard-server.json). `reason` is the comment's text after `lumenguard-allow:`, scrubbed.
   */
  inlineAllow?: { reason?: string };
  commit?: { sha: string; author: string; date: string };
  original?: OriginalPosition;
  verified?: "live" | "revoked" | "unknown";
  /**
   * Sharded history scans only (see {@link ShardInfo}): the 0-based position of `commit` in the
   * whole scan's walk (`git log --reverse`, oldest first; every shard walks every commit), which
   * `lumenguard merge` compares to keep the earliest commit per rule, key and path. Never in the
   * report of a scan that is not sharded, nor in a merged one.
   */
  commitIndex?: number;
}

export interface Warning {
  code: string;
  message: string;
  file?: string;
  /**
   * Content the scan had to judge could not be read (a blob a partial clone lacks, a Git LFS
   * object not fetched, commits beyond a shallow clone's boundary). A gate — `--staged`,
   * `--pre-push`, `--pre-receive`, `ci` — then exits 3 instead of passing; other scans warn.
   */
  incomplete?: true;
}

/** A finding that was found and then allowed; kept so the report can say why. */
export interface Suppression {
  ruleId: string;
  file: string;
  line: number;
  column: number;
  fingerprint?: string;
  by: "inline" | "ignore" | "baseline";
  /** The text after `lumenguard-allow:`, when one was given. */
  reason?: string;
  /** Sharded history scans only: as {@link Finding.commitIndex}, for a finding the baseline accepted. */
  commitIndex?: number;
}

export interface ScanStats {
  /** Files (or blobs) read through the engine, compressed and archived entries included. */
  files: number;
  /** Bytes read through the engine. */
  bytes: number;
  /** Git blobs read (history, pre-push, staged). */
  blobs: number;
  /** Commits walked (history, pre-push, ci). */
  commits?: number;
  durationMs: number;
  /** Files listed but not read (unreadable, special files, vanished, over a size limit). */
  skipped: number;
  /** Findings hidden by inline comments, config ignore globs or the baseline. */
  suppressed: number;
  /**
   * Findings that were found but not kept, beyond the caps that bound memory (10,000 per file,
   * 100,000 per scan); present only when some were left out, and then a warning says so.
   */
  findingsOverCap?: number;
}

/** What a scan looked at. */
export type ScanModeName = "worktree" | "staged" | "history" | "pre-push" | "pre-receive" | "ci" | "pack";

export interface ScanResult {
  version: 1;
  mode: ScanModeName;
  findings: Finding[];
  warnings: Warning[];
  suppressed: Suppression[];
  stats: ScanStats;
  /** Present only in the result of a sharded scan (`--shard I/N`): what `lumenguard merge` needs. */
  shard?: ShardInfo;
}

/**
 * What the report of one shard of a scan carries besides its findings, for `lumenguard merge`:
 * which shard it is, which scan it is a shard of, and the facts the rules that decide across
 * files kept (plain data: fingerprints, positions and file names, never a key). A shard does
 * not conclude those rules itself — their findings need every shard's facts — so its findings
 * are the whole scan's findings that fall in this shard, minus the cross-file ones.
 */
export interface ShardInfo {
  /** 1-based. */
  index: number;
  total: number;
  /** The same in every shard of one scan; merge refuses shards whose `scan` differs. */
  scan: ShardedScan;
  crossFile: CrossFileFacts;
  /**
   * Findings the engine counted but did not keep beyond the per-file cap (10,000), by report
   * path: merge sums them per file across shards and says so as the whole scan would.
   */
  overCapByFile: Array<{ file: string; count: number }>;
}

/** Which scan a shard belongs to. */
export interface ShardedScan {
  mode: "worktree" | "history";
  /** History: the revisions as given (`["A..B"]`); null for every ref. Working tree: null. */
  revisions: string[] | null;
  /** The paths given (history: the pathspecs, from the repository root; working tree: as typed). */
  paths: string[];
  /** SHA-256 (hex) of the configuration, the baseline and `--include-placeholders` the scan ran with. */
  settings: string;
  /** The commit HEAD names in the scanned repository; null outside git or before the first commit. */
  head: string | null;
  /** History: how many commits the walk holds, and the first (oldest) and last of them. */
  commits?: number;
  firstCommit?: string | null;
  lastCommit?: string | null;
  /** How many object ids (history: commits and distinct blobs) or paths (working tree) every shard chose from. */
  listed: number;
  /** SHA-256 (hex) of those ids or paths in the order they were listed, NUL-separated. */
  listing: string;
}

/** The facts of the rules that decide across files (`Rule.acrossFiles`), as one shard kept them. */
export interface CrossFileFacts {
  /** Each such rule of the scan, with the severity the configuration gave it (null: its own) and its options (plain data). */
  rules: Array<{ ruleId: string; severity: Severity | null; options: unknown }>;
  facts: CrossFileFact[];
  /**
   * For files with facts, the keys (1-based line, UTF-16 column) an inline allow marker covers,
   * with its reason: a cross-file finding at such a key is allowed. History: `commitIndex` of the
   * content that said so (the latest wins, as in a scan).
   */
  keyAllows: Array<{ file: string; commitIndex?: number; allows: Array<{ line: number; column: number; reason?: string }> }>;
  /** The baseline's entries for these rules (fingerprints only), or null when the scan applied no baseline. */
  baseline: Array<{ ruleId: string; file: string; fingerprint: string; line: number }> | null;
}

/** What one cross-file rule kept from one file. */
export interface CrossFileFact {
  ruleId: string;
  file: {
    /** The report path. */
    path: string;
    kind: FileKind;
    repoPath?: string;
    /** The path the baseline names this file by (relative to the baseline file's folder), when a baseline applies. */
    baselinePath?: string;
  };
  /** History: as {@link Finding.commitIndex}, for the commit that introduced this content at this path. */
  commitIndex?: number;
  /** The rule's own data (`Rule.acrossFiles.collect`): for the built-in rules, a file name, an environment and a key's position and identity. */
  item: unknown;
}
