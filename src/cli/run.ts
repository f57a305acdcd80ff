import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { rules } from "../../rules/index.js";
import { buildBaseline, writeBaseline } from "../config/baseline.js";
import { scrubKeys } from "../detectors/lumenfall/index.js";
import { ConfigError, exitCodeOf, UsageError } from "../errors.js";
import type { ReportContext } from "../reporters/types.js";
import { printable } from "../reporters/printable.js";
import { SCOPE_CODES, scopeAnnotations } from "../reporters/scope-annotations.js";
import { runScan } from "../scan.js";
import { exitCodeForResult, unjudged } from "../severity.js";
import { SEVERITIES, type ScanResult, type Severity } from "../types.js";
import type { FixOutcome } from "./fix.js";
import type { CliIO, CliStream } from "./io.js";
import { enableLinearRegExpEngine } from "./linear-regexp.js";
import { messages } from "./messages.js";
import { scanOptionsFrom } from "./scan-options.js";
import { scanRootAsGiven, useColor } from "./destinations.js";
import { baselineDestination, headShaAt, reportTargets, trustedWriteRoots, writeReports } from "./write-reports.js";

/**
 * The command line, as a function (secretlint's `run()`): argv and an io object in, exit code
 * out. The only layer that knows about terminals, colours and exit codes; bin/ wires the real
 * process into it.
 */
export type { CliIO, CliStream } from "./io.js";
export { processIO } from "./process-io.js";

/** Every option the command line accepts (node:util parseArgs); --help and the README list the same (a test checks). */
export const OPTIONS = {
  format: { type: "string", short: "f" },
  output: { type: "string", short: "o" },
  "fail-on": { type: "string" },
  config: { type: "string", short: "c" },
  baseline: { type: "string" },
  "include-placeholders": { type: "boolean" },
  "stdin-filename": { type: "string" },
  "max-file-megabytes": { type: "string" },
  staged: { type: "boolean" },
  history: { type: "boolean" },
  "pre-push": { type: "boolean" },
  range: { type: "string" },
  "since-commit": { type: "string" },
  all: { type: "boolean" },
  bundles: { type: "string", multiple: true },
  fix: { type: "boolean" },
  pack: { type: "boolean" },
  "no-color": { type: "boolean" },
  color: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  version: { type: "boolean" },
  husky: { type: "boolean" },
  lefthook: { type: "boolean" },
  "git-hooks": { type: "boolean" },
  uninstall: { type: "boolean" },
  "dry-run": { type: "boolean" },
  report: { type: "string", multiple: true },
  verify: { type: "boolean" },
  "only-live": { type: "boolean" },
  "fail-on-existing": { type: "boolean" },
  "pre-receive": { type: "boolean" },
  "server-config": { type: "string" },
  server: { type: "boolean" },
  shard: { type: "string" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>["values"];

/**
 * Runs one command. Everything written to stdout and stderr passes `scrubKeys` here, in one
 * place: reports are scrubbed before they render, but messages quote what the user typed (a
 * path, a flag, a value) and what git or a config file said, and any of those can hold a key.
 * @returns the exit code: 0 clean, 1 findings at or above --fail-on, 2 usage or configuration
 *   error, 3 the scan could not run.
 */
export async function run(argv: readonly string[], io: CliIO): Promise<number> {
  // Copied as property descriptors, not spread: `stdin` may be a getter, and reading process.stdin
  // opens it, where only a few commands read it (process-io.ts).
  const safeIo = Object.defineProperties({}, {
    ...Object.getOwnPropertyDescriptors(io),
    stdout: { value: scrubbing(io.stdout), enumerable: true },
    stderr: { value: scrubbing(io.stderr), enumerable: true },
  }) as CliIO;
  try {
    return await dispatch(argv, safeIo);
  } catch (error) {
    return reportError(error, safeIo, ciJob(argv));
  }
}

function scrubbing(stream: CliStream): CliStream {
  return {
    write: (chunk: string) => stream.write(scrubKeys(chunk)),
    get isTTY() {
      return stream.isTTY;
    },
  };
}

/*
 * Commands other than `scan`/`ci`, and the parts of a scan only some flags use, are loaded with
 * import() where they are dispatched: the bundle (scripts/bundle.js) splits them into chunks that
 * a pre-commit hook's `scan --staged` never reads or compiles. Keep new commands in that form.
 */
async function dispatch(argv: readonly string[], io: CliIO): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    io.stderr.write(`${messages.badOption((error as Error).message.replace(/\. To specify.*$/s, ""))}\n`);
    return 2;
  }
  const { values } = parsed;
  const positionals = literalAfterTerminator(parsed.tokens);
  const [command, ...paths] = positionals;
  if (values.version) {
    io.stdout.write(`${readVersion()}\n`);
    return 0;
  }
  if (values.help || command === undefined || command === "help") {
    io.stdout.write((await import("./help.js")).HELP);
    return command === undefined && !values.help ? 2 : 0;
  }
  if (values.shard !== undefined && (command !== "scan" || values["pre-receive"])) return usage(io, messages.shardOnlyWithScan(command === "scan" ? "scan --pre-receive" : command));
  if (command === "scan" && values["pre-receive"]) return (await import("../server/pre-receive-command.js")).preReceiveCommand(paths, values, io);
  if (command === "init" && values.server) return (await import("../server/init-server.js")).initServerCommand(paths, values, io);
  if (command === "scan" || command === "ci") return scanCommand(command, paths, values, io);
  if (command === "baseline") return baselineCommand(paths, values, io);
  if (command === "merge") return (await import("./merge.js")).mergeCommand(paths, values, io, readVersion());
  if (command === "init") return (await import("./init.js")).initCommand(paths, values, io);
  if (command === "export-rule") return (await import("./export-rule.js")).exportRuleCommand(paths, values, io);
  io.stderr.write(`${messages.unknownCommand(command)}\n`);
  return 2;
}

