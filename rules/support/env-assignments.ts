/**
 * Assignments in a `.env` file as dotenv reads them: `[export ]NAME=value` (or `NAME: value`),
 * `#` comments, values in single, double or back quotes that may span lines. One pass over the
 * text; no regular expression runs over more than a line.
 */
export interface EnvAssignment {
  name: string;
  /** Offset of the name, and of the value's first and past-last characters (quotes excluded). */
  nameAt: number;
  valueStart: number;
  valueEnd: number;
  value: string;
}

const NAME = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[=:]/d;

export function envAssignments(text: string): EnvAssignment[] {
  const found: EnvAssignment[] = [];
  let lineStart = 0;
  while (lineStart < text.length) {
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    const match = NAME.exec(text.slice(lineStart, lineEnd));
    let next = lineEnd + 1;
    if (match) {
      const name = match[1] as string;
      const assignment = readValue(text, lineStart + match[0].length, lineEnd);
      const nameAt = lineStart + (match.indices?.[1]?.[0] ?? 0);
      found.push({ name, nameAt, valueStart: assignment.valueStart, valueEnd: assignment.valueEnd, value: assignment.value });
      next = Math.max(next, assignment.next);
    }
    lineStart = next;
  }
  return found;
}

function readValue(text: string, at: number, lineEnd: number): { valueStart: number; valueEnd: number; value: string; next: number } {
  let start = at;
  while (start < lineEnd && (text[start] === " " || text[start] === "\t")) start++;
  const quote = text[start];
  if (quote === '"' || quote === "'" || quote === "`") {
    const close = text.indexOf(quote, start + 1);
    if (close !== -1) {
      const closeLineEnd = text.indexOf("\n", close);
      return { valueStart: start + 1, valueEnd: close, value: text.slice(start + 1, close), next: (closeLineEnd === -1 ? text.length : closeLineEnd) + 1 };
    }
  }
  let end = lineEnd;
  const comment = text.slice(start, lineEnd).search(/(^|[ \t])#/);
  if (comment !== -1) end = start + comment;
  while (end > start && /\s/.test(text[end - 1] as string)) end--;
  return { valueStart: start, valueEnd: end, value: text.slice(start, end), next: lineEnd + 1 };
}
