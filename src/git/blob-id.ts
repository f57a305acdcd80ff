import type { Hash } from "node:crypto";
import { createRequire } from "node:module";

/**
 * Git's object id of file content — SHA-1 (40 hex) or SHA-256 (64 hex, `objectFormat =
 * sha256`) of `blob <size>\0<content>` — computed while the file streams past, so a file on
 * disk can be matched to its staged blob without asking git for the blob. The size comes from
 * a stat before reading; if the file changes meanwhile the ids differ and the blob is read
 * from the index instead, which is the safe side.
 */
export class GitBlobHash {
  private readonly hash: Hash;

  constructor(oidLength: number, size: number) {
    const crypto = createRequire(import.meta.url)("node:crypto") as typeof import("node:crypto");
    this.hash = crypto.createHash(oidLength === 64 ? "sha256" : "sha1");
    this.hash.update(`blob ${size}\0`);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  digest(): string {
    return this.hash.digest("hex");
  }
}
