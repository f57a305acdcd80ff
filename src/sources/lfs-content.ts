import { readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseLfsPointer, type ChunkSink, type LfsPointer } from "../git/object-content.js";
import type { ScanSession } from "../scanning/session.js";
import type { Warning } from "../types.js";
import { readFileInChunks } from "./read-file.js";

/**
 * Git LFS keeps a file's content outside git and commits a small pointer instead
 * (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md). A key in such a file reaches
 * the LFS server with the push, and scanning the pointer would pass it in silence. When the
 * content is in the local LFS store (`<git dir>/lfs/objects/<aa>/<bb>/<oid>`, where
 * `git lfs` puts what it cleans and fetches), that content is scanned in the pointer's place;
 * otherwise the pointer is scanned as it is and the report names the file whose content was not.
 * On a git server the LFS content is not in the bare repository (Gitea and GitLab keep it in
 * a store of their own, uploaded over the LFS API before the git push): its settings say where
 * ({@link ServerLfs}).
 */
export class LfsContent {
  private readonly unscanned = new Map<string, LfsPointer>();

  /**
   * @param commonDir the git directory shared by all worktrees, or a function that finds it when first needed.
   * @param server on a git server (`scan --pre-receive`): its LFS setting ({@link ServerLfs}), or
   *   null for none (the repository's own `lfs/objects` is still looked in, as git-lfs-transfer
   *   keeps them there); what is missing is then told in the server's terms.
   */
  constructor(
    private readonly commonDir: string | (() => string),
    private readonly server?: { lfs: ServerLfs | null },
  ) {}

  /**
   * Called with a small blob's bytes: when they are a pointer whose content is stored
   * locally (or in the server's LFS store), pushes that content into `sink` and returns true;
   * otherwise returns false (the caller scans the bytes as they are), remembering a pointer
   * whose content is missing.
   */
  substitute(blobOid: string, content: Buffer, sink: ChunkSink): boolean {
    const pointer = parseLfsPointer(content);
    if (pointer === null) return false;
    const setting = this.server?.lfs ?? null;
    if (setting === "pointer-only") {
      this.unscanned.set(blobOid, pointer);
      return false;
    }
    if (setting !== null) {
      for (const file of serverLfsObjectPaths(setting.objects, pointer.oid)) {
        const outcome = pushLfsFile(file, sink);
        if (outcome === "absent") continue;
        if (outcome === "partial") this.unscanned.set(blobOid, pointer);
        return true;
      }
    }
    const commonDir = typeof this.commonDir === "string" ? this.commonDir : this.commonDir();
    const outcome = pushLfsObject(commonDir, pointer, sink);
    if (outcome !== "read") this.unscanned.set(blobOid, pointer);
    return outcome !== "absent";
  }

  /** One warning per path whose LFS content could not be read, named by `pathsOf(blob id)`. */
  warnUnscanned(session: ScanSession, pathsOf: (blobOid: string) => string[]): void {
    for (const [blobOid, pointer] of this.unscanned) {
      for (const path of pathsOf(blobOid)) {
        session.warn(this.server === undefined ? lfsNotScanned(path, pointer) : this.server.lfs === "pointer-only" ? lfsPointerOnly(path, pointer) : lfsNotOnServer(path, pointer));
      }
    }
  }
}

/**
 * Where a git server keeps Git LFS content, as its settings say (`lfs` in lumenguard-server.json):
 * `{ objects }`, an absolute folder laid out as Gitea's and GitLab's LFS stores are —
 * `<oid[0:2]>/<oid[2:4]>/<oid[4:]>` (Gitea: `[lfs] PATH`, default `<APP_DATA_PATH>/lfs`; GitLab:
 * `shared/lfs-objects`) — or as git-lfs's own store, `<oid[0:2]>/<oid[2:4]>/<oid>`; or
 * `pointer-only`: the pointer's text is scanned and the content is not looked for.
 */
export type ServerLfs = { objects: string } | "pointer-only";

/** The files that may hold an LFS object in a server's store, in the order they are tried. */
export function serverLfsObjectPaths(objects: string, oid: string): string[] {
  const dir = join(objects, oid.slice(0, 2), oid.slice(2, 4));
  return [join(dir, oid.slice(4)), join(dir, oid)];
}

/** Where Git LFS keeps an object's content in a repository: `<common dir>/lfs/objects/<oid[0:2]>/<oid[2:4]>/<oid>`. */
export function lfsObjectPath(commonDir: string, oid: string): string {
  return join(commonDir, "lfs", "objects", oid.slice(0, 2), oid.slice(2, 4), oid);
}

