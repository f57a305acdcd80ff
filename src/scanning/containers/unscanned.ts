import type { Warning } from "../../types.js";
import type { SourceFile } from "../source-file.js";

/**
 * What a user can do about content lumenguard could not scan: raise a budget, or unpack the
 * file themselves. Either way, a file known to be safe can be left out with the config's `ignore`.
 */
export type Remedy = "budget" | "unpack";

/**
 * The warning for a compressed file or archive (or an entry of one) that was not scanned whole:
 * a budget stopped decompression, the format cannot be decompressed here, it is nested deeper
 * than the limit, encrypted or damaged. It is `incomplete`, so a gate (`--staged`, `--pre-push`,
 * a server's pre-receive hook, `ci`) fails closed on it (exit 3) exactly as on a Git LFS object
 * it could not read; a plain scan only warns. The message starts with the file's report path and
 * ends with what to do, naming the outermost file (the one the config's `ignore` can name).
 */
export function unscannedWarning(file: SourceFile, code: string, what: string, remedy: Remedy): Warning {
  const outer = outerPath(file);
  const fix =
    remedy === "budget"
      ? "raise the config's `archives` budgets (maxEntryMiB, maxArchiveMiB, maxRatio) to scan it whole"
      : "unpack it and scan what it holds (lumenguard scan <folder>)";
  return {
    code,
    message: `${file.path}: ${what}. A gate fails closed on content it could not scan: ${fix}, or, if ${outer} is known to be safe, add it to the config's \`ignore\``,
    file: file.path,
    incomplete: true,
  };
}

/** The report path of the file on disk or in git that holds `file` (itself, unless it is an archive member). */
export function outerPath(file: SourceFile): string {
  if (file.entry === undefined) return file.path;
  const suffix = `!${file.entry}`;
  return file.path.endsWith(suffix) ? file.path.slice(0, -suffix.length) : file.path;
}
