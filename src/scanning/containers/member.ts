import type { SourceFile } from "../source-file.js";

/**
 * A member of an archive, as a file of its own: named `<archive path>!<name>`, with the chain of
 * names inside the outermost archive kept in `entry` (nested archives: `a.zip!b.zip!c.txt`,
 * entry `b.zip!c.txt`), so that a source that renames the archive keeps it.
 */
export function memberOf(file: SourceFile, name: string): SourceFile {
  const inner: SourceFile = { ...file, path: `${file.path}!${name}`, entry: file.entry === undefined ? name : `${file.entry}!${name}` };
  if (file.repoPath) inner.repoPath = `${file.repoPath}!${name}`;
  delete inner.trace;
  return inner;
}
