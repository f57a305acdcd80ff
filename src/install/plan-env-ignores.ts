import { basename, dirname, join, relative, sep } from "node:path";
import { scrubKeys } from "../detectors/lumenfall/redact.js";
import { runGit } from "../git/run-git.js";
import { contentChange, readBytesAsText, type FileChange } from "./file-change.js";
import { dominantEol, insertLines, joinLines, splitLines } from "./byte-lines.js";
import { IGNORE_ENV, planGitignore } from "./plan-gitignore.js";

/**
 * The `.gitignore` edits that make git ignore env files it does not ignore yet (`scan --fix`).
 * The plan is computed from git's own answer for each file before anything is written, so
 * `--fix --dry-run` shows exactly what `--fix` writes:
 *
 * 1. the root `.gitignore` gets `.env*` and the env-template negations when it lacks them
 *    (planGitignore);
 * 2. a file that line will not cover gets an anchored line with its exact name, `/<name>`, in
 *    the `.gitignore` of its own folder, which nothing below can take back. A file is not
 *    covered by the root line when the root already had it (something else wins, e.g. a
 *    negation below it), when the rule that decides it today is a negation in a deeper
 *    `.gitignore` (deeper files win over the root), or when `.env*` does not match its name:
 *    git matches case-sensitively unless core.ignorecase is set, so `.ENV` or `.Env.local`
 *    need their own line on Linux (https://git-scm.com/docs/gitignore#_pattern_format).
 *
 * Append only; existing bytes and line endings are kept. `root` is the top of the work tree,
 * `files` absolute paths of env files git does not ignore.
 */
export function planEnvIgnores(root: string, files: readonly string[], env: NodeJS.ProcessEnv): FileChange[] {
  if (files.length === 0) return [];
  const rootChange = planGitignore(root);
  const rootAddsEnvLine = rootChange.action !== "unchanged" && rootChange.action !== "conflict" && addsLine(rootChange, IGNORE_ENV);
  const ignoreCase = gitConfigBool(root, "core.ignorecase", env);
  const deciding = decidingPatterns(root, files, env);
  const anchors = new Map<string, string[]>();
  for (const file of files) {
    const decidedDeeper = isDeeperNegation(deciding.get(file), root);
    const covered = rootAddsEnvLine && !decidedDeeper && matchesEnvStar(basename(file), ignoreCase);
    if (covered) continue;
    const gitignore = join(dirname(file), ".gitignore");
    anchors.set(gitignore, [...(anchors.get(gitignore) ?? []), `/${gitignoreNamePattern(basename(file))}`]);
  }
  const rootGitignore = join(root, ".gitignore");
  const changes: FileChange[] = [];
  const rootLines = anchors.get(rootGitignore);
  anchors.delete(rootGitignore);
  changes.push(rootLines === undefined ? rootChange : appendLines(rootGitignore, rootChange, rootLines));
  for (const [gitignore, lines] of anchors) changes.push(appendLines(gitignore, null, lines));
  return changes;
}

/** `base` (a planned change to `file`, or null for the file as it is) with `lines` appended where missing. */
function appendLines(file: string, base: FileChange | null, lines: readonly string[]): FileChange {
  const original = readBytesAsText(file);
  const start = base !== null && (base.action === "create" || base.action === "update") ? base.content.toString("latin1") : original;
  const existing = splitLines(start ?? "");
  const present = new Set(existing.map((line) => line.text.trim()));
  const missing = [...new Set(lines)].filter((line) => !present.has(line));
  if (missing.length === 0) return base ?? { action: "unchanged", file, note: `already ignores ${lines.join(", ")}` };
  const last = existing[existing.length - 1];
  if (last && last.eol === "") last.eol = dominantEol(existing);
  const note = [base !== null && base.action !== "unchanged" ? base.note : "", `added ${missing.join(", ")}`].filter(Boolean).join("; ");
  return contentChange(file, original, joinLines(insertLines(existing, existing.length, missing)), note);
}

