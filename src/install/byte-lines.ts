/**
 * A file as lines that each keep their own terminator, so an edit touches only the lines it
 * adds or removes: CRLF stays CRLF, a mixed file stays mixed, and a file without a final
 * newline gets one back only where an edit needs it. Removing what an insert added restores
 * the file byte for byte, which is how `init --uninstall` reverses exactly what `init` did.
 *
 * The strings here are byte strings, one character per byte (see readBytesAsText()): a
 * Latin-1 or UTF-8 line is carried through untouched, never decoded and re-encoded. Lines
 * lumenguard adds are ASCII, the same in every such encoding.
 */
export interface Line {
  text: string;
  /** "\n", "\r\n", or "" for a last line without a terminator. */
  eol: string;
}

export function splitLines(content: string): Line[] {
  const lines: Line[] = [];
  for (const match of content.matchAll(/([^\n]*?)(\r?\n|$)/g)) {
    if (match[0] === "" && match.index === content.length) break;
    lines.push({ text: match[1] ?? "", eol: match[2] ?? "" });
  }
  return lines;
}

export function joinLines(lines: readonly Line[]): string {
  return lines.map((line) => line.text + line.eol).join("");
}

/** CRLF when most terminated lines use it, else LF. */
export function dominantEol(lines: readonly Line[]): string {
  const crlf = lines.filter((line) => line.eol === "\r\n").length;
  const lf = lines.filter((line) => line.eol === "\n").length;
  return crlf > lf ? "\r\n" : "\n";
}

/**
 * Inserts `texts` before `index`. Inserted after an unterminated last line, the terminator
 * moves: the old last line gets one and the new last line goes without, which is what lets
 * removeLines() give the original bytes back.
 */
export function insertLines(lines: readonly Line[], index: number, texts: readonly string[]): Line[] {
  const eol = dominantEol(lines);
  const added = texts.map((text) => ({ text, eol }));
  const before = lines.slice(0, index).map((line) => ({ ...line }));
  const last = before[before.length - 1];
  if (index === lines.length && last && last.eol === "" && added.length > 0) {
    last.eol = eol;
    added[added.length - 1]!.eol = "";
  }
  return [...before, ...added, ...lines.slice(index)];
}

/** Removes the lines `isRemoved` picks; the inverse of insertLines() for the lines it added. */
export function removeLines(lines: readonly Line[], isRemoved: (line: Line) => boolean): Line[] {
  const kept = lines.filter((line) => !isRemoved(line)).map((line) => ({ ...line }));
  const removedLast = lines.length > 0 && isRemoved(lines[lines.length - 1]!);
  const newLast = kept[kept.length - 1];
  if (removedLast && newLast && lines[lines.length - 1]!.eol === "") newLast.eol = "";
  return kept;
}
