import { createRequire } from "node:module";
import { closeSync, constants, fstatSync, openSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { scrubKeys } from "../detectors/lumenfall/index.js";
import { ScanError } from "../errors.js";

/**
 * The server's record of what push protection decided when it mattered: bypasses (with the
 * pusher's reason), rejections, and pushes let through or turned away because the time budget
 * ran out. One JSON object per line (https://jsonlines.org/), appended — the file is opened
 * `O_APPEND` and never rewritten, never through a symbolic link — and hash-chained: each entry's
 * `prev` is the SHA-256 of the line before it (64 zeros for the first), so an edited or deleted
 * entry breaks the chain at the next one ({@link verifyAuditLog}). Entries name keys by
 * fingerprint only; every string in them is scrubbed of keys.
 *
 * Concurrent pushes append one at a time: a lock file beside the log (`<log>.lock`, created
 * with `O_EXCL`) is held while the last line is read and the new one written.
 */
export interface AuditEntry {
  /** ISO 8601, UTC. */
  time: string;
  /**
   * `inline-allowed`: findings a `lumenguard-allow` comment in the pushed files let through, on
   * a server whose settings honour such comments (`inlineAllow`); each finding carries the
   * comment's reason. `lfs-pointer-only`: Git LFS files accepted on their pointer alone, their
   * content not scanned (`"lfs": "pointer-only"`): rule `lfs-pointer-only`, no fingerprint.
   */
  decision: "bypassed" | "rejected" | "bypass-refused" | "timeout-accepted" | "timeout-rejected" | "inline-allowed" | "lfs-pointer-only";
  /** The receiving repository's folder. */
  repository: string;
  /** Who pushed, as the server knows it (GitLab, Gitea, GitHub Enterprise or the system user), or null. */
  pusher: string | null;
  /** The refs the push updates. */
  refs: string[];
  /** The pusher's reason, for a bypass. */
  reason?: string;
  findings: Array<{ fingerprint: string; ruleId: string; file: string; commit?: string; reason?: string }>;
}

const GENESIS = "0".repeat(64);
const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

/**
 * Appends one entry, chained to the last.
 * @returns the SHA-256 (hex) of the line written.
 * @throws ScanError when the log cannot be locked or written, or is not a regular file.
 */
export async function appendAuditEntry(file: string, entry: AuditEntry): Promise<string> {
  const release = await lock(`${file}.lock`);
  try {
    const fd = openLog(file);
    try {
      const last = lastLine(fd);
      const line = JSON.stringify({ v: 1, ...scrubEntry(entry), prev: last === null ? GENESIS : sha256(last) });
      writeSync(fd, `${line}\n`);
      return sha256(line);
    } finally {
      closeSync(fd);
    }
  } finally {
    release();
  }
}

/**
 * Checks the chain: every line is JSON and its `prev` is the hash of the line before.
 * @returns how many entries there are and the 1-based line where the chain first breaks, or null.
 */
export function verifyAuditLog(text: string): { entries: number; brokenAt: number | null } {
  const lines = text.split("\n").filter((line) => line !== "");
  let previous = GENESIS;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    let prev: unknown;
    try {
      prev = (JSON.parse(line) as { prev?: unknown }).prev;
    } catch {
      return { entries: lines.length, brokenAt: index + 1 };
    }
    if (prev !== previous) return { entries: lines.length, brokenAt: index + 1 };
    previous = sha256(line);
  }
  return { entries: lines.length, brokenAt: null };
}

function scrubEntry(entry: AuditEntry): AuditEntry {
  return {
    ...entry,
    repository: scrubKeys(entry.repository),
    pusher: entry.pusher === null ? null : scrubKeys(entry.pusher),
    refs: entry.refs.map(scrubKeys),
    ...(entry.reason !== undefined ? { reason: scrubKeys(entry.reason) } : {}),
    findings: entry.findings.map((finding) => ({ ...finding, file: scrubKeys(finding.file), ...(finding.reason !== undefined ? { reason: scrubKeys(finding.reason) } : {}) })),
  };
}

function openLog(file: string): number {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ScanError(`the audit log ${file} cannot be opened (${code === "ELOOP" ? "it is a symbolic link" : code})`);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    throw new ScanError(`the audit log ${file} is not a regular file`);
  }
  return fd;
}

/** The last complete line (without its line feed), read backwards from the end; null for an empty log. */
function lastLine(fd: number): string | null {
  const size = fstatSync(fd).size;
  if (size === 0) return null;
  const chunks: Buffer[] = [];
  let end = size;
  let skipFinalNewline = true;
  while (end > 0) {
    const start = Math.max(0, end - 65536);
    const chunk = Buffer.alloc(end - start);
    readSync(fd, chunk, 0, chunk.length, start);
    let data = chunk;
    if (skipFinalNewline && data[data.length - 1] === 0x0a) data = data.subarray(0, data.length - 1);
    skipFinalNewline = false;
    const newline = data.lastIndexOf(0x0a);
    if (newline !== -1) {
      chunks.unshift(data.subarray(newline + 1));
      break;
    }
    chunks.unshift(data);
    end = start;
  }
  return Buffer.concat(chunks).toString("utf8");
}

async function lock(path: string): Promise<() => void> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new ScanError(`the audit log lock ${path} cannot be created (${(error as NodeJS.ErrnoException).code})`);
    }
    // A push that died holding the lock: its lock is cleared once it is clearly stale.
    if (isStale(path)) rmSync(path, { force: true });
    if (Date.now() > deadline) throw new ScanError(`the audit log is locked by another push (${path}) for more than ${LOCK_WAIT_MS / 1000} s`);
    await new Promise((done) => setTimeout(done, 10 + Math.random() * 20));
  }
}

function isStale(path: string): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > LOCK_STALE_MS;
  } catch {
    return false;
  }
}

function sha256(text: string): string {
  // node:crypto is loaded on first use: every other command starts without it.
  const crypto = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
  return crypto.createHash("sha256").update(text).digest("hex");
}