/**
 * Pushes the content a pointer stands for from the local LFS store into `sink` (never through
 * a link). `read`: all of it; `partial`: the read failed midway (the sink got its final chunk);
 * `absent`: nothing was pushed.
 */
export function pushLfsObject(commonDir: string | null, pointer: LfsPointer, sink: ChunkSink): "read" | "partial" | "absent" {
  if (commonDir === null) return "absent";
  return pushLfsFile(lfsObjectPath(commonDir, pointer.oid), sink);
}

/** {@link pushLfsObject} for one file. */
function pushLfsFile(file: string, sink: ChunkSink): "read" | "partial" | "absent" {
  let pushed = false;
  const outcome = readFileInChunks(file, (chunk, final) => {
    pushed = true;
    sink(chunk, final);
  });
  if (outcome.kind === "read") return "read";
  if (!pushed) return "absent";
  sink(Buffer.alloc(0), true);
  return "partial";
}

/** The warning for a file whose LFS content was not scanned: a gate fails closed on it. */
export function lfsNotScanned(path: string, pointer: LfsPointer): Warning {
  return {
    code: "lfs-not-scanned",
    file: path,
    message: `${path}: a Git LFS pointer; its content (${pointer.size} bytes, LFS object ${pointer.oid.slice(0, 12)}) is not in git or in the local LFS store, so it was not scanned. Run git lfs pull (in CI: lfs: true on actions/checkout) to check it`,
    incomplete: true,
  };
}

/** The warning for a pushed file whose LFS content is not in the server's store: the push is rejected on it, naming the setting. */
export function lfsNotOnServer(path: string, pointer: LfsPointer): Warning {
  return {
    code: "lfs-not-scanned",
    file: path,
    message:
      `${path}: a Git LFS pointer; its content (${pointer.size} bytes, LFS object ${pointer.oid.slice(0, 12)}) is not in this server's LFS store as lumenguard knows it, so it was not scanned. ` +
      `The server's administrator names where LFS objects are kept with "lfs": { "objects": "<folder>" } in lumenguard-server.json (Gitea: <APP_DATA_PATH>/lfs; GitLab: shared/lfs-objects), or accepts LFS files unscanned with "lfs": "pointer-only"`,
    incomplete: true,
  };
}

/** The note for a pushed LFS file the server accepts without its content (`"lfs": "pointer-only"`): recorded, never blocking. */
export function lfsPointerOnly(path: string, pointer: LfsPointer): Warning {
  return {
    code: LFS_POINTER_ONLY,
    file: path,
    message: `${path}: a Git LFS pointer; its content (${pointer.size} bytes, LFS object ${pointer.oid.slice(0, 12)}) was not scanned: this server scans only the pointer ("lfs": "pointer-only"), and records the file in its audit log`,
  };
}

export const LFS_POINTER_ONLY = "lfs-pointer-only";

const commonDirs = new Map<string, string | null>();

/**
 * The git directory shared by all worktrees of the repository whose work tree holds `file`
 * (absolute), found on disk as git finds it, without starting git: the nearest `.git` folder
 * above the file, or the `gitdir:` a `.git` file names (linked worktrees, submodules) followed by
 * that folder's `commondir` file when it has one
 * (https://git-scm.com/docs/gitrepository-layout). Null outside a repository.
 */
export function commonDirOfFile(file: string): string | null {
  for (let dir = dirname(resolve(file)); ; dir = dirname(dir)) {
    const known = commonDirs.get(dir);
    if (known !== undefined) return known;
    const dotGit = join(dir, ".git");
    const found = commonDirAt(dotGit);
    if (found !== undefined) {
      commonDirs.set(dir, found);
      return found;
    }
    if (dirname(dir) === dir) return null;
  }
}

/** undefined: no `.git` here; null: a `.git` that names no readable git directory. */
function commonDirAt(dotGit: string): string | null | undefined {
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const named = /^gitdir: *(.+?)\s*$/m.exec(readFileSync(dotGit, "utf8"));
    if (!named) return null;
    const gitDir = resolve(dirname(dotGit), named[1]!);
    try {
      return resolve(gitDir, readFileSync(join(gitDir, "commondir"), "utf8").trim());
    } catch {
      return gitDir;
    }
  } catch {
    return undefined;
  }
}
