import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { resolve } from "node:path";
import { describeSchemaError } from "../config/schema-errors.js";
import type { ValidationError } from "../config/validate-config.generated.js";
import type { ScanResult } from "../types.js";
import { MergeError } from "./merge-error.js";
import type { ReportInput } from "./merge-reports.js";

/**
 * The reports `lumenguard merge` reads. They come from elsewhere — CI artifacts anyone with
 * write access to a branch can shape — so each is bounded before it is parsed, and checked
 * against schema/report.schema.json (compiled by Ajv at build time) before anything walks it:
 *
 * - only a regular file is read (a FIFO or device is refused without blocking), at most
 *   {@link MAX_REPORT_BYTES} of it, and at most {@link MAX_TOTAL_BYTES} over all inputs;
 * - brackets nest at most {@link MAX_NESTING} deep (the report's own shape needs 7), checked on
 *   the bytes before `JSON.parse`, so a file of a million `[` costs a scan of its bytes, not a
 *   million arrays;
 * - the schema bounds every string and list and admits no field the report does not have.
 */

/** The largest report file read: a scan at its 100,000-finding cap writes about 100 MB of JSON. */
export const MAX_REPORT_BYTES = 128 * 1024 * 1024;
/**
 * The most bytes read over all the reports of one merge. Merge holds what it read while it
 * merges (about 8 bytes of memory per byte of JSON at peak), so this bounds its memory too.
 */
export const MAX_TOTAL_BYTES = 256 * 1024 * 1024;
/** The most report files one merge takes: 256 shards, with room for unsharded reports beside them. */
export const MAX_REPORTS = 1024;
/** How deep arrays and objects may nest in a report. */
export const MAX_NESTING = 16;

/** How much merge reads: bytes per report and over all of them. */
export interface ReadLimits {
  perFile: number;
  total: number;
}

/**
 * Reads, parses and checks each file (relative to `cwd`), one at a time.
 * @throws MergeError (exit 2) naming the file: missing, unreadable, not a regular file, too large
 *   (alone, or with the files before it), not JSON, nested too deep, or not a lumenguard JSON
 *   report (the field named).
 */
export async function readReports(names: readonly string[], cwd: string, limits: ReadLimits = { perFile: MAX_REPORT_BYTES, total: MAX_TOTAL_BYTES }): Promise<ReportInput[]> {
  if (names.length > MAX_REPORTS) throw new MergeError(`${names.length} reports given; merge takes at most ${MAX_REPORTS}`, 2);
  const validate = await loadValidator();
  const inputs: ReportInput[] = [];
  let total = 0;
  for (const name of names) {
    const bytes = readBounded(name, resolve(cwd, name), limits, total);
    total += bytes.length;
    inputs.push({ name, report: parseReport(name, bytes, validate) });
  }
  return inputs;
}

type Validator = ((data: unknown) => boolean) & { errors?: ValidationError[] | null };

/**
 * The validator Ajv compiled from schema/report.schema.json at build time, loaded only by
 * `merge` (its code is large; the pre-commit hook's chunk must not carry it).
 */
async function loadValidator(): Promise<Validator> {
  return ((await import("../config/validate-report.generated.js")) as { default: Validator }).default;
}

/** The file's bytes: a regular file, at most `limits.perFile`, and at most what is left of `limits.total` after `used`. */
function readBounded(name: string, path: string, limits: ReadLimits, used: number): Buffer {
  let fd: number;
  try {
    // Non-blocking: opening a FIFO must not wait for a writer (it is refused below).
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new MergeError(`${name}: ${code === "ENOENT" ? "no such file" : `cannot be read (${code ?? "error"})`}`, 2);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new MergeError(`${name}: not a regular file (a report is a JSON file that lumenguard scan --format json wrote)`, 2);
    const limit = Math.min(limits.perFile, limits.total - used);
    if (stat.size > limit) throw new MergeError(tooLarge(name, stat.size, limits, used), 2);
    // Read one byte more than allowed: a file that grows while it is read is caught too.
    const buffer = Buffer.alloc(Math.min(stat.size, limit) + 1);
    let length = 0;
    for (let read = -1; read !== 0 && length < buffer.length; length += read) read = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > limit) throw new MergeError(tooLarge(name, length, limits, used), 2);
    return buffer.subarray(0, length);
  } catch (error) {
    if (error instanceof MergeError) throw error;
    throw new MergeError(`${name}: cannot be read (${(error as NodeJS.ErrnoException).code ?? "error"})`, 2);
  } finally {
    closeSync(fd);
  }
}

function tooLarge(name: string, size: number, limits: ReadLimits, used: number): string {
  const mib = (bytes: number) => `${Math.ceil(bytes / (1024 * 1024))} MiB`;
  return size > limits.perFile
    ? `${name}: ${mib(size)}, larger than a report can be (at most ${mib(limits.perFile)})`
    : `${name}: ${mib(size)}, more than the ${mib(limits.total - used)} left of the ${mib(limits.total)} one merge reads over all its reports`;
}

/** JSON text → a checked report. */
function parseReport(name: string, bytes: Buffer, validate: Validator): ScanResult {
  const depth = nestingDepth(bytes);
  if (depth > MAX_NESTING) throw new MergeError(`${name}: not a lumenguard JSON report (arrays and objects nest ${depth > 1000 ? "more than 1,000" : depth} deep; a report nests at most ${MAX_NESTING})`, 2);
  let data: unknown;
  try {
    const text = bytes.toString("utf8");
    data = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new MergeError(`${name}: not JSON (${(error as Error).message.split("\n")[0]})`, 2);
  }
  if (!validate(data)) {
    const { field, detail } = describeSchemaError(validate.errors?.[0]);
    throw new MergeError(`${name}: not a lumenguard JSON report: ${field ? `"${field}" ` : ""}${detail}`, 2);
  }
  const report = data as ScanResult;
  const shard = report.shard;
  if (shard && shard.index > shard.total) throw new MergeError(`${name}: says it is shard ${shard.index} of ${shard.total}`, 2);
  if (shard && shard.scan.mode !== report.mode) throw new MergeError(`${name}: a ${report.mode} report that says it is a shard of a ${shard.scan.mode} scan`, 2);
  return report;
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * How deep `[` and `{` nest in JSON bytes, outside strings; stops counting past 1,000. Malformed
 * text is left to JSON.parse.
 */
export function nestingDepth(bytes: Uint8Array): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > deepest) deepest = depth;
      if (deepest > 1000) return deepest;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return deepest;
}
