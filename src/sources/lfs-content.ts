import { join } from "node:path";
import { parseLfsPointer, type ChunkSink, type LfsPointer } from "../git/object-content.js";
import type { ScanSession } from "../scanning/session.js";
import { readFileInChunks } from "./read-file.js";

/**
 * Git LFS keeps a file's content outside git and commits a small pointer instead
 * (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). A key in such a file reaches
 * the LFS server with the push, and scanning the pointer would pass it in silence. When the
 * content is in the local LFS store (`<git dir>/lfs/objects/<aa>/<bb>/<oid>`, where
 * `git lfs` puts what it cleans and fetches), that content is scanned in the pointer's place;
 * otherwise the pointer is scanned as it is and the report names the file whose content was not.
 */
export class LfsContent {
  private readonly unscanned = new Map<string, LfsPointer>();

  /** `commonDir`: the git directory shared by all worktrees, or a function that finds it when first needed. */
  constructor(private readonly commonDir: string | (() => string)) {}

  /**
   * Called with a small blob's bytes: when they are a pointer whose content is stored
   * locally, pushes that content into `sink` and returns true; otherwise returns false (the
   * caller scans the bytes as they are), remembering a pointer whose content is missing.
   */
  substitute(blobOid: string, content: Buffer, sink: ChunkSink): boolean {
    const pointer = parseLfsPointer(content);
    if (pointer === null) return false;
    const commonDir = typeof this.commonDir === "string" ? this.commonDir : this.commonDir();
    const stored = join(commonDir, "lfs", "objects", pointer.oid.slice(0, 2), pointer.oid.slice(2, 4), pointer.oid);
    let pushed = false;
    const outcome = readFileInChunks(stored, (chunk, final) => {
      pushed = true;
      sink(chunk, final);
    });
    if (outcome.kind === "read") return true;
    if (pushed) sink(Buffer.alloc(0), true);
    this.unscanned.set(blobOid, pointer);
    return pushed;
  }

  /** One warning per path whose LFS content could not be read, named by `pathsOf(blob id)`. */
  warnUnscanned(session: ScanSession, pathsOf: (blobOid: string) => string[]): void {
    for (const [blobOid, pointer] of this.unscanned) {
      for (const path of pathsOf(blobOid)) {
        session.warn({
          code: "lfs-not-scanned",
          file: path,
          message: `${path}: a Git LFS pointer; its content (${pointer.size} bytes, LFS object ${pointer.oid.slice(0, 12)}) is not in git or in the local LFS store, so it was not scanned. Run git lfs fetch (in CI: lfs: true on actions/checkout) to check it`,
          incomplete: true,
        });
      }
    }
  }
}