async function scanCommand(command: "scan" | "ci", paths: string[], values: Values, io: CliIO): Promise<number> {
  const targets = reportTargets(values);
  const failOnFlag = values["fail-on"];
  if (failOnFlag !== undefined && !isFailOn(failOnFlag)) return usage(io, messages.badFailOn(failOnFlag));

  if (values.shard !== undefined && values.fix) return usage(io, messages.shardWithFix());
  const { options, finish } = await scanOptionsFrom(paths, values, io, command);
  // Custom patterns run on V8's linear-time regex engine where it accepts them: this process only.
  options.beforeCustomPatterns = enableLinearRegExpEngine;
  const startedAt = new Date().toISOString();
  let { result, resolved } = await runScan(options).finally(finish);
  if (values.fix) {
    const fix = await import("./fix.js");
    const fixed = fix.fixEnvIgnores(result, io.cwd, io.env, values["dry-run"] ?? false);
    writeFix(fixed, fix.describeChanges, io, values["dry-run"] ?? false);
    // Report what is left after the fix, not what was there before it.
    if (!values["dry-run"] && fixed.changes.some((change) => change.action !== "unchanged")) ({ result, resolved } = await runScan(options));
  }
  const failOn: Severity | "none" = failOnFlag ?? resolved.failOn;
  const context: ReportContext = {
    color: false,
    failOn,
    pathBase: scanRootAsGiven(command, paths, values, io.cwd),
    reportFiles: targets.filter((target) => target.file !== "-").map((target) => target.file),
    ruleMeta: (id) => resolved.ruleMeta(id),
    rules: rules.map((rule) => rule.meta),
    toolVersion: readVersion(),
    startedAt,
    // GitLab's report needs the commit scanned; only it pays for the git call.
    headSha: targets.some((target) => target.format === "gitlab") ? headShaAt(paths, io) : undefined,
    env: io.env,
  };
  const exitCode = exitCodeForResult(result, failOn);

  writeWarnings(result, io, targets);
  // Colour is decided here, once per destination; files never get it.
  await writeReports(targets, result, context, io, { stdout: useColor(io.stdout, values, io.env), stderr: useColor(io.stderr, values, io.env) }, { trusted: trustedWriteRoots(paths, io.cwd) });
  if (exitCode === 3) io.stderr.write(`${messages.gateIncomplete(unjudged(result).length, command === "ci")}\n`);
  return exitCode;
}

async function baselineCommand(paths: string[], values: Values, io: CliIO): Promise<number> {
  const { options, finish } = await scanOptionsFrom(paths, values, io);
  options.beforeCustomPatterns = enableLinearRegExpEngine;
  const { placed, result, resolved } = await runScan({ ...options, useBaseline: false }).finally(finish);
  const { file, within } = baselineDestination(values.output, resolved.loaded, paths, io.cwd);
  writeBaseline(buildBaseline(placed, file), file, within);
  writeWarnings(result, io);
  io.stderr.write(`${messages.wroteBaseline(relative(io.cwd, file) || file, placed.length)}\n`);
  return 0;
}

