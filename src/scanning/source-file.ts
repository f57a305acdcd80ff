import type { FileFacts, GitStatus, Scope } from "../engine/rule.js";
import type { FileKind, SourceKind } from "../types.js";

/**
 * One file a source hands to the scanning loop: plain data (it crosses worker threads), with
 * its bytes pushed separately. Every source — working tree, index, history, client output,
 * npm pack list, standard input, a bundler's emitted chunks — describes its files this way.
 */
export interface SourceFile {
  /** The name in the report: relative to the scan root, `/`-separated. */
  path: string;
  kind: FileKind;
  /**
   * Where the file is (or would be) on disk: config `ignore` globs and baselines are matched on
   * it. History blobs and staged files use their path in the work tree; standard input its name.
   */
  absPath: string;
  /**
   * `absPath` as bytes, for a file whose name is not valid UTF-8: `path` and `absPath` then hold
   * its lossless escaped form (`config\xff.py`, git/path-bytes.ts), which opens nothing, and the
   * file is read by these bytes.
   */
  rawPath?: Uint8Array;
  /** The path from the repository root, when the scan is inside a git repository. */
  repoPath?: string;
  /** git tracks the file although `.gitignore` matches it. */
  ignoredButTracked?: boolean;
  /** How positions in this file map to an original source (client output with a source map). */
  trace?: TraceSpec;
  /**
   * For a member of an archive: its name inside the archive. `path` is then
   * `<archive path>!<entry>`, and a source that renames the archive (history: one blob, many
   * paths) keeps the `!<entry>` part.
   */
  entry?: string;
}

/**
 * Where the original position of client output is found (read by the source layer, after the
 * engine has placed a finding):
 * - `bundle`: a built file on disk; its map is its `sourceMappingURL` or `<file>.map`;
 * - `sources-content`: a map file on disk, whose `sourcesContent` strings are copies of sources;
 * - `map-json`: a map a bundler holds in memory (`mapDir` is where it would be written).
 */
export type TraceSpec =
  | { kind: "bundle"; absPath: string; root: string }
  | { kind: "sources-content"; absPath: string; root: string }
  | { kind: "map-json"; json: string; mapDir: string; root: string }
  | { kind: "sources-content-json"; json: string; mapDir: string; root: string };

const SCOPES: Record<FileKind, Scope> = {
  tracked: "repository",
  untracked: "repository",
  given: "repository",
  staged: "repository",
  stdin: "repository",
  packed: "package",
  ignored: "local",
  history: "history",
  client: "shipped",
  emitted: "shipped",
};

const GIT_STATUS: Partial<Record<FileKind, GitStatus>> = { tracked: "tracked", untracked: "untracked", ignored: "ignored", staged: "staged" };

const SOURCE_KINDS: Record<FileKind, SourceKind> = {
  tracked: "worktree",
  untracked: "worktree",
  ignored: "worktree",
  given: "worktree",
  packed: "worktree",
  staged: "staged",
  history: "history",
  client: "bundle",
  emitted: "bundle",
  stdin: "stdin",
};

/** The JSON report's `source` for a file of this kind. */
export function sourceKindOf(kind: FileKind): SourceKind {
  return SOURCE_KINDS[kind];
}

/** What rules may know of a file: its report path, scope and git status. */
export function factsOf(file: SourceFile): FileFacts {
  const facts: FileFacts = { path: file.path, scope: SCOPES[file.kind] };
  const git = GIT_STATUS[file.kind];
  if (git) facts.git = git;
  if (file.ignoredButTracked) facts.ignoredButTracked = true;
  return facts;
}
