import type { Severity, SourceKind } from "../types.js";
import type { KeyEncoding } from "./find-keys.js";
import type { PlaceholderReason } from "./placeholder.js";

/**
 * What a rule is (STYLE: ESLint's meta + create, gitleaks' rules as data). The engine knows
 * no rule by name: it hands every rule the keys it found in a file and the facts about the
 * file, and turns what the rule reports into findings.
 */

export interface RuleMeta {
  id: string;
  severity: Severity;
  /** One line: the guide's practice this rule enforces. */
  practice: string;
  /** Link to the guide's section. */
  guideUrl: string;
  /** Why it matters, in a sentence. */
  why: string;
  /**
   * What to do about a finding, one step a line. `{identity}` is replaced by how the dashboard
   * lists the key (key id and last four).
   */
  fix: readonly string[];
  /**
   * When two rules report the same key at the same place, the higher precedence wins
   * (SPEC §2: a key is reported once per location under the most specific rule).
   */
  precedence: number;
}

/** A key occurrence as rules see it: where, and who it is — never the key itself. */
export interface KeyOccurrence {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  keyId: string | null;
  lastFour: string;
  fingerprint: string;
  redacted: string;
  confidence: "high" | "medium";
  encoding: KeyEncoding;
  placeholder: PlaceholderReason | null;
  /** `lumenfall` for a Lumenfall key; a custom pattern's id for other providers' secrets. */
  detector: string;
  /** A short window of the line around the key, the key redacted. */
  snippet?: string;
}

export interface FileFacts {
  /** Path relative to the scan root, `/`-separated. */
  path: string;
  source: SourceKind;
  /** git tracks the file (known for working-tree files inside a repository). */
  tracked?: boolean;
  /** Inside a repository, git neither tracks nor ignores the file. */
  untracked?: boolean;
  /** git tracks the file although `.gitignore` matches it (ignored too late). */
  ignoredButTracked?: boolean;
  /**
   * git ignores the file: it is read only for the rules that care about ignored files (an
   * ignored `.env` holds keys where the guide says they belong).
   */
  ignored?: boolean;
  /** The file ships to users' devices: client build output, an extension, a mobile app (SPEC §3.4). */
  client?: boolean;
  /** For a file inside client output that has a source map: where a position came from. */
  original?: (line: number, column: number) => { file: string; line: number; column: number } | null;
}

/** Settings from the config that rules read. */
export interface RuleSettings {
  /** Browser-exposed env prefixes: the built-in ones plus config `publicEnvPrefixes`. */
  publicEnvPrefixes: readonly string[];
}

/** Where a cross-file rule reports: at a key of a file, with its message. */
export interface CrossFilePlace {
  file: string;
  key: KeyOccurrence;
  message: string;
}

/** A finding at a position the rule found in the text (not at a key). */
export interface PositionedReport {
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  message: string;
  severity?: Severity | undefined;
  /** The key the finding is about, when there is one. */
  key?: KeyOccurrence;
}

export interface RuleContext {
  file: FileFacts;
  keys: readonly KeyOccurrence[];
  report(key: KeyOccurrence, message?: string): void;
  /** A finding about the file itself (line 1), such as a tracked `.env`. */
  reportFile(options: { message: string; severity?: Severity | undefined }): void;
  /** A finding at a place in the text, e.g. `dangerouslyAllowBrowser: true`. */
  reportAt(report: PositionedReport): void;
  /**
   * The file's text, for rules that declared `text` and whose keywords occur in the file; null
   * for files read in more than one chunk (over 1 MiB).
   */
  text: string | null;
  settings: RuleSettings;
}

/** A rule example: `{{key}}` in code is replaced by a freshly generated key when tests run. */
export interface RuleExample {
  code: string;
  path?: string;
  source?: SourceKind;
  /** Other facts about the file (tracked, ignored, untracked, client). */
  facts?: Partial<Omit<FileFacts, "path" | "source">>;
  /** Expected findings (invalid examples only), 1-based. */
  findings?: Array<{ line: number; column: number }>;
  note?: string;
}

export interface Rule {
  meta: RuleMeta;
  /** Default message for a finding of this rule. */
  message(key: KeyOccurrence): string;
  check(context: RuleContext): void;
  /**
   * A rule decided across files (shared-key-across-environments): per file with keys, what to
   * keep — plain data, as it crosses worker threads — and, once every file has been read, the
   * findings, each at a key it kept. Its examples live in its own tests: one file cannot show it.
   */
  acrossFiles?: {
    collect(file: FileFacts, keys: readonly KeyOccurrence[], readText: () => string): unknown[];
    conclude(collected: readonly unknown[]): CrossFilePlace[];
  };
  /**
   * Files this rule must see even when they hold no key (a rule about the file itself, such as
   * a tracked `.env`). Other rules only run on files with keys: most files have none.
   */
  wantsFile?: (file: FileFacts) => boolean;
  /**
   * Rules that read text: the files they want, and literals of which at least one must occur
   * for the text to be worth decoding (searched on raw bytes, like `lmnfl_`).
   */
  text?: {
    wants(file: FileFacts): boolean;
    /**
     * Literals one of which must occur. Return the same array object for the same answer: the
     * engine caches its byte form by identity. Literals that start with a rare character are
     * found fastest (indexOf skips ahead to the first character).
     */
    keywords?(settings: RuleSettings, file: FileFacts): readonly string[];
    /** Literals of which one must occur as well (and-ed with `keywords`), to keep text decoding rare. */
    alsoNeeds?: readonly string[];
  };
  examples: { valid: RuleExample[]; invalid: RuleExample[] };
}

/** Identity helper: only drives type inference (STYLE: arethetypeswrong's defineCheck). */
export function defineRule(rule: Rule): Rule {
  return rule;
}
