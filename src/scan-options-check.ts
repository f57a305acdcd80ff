import { scrubKeys } from "./detectors/lumenfall/redact.js";
import { UsageError } from "./errors.js";
import { isRefPattern } from "./git/revisions.js";
import { checkShard, MAX_SHARDS } from "./scanning/shard.js";
import type { ScanMode, ScanOptions } from "./scan-types.js";

/*
 * What scan() accepts, described once: one check per field of ScanOptions and of each mode. The
 * programmatic API is called from JavaScript, where nothing checked the types: `verify: "false"`
 * (a non-empty string, so truthy) sent keys to the verifier, and `paths: "src"` failed deep in a
 * source with a TypeError. The TypeScript types below tie the description to ScanOptions and
 * ScanMode: a field added to either without a check here, a check for a field that does not
 * exist, or a check whose type differs from the field's, does not compile.
 *
 * Error messages name the field and what it must be, and say what kind of value came (a string,
 * a number): never the value itself, which may be a key.
 */

/** One field: what it must be, in words for the error message, and the test. */
export interface FieldCheck<T> {
  expected: string;
  test(value: unknown): value is T;
}

type Mandatory = { required: true };
type Optional = { required?: false };

/** A check for every field of T (`kind` aside), required exactly where T requires the field. */
type Checks<T> = {
  [K in Exclude<keyof T, "kind">]-?: FieldCheck<Exclude<T[K], undefined>> & (undefined extends T[K] ? Optional : Mandatory);
};

const boolean: FieldCheck<boolean> = { expected: "true or false", test: (value): value is boolean => typeof value === "boolean" };

function string(what: string): FieldCheck<string> {
  return { expected: `a string (${what})`, test: (value): value is string => typeof value === "string" };
}

function nonEmptyString(what: string): FieldCheck<string> {
  return { expected: `a non-empty string (${what})`, test: (value): value is string => typeof value === "string" && value !== "" };
}

