import type { LumenguardConfig } from "../config/config-types.generated.js";
import type { Confidence, MessageData, Severity } from "../types.js";
import type { SecretEncoding } from "./detector.js";

/**
 * What a rule is (ESLint's `meta` + `create`, gitleaks' rules as data). The engine knows no rule
 * by name: it hands each rule that applies to a file — by the file's scope, git status and name,
 * as the rule's `meta.appliesTo` declares — the secrets found in it and, when asked for, its
 * text, and turns what the rule reports into findings.
 */

/**
 * Where a file's content is, as far as the practices of the authentication guide care:
 * - `repository`: in the repository or on its way in (a tracked, untracked or staged file, a
 *   given file, standard input);
 * - `package`: in what `npm publish` would ship;
 * - `local`: kept out of git on purpose (an env file git ignores);
 * - `history`: in a past commit;
 * - `shipped`: code that runs on users' devices (client build output, a bundler's chunks,
 *   browser extensions, mobile-app sources).
 */
export type Scope = "repository" | "package" | "local" | "history" | "shipped";

/** How git sees a working-tree or index file, when the source knows. */
export type GitStatus = "tracked" | "staged" | "untracked" | "ignored";

/** The facts about one file that rules may read. */
export interface FileFacts {
  /** The file's name in the report: relative to the scan root, `/`-separated. */
  path: string;
  scope: Scope;
  git?: GitStatus;
  /** git tracks the file although `.gitignore` matches it (ignored too late). */
  ignoredButTracked?: boolean;
}

/** Where a rule applies; the engine filters, rules never return early on where a file came from. */
export interface AppliesTo {
  scopes: readonly Scope[];
  /** Only files git sees this way (files whose status is unknown never match). */
  git?: readonly GitStatus[];
  /** Only files whose report path this accepts (`/`-separated, relative to the scan root). */
  files?: (path: string) => boolean;
}

export interface RuleMeta {
  /**
   * The rule's id, as findings carry it (`finding.ruleId`): kebab-case;
   * a config custom pattern's rule has the pattern's `id`.
   */
  id: string;
  /** The severity of its findings unless the config's `rules` sets another. */
  severity: Severity;
  /** One line: the guide's practice this rule enforces. */
  practice: string;
  /** Link to the guide's section. */
  guideUrl: string;
  /** Why it matters, in a sentence. */
  why: string;
  /** What to do about a finding, one step a line; `{identity}` stands for how the dashboard lists the key. */
  fix: readonly string[];
  /**
   * Message templates by message id (ESLint's `meta.messages`): `{{name}}` interpolates the
   * finding's `data.name`. Rendered only by reporters.
   */
  messages: Readonly<Record<string, string>>;
  /** Where the rule runs: which scopes (working tree, history, client output, …) and which files. */
  appliesTo: AppliesTo;
  /** Where a leaked secret of this rule is revoked; null when there is no such page to name. */
  revokeUrl: string | null;
  /**
   * What the finding asks for the key: `revoke` (the default: it leaked — revoke it now) or
   * `rotate` (it is where it belongs but old: create a new key, deploy it, then revoke this one).
   */
  keyAction?: "revoke" | "rotate";
}

/** A secret occurrence as rules see it: where, and who it is — never the secret itself. */
export interface KeyOccurrence {
  /** 1-based. */
  line: number;
  /** 1-based, UTF-16 code units. */
  column: number;
  endLine: number;
  /** Exclusive. */
  endColumn: number;
  keyId: string | null;
  lastFour: string;
  fingerprint: string;
  redacted: string;
  confidence: Confidence;
  encoding: SecretEncoding;
  /** Why the match is a placeholder; only placeholders the scan asked to see reach rules. */
  placeholder: string | null;
  /** The id of the detector that found it (`Detector.id`). */
  detector: string;
  /** A short window of the line around the secret, the secret redacted. */
  snippet?: string;
}

/**
 * What a rule reports. With `key` and no position, the finding is at the key; with a position,
 * at that place in the text; with neither, about the file itself (line 1, column 1).
 */