/** Whether `change` appends `line` to what the file holds now (append-only changes: the new bytes follow the old). */
function addsLine(change: FileChange, line: string): boolean {
  if (change.action !== "create" && change.action !== "update") return false;
  const before = readBytesAsText(change.file) ?? "";
  return splitLines(change.content.toString("latin1").slice(before.length)).some((candidate) => candidate.text.trim() === line);
}

/** Whether git's `.env*` matches `name` (a leading `.env`, case-insensitively only with core.ignorecase). */
export function matchesEnvStar(name: string, ignoreCase: boolean): boolean {
  return (ignoreCase ? name.toLowerCase() : name).startsWith(".env");
}

/**
 * A file name as a gitignore pattern, never holding a key: the name itself, escaped
 * ({@link gitignoreLiteral}); a name that holds a key (in any form the scrubber finds) has the
 * part that differs from its redacted form replaced by `*`, so the line still matches the file
 * and `.gitignore` never gets the key: `.ENV.lmnfl_ab12.<secret>wxyz` → `.ENV.lmnfl_ab12.*wxyz`.
 */
export function gitignoreNamePattern(name: string): string {
  const scrubbed = scrubKeys(name);
  if (scrubbed === name) return gitignoreLiteral(name);
  let head = 0;
  while (head < name.length && head < scrubbed.length && name[head] === scrubbed[head]) head++;
  let tail = 0;
  while (tail < name.length - head && tail < scrubbed.length - head && name[name.length - 1 - tail] === scrubbed[scrubbed.length - 1 - tail]) tail++;
  return `${gitignoreLiteral(name.slice(0, head))}*${gitignoreLiteral(name.slice(name.length - tail))}`;
}

/**
 * A file name as a gitignore pattern matching itself: wildcards, backslashes and trailing spaces
 * escaped (https://git-scm.com/docs/gitignore#_pattern_format). A control character — a line
 * feed or carriage return above all — has no escape in a gitignore line (a line break would end
 * the pattern and start a line of its own, such as `!.env.local`), so each becomes `?`, which
 * matches any one character but `/`: the line may match a few more names than this one, never
 * fewer, and is always one line.
 */
export function gitignoreLiteral(name: string): string {
  return name
    .replace(/[\\*?[\]]/g, "\\$&")
    .replace(/\p{Cc}/gu, "?")
    .replace(/ +$/, (spaces) => spaces.replace(/ /g, "\\ "));
}

interface Deciding {
  /** The exclude file whose rule decides, as git prints it (relative to the root, or absolute). */
  source: string;
  pattern: string;
}

/**
 * The rule that decides each file's ignore state today, from `git check-ignore -v -n`
 * (https://git-scm.com/docs/git-check-ignore): a negation when the file is not ignored because
 * of one; no entry when no rule matches.
 */
function decidingPatterns(root: string, files: readonly string[], env: NodeJS.ProcessEnv): Map<string, Deciding> {
  const paths = files.map((file) => relative(root, file).split(sep).join("/"));
  // Without -z (which needs --stdin) git prints one line per path, in the order given, each
  // `<source>:<line>:<pattern>\t<path>` (`::\t<path>` when nothing matches); unusual names
  // are quoted, so a name never spans lines.
  const result = runGit(["-c", "core.quotePath=true", "check-ignore", "-v", "-n", "--", ...paths], root, env);
  const lines = result.stdout.toString("utf8").split("\n");
  const deciding = new Map<string, Deciding>();
  files.forEach((file, index) => {
    const rule = /^(.*):(\d+):(.*)\t/.exec(lines[index] ?? "");
    if (rule) deciding.set(file, { source: rule[1]!, pattern: rule[3]! });
  });
  return deciding;
}

function isDeeperNegation(deciding: Deciding | undefined, root: string): boolean {
  if (deciding === undefined || !deciding.pattern.startsWith("!")) return false;
  const source = join(root, deciding.source);
  return basename(source) === ".gitignore" && dirname(source) !== root && !relative(root, source).startsWith("..");
}

function gitConfigBool(root: string, name: string, env: NodeJS.ProcessEnv): boolean {
  const result = runGit(["config", "--type=bool", "--get", name], root, env);
  return result.status === 0 && result.stdout.toString("utf8").trim() === "true";
}