function writeFix(fixed: FixOutcome, describeChanges: typeof import("./fix.js").describeChanges, io: CliIO, dryRun: boolean): void {
  const changed = fixed.changes.filter((change) => change.action === "create" || change.action === "update");
  if (dryRun) for (const line of describeChanges(changed, io.cwd)) io.stderr.write(`${printable(line)}\n`);
  for (const change of changed) io.stderr.write(`${messages.fixChanged(relative(io.cwd, change.file) || change.file, change.note, dryRun)}\n`);
  if (changed.length === 0 && fixed.commands.length === 0) io.stderr.write(`${messages.fixNothing()}\n`);
  for (const command of fixed.commands) io.stderr.write(`${messages.fixCommand(command)}\n`);
  for (const file of fixed.stillUnignored) io.stderr.write(`${messages.fixStill(file)}\n`);
}

/**
 * Warnings go to stderr. Under GitHub Actions, what a run did not scan is also an annotation
 * (stderr lines are read for workflow commands too): unless a github report on stdout already
 * carries it, the scope warning is printed as `::warning` / `::notice` instead of a plain line.
 */
function writeWarnings(result: ScanResult, io: CliIO, targets: readonly { format: string; file: string }[] = []): void {
  const annotate = io.env["GITHUB_ACTIONS"] === "true" && !targets.some((target) => target.format === "github" && target.file === "-");
  const scope = annotate ? scopeAnnotations(result.warnings).lines : [];
  for (const line of scope) io.stderr.write(`${line}\n`);
  for (const warning of result.warnings) {
    if (scope.length > 0 && SCOPE_CODES.has(warning.code)) continue;
    io.stderr.write(`${messages.warning(warning.message)}\n`);
  }
}

/**
 * Whether a failure is the `ci` command's: a CI job, where there is no commit or push to bypass,
 * so the advice is what to fix in the job. (`scan` keeps the hooks' advice wherever it runs.)
 */
function ciJob(argv: readonly string[]): boolean {
  return argv.find((arg) => !arg.startsWith("-")) === "ci";
}

/**
 * The positionals, with everything after `--` taken as a path (POSIX utility syntax guideline
 * 10, https://pubs.opengroup.org/onlinepubs/9799919799/basedefs/V1_chap12.html): hook managers
 * pass file names there, and a committed file named `--fail-on=none` or `-h` is a file, never
 * an option (parseArgs already stops reading options at `--`). A `-` there is the file named
 * `-`, not standard input: it becomes `./-`.
 */
function literalAfterTerminator(tokens: ReadonlyArray<{ kind: string; value?: unknown }>): string[] {
  const positionals: string[] = [];
  let literal = false;
  for (const token of tokens) {
    if (token.kind === "option-terminator") literal = true;
    else if (token.kind === "positional") positionals.push(literal && token.value === "-" ? "./-" : String(token.value));
  }
  return positionals;
}

function isFailOn(value: string): value is Severity | "none" {
  return value === "none" || (SEVERITIES as readonly string[]).includes(value);
}

function usage(io: CliIO, message: string): number {
  io.stderr.write(`${message}\n`);
  return 2;
}

/** An error as one line on stderr (its message quotes values from elsewhere: made printable), then the exit code. */
function reportError(error: unknown, io: CliIO, ci = false): number {
  if (error instanceof UsageError) return usage(io, error.message.startsWith("lumenguard: ") ? printable(error.message) : `lumenguard: ${printable(error.message)}`);
  const code = exitCodeOf(error);
  const detail = error instanceof Error ? error.message : String(error);
  if (code === 2) {
    io.stderr.write(`${error instanceof ConfigError ? messages.configError(detail) : `lumenguard: ${printable(detail)}`}\n`);
    return 2;
  }
  io.stderr.write(`${code === 3 ? messages.scanFailed(detail) : messages.internalError(detail)}\n${messages.bypass(ci)}\n`);
  if (code === null && error instanceof Error && error.stack && io.env["LUMENGUARD_DEBUG"]) {
    io.stderr.write(`${error.stack}\n`);
  }
  return 3;
}

/**
 * The package version: the nearest package.json named lumenguard above this module, which runs
 * from a chunk of the CLI bundle (lib/*.cjs), lib/src/cli/run.js or src/cli/run.ts (tests).
 */
function readVersion(): string {
  for (let up = "../package.json", level = 0; level < 4; level++, up = `../${up}`) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version: string };
      if (pkg.name === "lumenguard") return pkg.version;
    } catch {
      // not there: try the next level
    }
  }
  return "unknown";
}