export interface Report {
  messageId: string;
  data?: MessageData;
  key?: KeyOccurrence;
  /** 1-based; columns in UTF-16 code units, `endColumn` exclusive. */
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  /** The finding's severity when it is not the rule's (a tracked `.env` that holds a key is critical). */
  severity?: Severity;
}

export interface RuleContext<Options = unknown> {
  file: FileFacts;
  /** The secrets of the file (real ones, and placeholders when the scan asked for them). */
  keys: readonly KeyOccurrence[];
  /**
   * The file's text, when the rule declared `text` and one of its keywords occurs in the file;
   * null for files read in more than one chunk (over 1 MiB) and binary files.
   */
  text: string | null;
  options: Options;
  report(report: Report): void;
}

/** See `Rule.text.prefilter`. */
export interface TextPrefilter {
  keywords: readonly string[];
  also?: readonly string[];
  paths?: (path: string) => boolean;
}

/** Where a cross-file rule reports: at a key it kept from a file. */
export interface CrossFilePlace {
  /** The file's report path (FileFacts.path). */
  file: string;
  key: KeyOccurrence;
  messageId: string;
  data: MessageData;
}

/** A rule example: `{{key}}` in code is replaced by a freshly generated key when tests run. */
export interface RuleExample {
  code: string;
  /** Default `src/example.ts`. */
  path?: string;
  /** The file's facts besides its path; default: a tracked file of the repository. */
  facts?: Partial<Omit<FileFacts, "path">>;
  /** Every finding the example must produce — no more, no fewer — in order (invalid examples only). */
  findings?: ReadonlyArray<{ line: number; column: number; severity: Severity; messageId?: string }>;
  /** Options for the rule, over its defaults. */
  options?: Record<string, unknown>;
  note?: string;
}

export interface Rule<Options = unknown> {
  meta: RuleMeta;
  /** The rule's options when the config says nothing. */
  defaultOptions: Options;
  /** The options a config sets for this rule (a rule may read top-level fields made for it). */
  optionsFromConfig?(config: LumenguardConfig, defaults: Options): Options;
  /** Runs on every file it applies to, also files without secrets (rules about the file itself). */
  checksFilesWithoutKeys?: boolean;
  check(context: RuleContext<Options>): void;
  /**
   * Rules that read text: literals of which at least one must occur for the text to be worth
   * decoding (searched on raw bytes, like `lmnfl_`). Return the same array object for the same
   * answer: the engine caches its byte form by identity.
   */
  text?: {
    keywords(options: Options, file: FileFacts): readonly string[];
    /** Literals of which one must occur as well (and-ed with `keywords`). */
    alsoNeeds?: readonly string[];
    /**
     * What a file must hold for this rule to report anything from its text, for prefilters
     * outside the engine (a literal search over a whole tree): one of `keywords` and, when given,
     * one of `also` — or a path `paths` accepts, which is then always read. `keywords: []`: the
     * rule reports only about secrets, which the detectors' own literals cover. A text rule
     * without a prefilter makes every file worth reading.
     */
    prefilter?(options: Options, scope: Scope): TextPrefilter;
  };
  /**
   * A rule decided across files (one key in two environments' files): per file with keys, what to
   * keep — plain data, as it crosses worker threads — and, once every file has been read, the
   * findings, each at a key it kept. `conclude` runs once, on the thread that made the plan, with
   * the rule's options as that plan holds them.
   */
  acrossFiles?: {
    collect(file: FileFacts, keys: readonly KeyOccurrence[], text: string | null): unknown[];
    conclude(collected: readonly unknown[], options: Options): CrossFilePlace[];
  };
  examples: { valid: RuleExample[]; invalid: RuleExample[] };
}

/** Identity helper: only drives type inference (arethetypeswrong's `defineCheck`). */
export function defineRule<Options>(rule: Rule<Options>): Rule<Options> {
  return rule;
}

/** Whether `rule` applies to a file with these facts. */
export function appliesTo(meta: RuleMeta, file: FileFacts): boolean {
  const { scopes, git, files } = meta.appliesTo;
  if (!scopes.includes(file.scope)) return false;
  if (git && (file.git === undefined || !git.includes(file.git))) return false;
  return files === undefined || files(file.path);
}