function strings(what: string): FieldCheck<string[]> {
  return { expected: `an array of strings (${what})`, test: (value): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string") };
}

/** git `--glob` patterns of refs (src/git/revisions.ts `isRefPattern`). */
const refPatterns: FieldCheck<string[]> = {
  expected: 'an array of ref patterns (git --glob patterns starting with "refs/", e.g. "refs/heads/*")',
  test: (value): value is string[] => Array.isArray(value) && value.every((item) => typeof item === "string" && isRefPattern(item)),
};

/** A server's Git LFS setting (src/sources/lfs-content.ts `ServerLfs`). */
const serverLfs: FieldCheck<{ objects: string } | "pointer-only"> = {
  expected: '"pointer-only" or { objects: "<folder>" }',
  test: (value): value is { objects: string } | "pointer-only" =>
    value === "pointer-only" ||
    (typeof value === "object" && value !== null && Object.keys(value).length === 1 && typeof (value as { objects?: unknown }).objects === "string" && (value as { objects: string }).objects !== ""),
};

function fn<T extends (...args: never[]) => unknown>(what: string): FieldCheck<T> {
  return { expected: `a function (${what})`, test: (value): value is T => typeof value === "function" };
}

function wholeNumber(min: number, max: number): FieldCheck<number> {
  return { expected: `a whole number from ${min} to ${max}`, test: (value): value is number => Number.isInteger(value) && (value as number) >= min && (value as number) <= max };
}

function numberAbove(min: number, orEqual: boolean): FieldCheck<number> {
  return {
    expected: `a finite number ${orEqual ? "of at least" : "greater than"} ${min}`,
    test: (value): value is number => typeof value === "number" && Number.isFinite(value) && (orEqual ? value >= min : value > min),
  };
}

function plainObject<T>(what: string): FieldCheck<T> {
  return { expected: `an object (${what})`, test: (value): value is T => typeof value === "object" && value !== null && !Array.isArray(value) };
}

const env: FieldCheck<NodeJS.ProcessEnv> = {
  expected: "an object of strings (environment variables, like process.env)",
  test: (value): value is NodeJS.ProcessEnv =>
    typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((item) => item === undefined || typeof item === "string"),
};

const bytes: FieldCheck<AsyncIterable<Uint8Array>> = {
  expected: "an async iterable of bytes (e.g. process.stdin)",
  test: (value): value is AsyncIterable<Uint8Array> => typeof value === "object" && value !== null && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === "function",
};

const abortSignal: FieldCheck<AbortSignal> = { expected: "an AbortSignal", test: (value): value is AbortSignal => value instanceof AbortSignal };

/** `verify`'s tuning, each field optional (src/verify/verify-keys.ts: VerifyTuning). */
const VERIFY_TUNING = {
  concurrency: wholeNumber(1, 1_000),
  timeoutMs: numberAbove(0, false),
  attempts: wholeNumber(1, 100),
  backoffMs: numberAbove(0, true),
  maxDelayMs: numberAbove(0, true),
} satisfies { [K in keyof Exclude<ScanOptions["verify"], boolean | undefined>]-?: FieldCheck<number> };

const verify: FieldCheck<NonNullable<ScanOptions["verify"]>> = {
  expected: `true, false, or an object { ${Object.keys(VERIFY_TUNING).map((name) => `${name}?`).join(", ")} } (numbers)`,
  test: (value): value is NonNullable<ScanOptions["verify"]> => {
    if (typeof value === "boolean") return true;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
    return Object.entries(value).every(([name, item]) => Object.hasOwn(VERIFY_TUNING, name) && (item === undefined || VERIFY_TUNING[name as keyof typeof VERIFY_TUNING].test(item)));
  },
};

const shard: FieldCheck<NonNullable<ScanOptions["shard"]>> = {
  expected: `{ index, total } with whole numbers 1 ≤ index ≤ total ≤ ${MAX_SHARDS}`,
  test: (value): value is NonNullable<ScanOptions["shard"]> => {
    try {
      checkShard(value);
      return typeof value === "object" && value !== null && Object.keys(value).every((name) => name === "index" || name === "total");
    } catch {
      return false;
    }
  },
};

type ModeFields = { [K in ScanMode["kind"]]: Checks<Extract<ScanMode, { kind: K }>> };

/** The fields of each mode, `kind` aside. */
const MODE_FIELDS: ModeFields = {
    worktree: {
      paths: strings('files and folders; "-" for standard input'),
      bundles: strings("client output folders"),
      stdin: bytes,
      stdinFilename: nonEmptyString("the name standard input is scanned as"),
    },
    staged: { paths: strings("paths in the repository"), failOnExisting: boolean },
    history: { revisions: strings('git revisions, e.g. ["A..B"]'), paths: strings("paths in the repository") },
    "pre-push": {
      refs: { ...string('the pre-push hook\'s standard input: "<local ref> <local sha> <remote ref> <remote sha>" lines'), required: true },
      remote: string("the remote's name"),
      url: string("the URL pushed to (the hook's second argument)"),
      paths: strings("paths in the repository"),
    },
    ci: { range: string('a git revision range such as "A..B"'), paths: strings("paths in the repository") },
    "pre-receive": {
      updates: { ...string('the pre-receive hook\'s standard input: "<old> <new> <ref>" lines'), required: true },
      signal: abortSignal,
      acceptedRefs: refPatterns,
      lfs: serverLfs,
    },
    pack: { dir: nonEmptyString("the package folder") },
};

/** A mode: an object whose `kind` names one of MODE_FIELDS; its other fields are checked after. */
const mode: FieldCheck<ScanMode> = {
  expected: `an object { kind, … } with kind one of ${Object.keys(MODE_FIELDS).map((kind) => `"${kind}"`).join(", ")}`,
  test: (value): value is ScanMode =>
    typeof value === "object" && value !== null && !Array.isArray(value) && typeof (value as { kind?: unknown }).kind === "string" && Object.hasOwn(MODE_FIELDS, (value as { kind: string }).kind),
};

/** Every option of scan(). */
export const OPTION_FIELDS = {
  mode,
  cwd: nonEmptyString("a directory"),
  env,
  configFile: nonEmptyString("a config file's path"),
  config: plainObject<NonNullable<ScanOptions["config"]>>("a lumenguard config, as in lumenguard.config.json"),
  includePlaceholders: boolean,
  baselineFile: nonEmptyString("a baseline file's path"),
  useBaseline: boolean,
  verify,
  onlyLive: boolean,
  onProgress: fn<NonNullable<ScanOptions["onProgress"]>>("called with the progress of a walk through commits"),
  onFile: fn<NonNullable<ScanOptions["onFile"]>>("called with each file's path"),
  jobs: wholeNumber(1, 64),
  prefilter: boolean,
  shard,
  maxFileMegabytes: numberAbove(0, false),
  beforeCustomPatterns: fn<NonNullable<ScanOptions["beforeCustomPatterns"]>>("called before custom patterns are compiled"),
} satisfies Checks<ScanOptions>;

/** Combinations of valid fields that still mean nothing. */
const CONTRADICTIONS: ReadonlyArray<{ when(options: ScanOptions, mode: ScanMode): boolean; message: string }> = [
  { when: (options) => options.config !== undefined && options.configFile !== undefined, message: '"config" and "configFile" were both given: give a config object or a config file, not both' },
  // onlyLive asks the network about every key: not when the caller said verify: false.
  { when: (options) => options.verify === false && options.onlyLive === true, message: '"onlyLive: true" sends each key to the verifier, but "verify" is false: drop one of them' },
  { when: (_, mode) => mode.kind === "worktree" && mode.stdin !== undefined && !(mode.paths ?? []).includes("-"), message: '"mode.stdin" was given but "mode.paths" does not hold "-": standard input is scanned only where "-" names it' },
  { when: (_, mode) => mode.kind === "worktree" && mode.stdinFilename !== undefined && !(mode.paths ?? []).includes("-"), message: '"mode.stdinFilename" was given but "mode.paths" does not hold "-" (standard input)' },
];

/**
 * Checks scan()'s options against the description above: every field known, of its type,
 * required fields present, no contradiction. A field set to `undefined` counts as not given.
 * @throws UsageError (exit code 2) naming the first field at fault, what it must be, and the
 *   kind of value given (never the value).
 */
export function checkScanOptions(options: unknown): asserts options is ScanOptions {
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new UsageError(`scan() takes an options object; got ${kindOf(options)}`);
  checkFields(options as Record<string, unknown>, OPTION_FIELDS, "", () =>
    'scan() takes one mode, e.g. { mode: { kind: "staged" } } or { mode: { kind: "history", revisions: ["A..B"] } }',
  );
  const given = options as ScanOptions;
  const current = given.mode ?? { kind: "worktree" };
  const fields = MODE_FIELDS[current.kind] as Record<string, FieldCheck<unknown> & { required?: boolean }>;
  checkFields(current as unknown as Record<string, unknown>, fields, "mode.", () => `a "${current.kind}" mode takes ${listOf(Object.keys(fields))}`, true);
  for (const rule of CONTRADICTIONS) if (rule.when(given, current)) throw new UsageError(`scan(): ${rule.message}`);
}

function checkFields(object: Record<string, unknown>, fields: Record<string, FieldCheck<unknown> & { required?: boolean }>, prefix: string, known: () => string, isMode = false): void {
  for (const name of Object.keys(object)) {
    if (isMode && name === "kind") continue;
    if (!Object.hasOwn(fields, name)) throw new UsageError(`scan(): unknown ${isMode ? "field" : "option"} ${shownName(prefix + name)}: ${known()}`);
  }
  for (const [name, check] of Object.entries(fields)) {
    const value = object[name];
    if (value === undefined) {
      if (check.required) throw new UsageError(`scan(): "${prefix}${name}" is missing: it must be ${check.expected}`);
      continue;
    }
    if (!check.test(value)) throw new UsageError(`scan(): "${prefix}${name}" must be ${check.expected}; got ${kindOf(value)}`);
  }
}

/** A name the caller made up, as a message shows it: keys scrubbed, quoted and escaped as JSON, at most 80 characters. */
function shownName(name: string): string {
  const scrubbed = scrubKeys(name);
  return JSON.stringify(scrubbed.length > 80 ? `${scrubbed.slice(0, 80)}…` : scrubbed);
}

function listOf(names: string[]): string {
  return names.length === 0 ? "no other field" : names.join(", ");
}

/** The kind of a value, for a message: never the value itself (it may hold a key). */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  // Numbers and booleans cannot hold a key: shown as they are.
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "object") return "an object";
  return `${/^[aeiou]/.test(typeof value) ? "an" : "a"} ${typeof value}`;
}
