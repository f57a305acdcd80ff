import { spawn, spawnSync } from "node:child_process";
import { ScanError } from "../errors.js";
import { GIT_READER_MEMORY, gitArgs, gitEnv, GitMissingError, throwIfNotTrusted } from "./run-git.js";

/**
 * Reads blobs through one long-lived `git cat-file --batch`: ids go in on stdin,
 * `<oid> <type> <size>\n<content>\n` comes back, and content is handed on in the chunks the
 * pipe delivers — a large blob is never held whole. `<oid> missing` (a partial clone's absent
 * object) is reported, not fatal.
 */
export interface BlobSink {
  /**
   * An object starts (`type`: blob, commit, tree or tag; what was asked for decides); return a
   * function that takes its content chunks (the last one says so). Chunks are views of the
   * buffers git's output arrived in, which are never reused: a sink may keep them.
   */
  begin(oid: string, size: number, type: string): (chunk: Buffer, final: boolean) => void;
  missing(oid: string): void;
}

/**
 * A few small blobs (a typical commit) are read with one synchronous call: an async child
 * process and its streams cost the pre-commit hook ~10 ms more. Past `syncLimit` bytes of
 * output, git is stopped and the blobs are streamed instead, so memory stays bounded.
 */
export async function readBlobsQuickly(ids: readonly string[], cwd: string, env: NodeJS.ProcessEnv, sink: BlobSink, syncLimit = 32 << 20): Promise<void> {
  const result = spawnSync("git", gitArgs(["cat-file", "--batch"]), { cwd, env: gitEnv(env), input: ids.length > 0 ? `${ids.join("\n")}\n` : "", maxBuffer: syncLimit });
  const code = (result.error as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOENT") throw new GitMissingError();
  if (code === "ENOBUFS") return readBlobs(ids, cwd, env, sink);
  if (result.status !== 0) throwIfNotTrusted(result.stderr?.toString("utf8") ?? "");
  if (result.error || result.status !== 0) throw new ScanError(`git cat-file failed: ${result.stderr?.toString("utf8").trim() || result.error?.message}`);
  const parser = new BatchParser(sink);
  parser.feed(result.stdout);
  if (!parser.idle()) throw new ScanError("git cat-file stopped in the middle of a blob");
}

/** Streams the blobs of `ids` through one `git cat-file --batch`: memory stays bounded. */
export function readBlobs(ids: readonly string[], cwd: string, env: NodeJS.ProcessEnv, sink: BlobSink): Promise<void> {
  const stream = new BlobStream(cwd, env, sink);
  for (const id of ids) stream.request(id);
  return stream.end();
}

const NEWLINE = 0x0a;

/** The `--batch` output format, parsed incrementally across pipe chunks. */
class BatchParser {
  private header: Buffer[] = [];
  private remaining = 0;
  private trailer = false;
  private content: ((chunk: Buffer, final: boolean) => void) | null = null;

  constructor(private readonly sink: BlobSink) {}

  idle(): boolean {
    return this.content === null && !this.trailer && this.header.length === 0;
  }

  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.trailer) {
        // The newline after each object's content.
        at++;
        this.trailer = false;
      } else if (this.content) {
        const take = Math.min(this.remaining, chunk.length - at);
        this.remaining -= take;
        const final = this.remaining === 0;
        this.content(chunk.subarray(at, at + take), final);
        at += take;
        if (final) this.finishObject();
      } else {
        const end = chunk.indexOf(NEWLINE, at);
        if (end === -1) {
          this.header.push(chunk.subarray(at));
          return;
        }
        // The header is nearly always whole in one chunk: no copy then.
        const line = this.header.length === 0 ? chunk.toString("utf8", at, end) : Buffer.concat([...this.header, chunk.subarray(at, end)]).toString("utf8");
        at = end + 1;
        this.header = [];
        this.startObject(line);
      }
    }
  }

  private startObject(line: string): void {
    const [oid = "", type = "", size = ""] = line.split(" ");
    if (type === "missing" || type === "ambiguous") {
      this.sink.missing(oid);
      return;
    }
    this.remaining = Number(size);
    this.content = this.sink.begin(oid, this.remaining, type);
    if (this.remaining === 0) {
      this.content(Buffer.alloc(0), true);
      this.finishObject();
    }
  }

  private finishObject(): void {
    this.content = null;
    this.trailer = true;
  }
}

/**
 * A `git cat-file --batch` that takes ids while it runs: history scanning feeds it blob ids as
 * `git log` discovers them, so listing, inflating and scanning overlap. `--buffer`: nobody waits
 * for one answer before asking the next, so git need not flush after every object (without it,
 * each object's trailing newline is a write and a pipe read of its own: a third of all reads on
 * a real history). Its pack windows and delta-base cache are bounded ({@link GIT_READER_MEMORY}).
 */
export class BlobStream {
  private readonly child;
  private readonly done: Promise<void>;

  constructor(cwd: string, env: NodeJS.ProcessEnv, sink: BlobSink) {
    this.child = spawn("git", gitArgs([...GIT_READER_MEMORY, "cat-file", "--buffer", "--batch"]), { cwd, env: gitEnv(env), stdio: ["pipe", "pipe", "pipe"] });
    const parser = new BatchParser(sink);
    let stderr = "";
    this.child.stdout.on("data", (chunk: Buffer) => parser.feed(chunk));
    this.child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    this.child.stdin.on("error", () => {
      // git exiting early closes the pipe; the close handler reports why.
    });
    this.done = new Promise((resolvePromise, reject) => {
      this.child.on("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new GitMissingError() : error));
      this.child.on("close", (code) => {
        if (code !== 0) reject(new ScanError(`git cat-file failed: ${stderr.trim() || `exit ${code}`}`));
        else if (!parser.idle()) reject(new ScanError("git cat-file stopped in the middle of a blob"));
        else resolvePromise();
      });
    });
  }

  request(oid: string): void {
    this.child.stdin.write(`${oid}\n`);
  }

  /** No more ids; resolves when every requested blob has been handed to the sink. */
  end(): Promise<void> {
    this.child.stdin.end();
    return this.done;
  }

  /** Stops git (the walk failed); nobody waits for the blobs any more. */
  kill(): void {
    this.done.catch(() => {});
    this.child.kill();
  }
}
