import { spawn } from "node:child_process";
import { envForPath, gitArgs, gitEnv, GitMissingError, runGit, splitNul } from "./run-git.js";

/**
 * What git would commit in a folder — tracked plus untracked-not-ignored — from one
 * `git ls-files`, run in the folder itself so the repository is the one that holds it.
 */
export interface GitFileList {
  /** Paths relative to the folder, `/`-separated. */
  files: string[];
  /** The files git does not track (listed as untracked-not-ignored). */
  untracked: Set<string>;
  /**
   * Sizes in bytes of tracked files, from the index's cached stat data (`--debug`): what the file
   * measured when git last looked at it — current unless the file changed since without git
   * noticing. Untracked files have none.
   */
  sizes: Map<string, number>;
  /**
   * The names that are not valid UTF-8: listed in their lossless escaped form (`config\xff.py`,
   * path-bytes.ts), and here with their bytes (relative to the folder), to open them by.
   */
  raw: Map<string, Buffer>;
  /** Tracked files that git records as symlinks (mode 120000): a literal search (git grep) does not read them. */
  symlinks: Set<string>;
  warnings: string[];
}

const SYMLINK_MODE = "120000 ";

/** The listing, or why there is none: not a repository, git missing, or git failed (its message). */
export function gitListFiles(dir: string, env: NodeJS.ProcessEnv): GitFileList | { failed: "not-a-repository" | "git-missing" | string } {
  try {
    // -t tags each path: "H" (and other letters) tracked, "?" untracked.
    const result = runGit(["ls-files", "-z", "-t", "--stage", "--debug", "--cached", "--others", "--exclude-standard"], dir, envForPath(env));
    if (result.status === 0) {
      const rawEntries = new Map<string, Buffer>();
      return { ...parseTaggedListing(splitNul(result.stdout, rawEntries), rawEntries), warnings: gitWarnings(result.stderr) };
    }
    return { failed: /not a git repository/i.test(result.stderr) ? "not-a-repository" : result.stderr };
  } catch (error) {
    if (!(error instanceof GitMissingError)) throw error;
    return { failed: "git-missing" };
  }
}

/**
 * git lists what it can and exits 0 when it cannot open a folder (a path longer than PATH_MAX,
 * permissions): its warnings are passed on, or the files in that folder would be missed in
 * silence.
 */
function gitWarnings(stderr: string): string[] {
  const lines = stderr.split("\n").filter((line) => /^(warning|error): /.test(line));
  if (lines.length === 0) return [];
  const shown = lines.slice(0, 3).map((line) => (line.length > 300 ? `${line.slice(0, 150)}…${line.slice(-150)}` : line));
  const more = lines.length > 3 ? ` (and ${lines.length - 3} more)` : "";
  return [`git ls-files could not read everything, so some files were not scanned: ${shown.join("; ")}${more}`];
}

/**
 * `-t --stage --debug -z` output: `<tag> <mode> <object> <stage>\t<path>\0` for an index entry
 * (`? <path>\0` for an untracked file), and after each index entry five lines of its cached stat
 * data ending in `size: <n>\tflags: <x>\n`, which run straight into the next entry
 * (https://git-scm.com/docs/git-ls-files#_output).
 */
function parseTaggedListing(entries: string[], rawEntries: ReadonlyMap<string, Buffer>): Omit<GitFileList, "warnings"> {
  const files: string[] = [];
  const untracked = new Set<string>();
  const sizes = new Map<string, number>();
  const raw = new Map<string, Buffer>();
  const symlinks = new Set<string>();
  let previous = "";
  for (const listed of entries) {
    let entry = listed;
    if (entry.startsWith("  ctime:")) {
      let end = -1;
      for (let line = 0; line < 5; line++) end = entry.indexOf("\n", end + 1);
      const size = /size: (\d+)/.exec(entry.slice(0, end))?.[1];
      if (size !== undefined && previous !== "") sizes.set(previous, Number(size));
      entry = end === -1 ? "" : entry.slice(end + 1);
      if (entry === "") continue;
    }
    // Tracked: "<tag> <mode> <object> <stage>\t<path>" (--stage); untracked: "? <path>".
    const isUntracked = entry.charCodeAt(0) === 0x3f; /* ? */
    const path = isUntracked ? entry.slice(2) : entry.slice(entry.indexOf("\t") + 1);
    // --cached lists a path once per stage during a merge conflict; stages come together.
    if (path === previous) continue;
    previous = path;
    files.push(path);
    if (!isUntracked && entry.startsWith(SYMLINK_MODE, 2)) symlinks.add(path);
    // What comes before the name (stat data, the tag) is ASCII: as many bytes as characters.
    const rawEntry = rawEntries.get(listed);
    if (rawEntry !== undefined) raw.set(path, rawEntry.subarray(listed.length - path.length));
    if (isUntracked) untracked.add(path);
  }
  return { files, untracked, sizes, raw, symlinks };
}

/** Env files git ignores: untracked ones (where keys belong) and tracked ones (ignored too late). */
export interface IgnoredEnvFiles {
  untracked: string[];
  tracked: string[];
  /** Names that are not valid UTF-8 (escaped in the lists) → their bytes, as in {@link GitFileList}. */
  raw: Map<string, Buffer>;
}

/**
 * Env files that git ignores: where keys belong, but still read for the rules about
 * public prefixes and keys shared between environments; and tracked env files that
 * `.gitignore` matches (ignored too late). One git process, tagged (`-t`: `H` tracked, `?`
 * untracked), started so that it runs while the main listing does.
 *
 * Names match whatever their case, spelled as character classes: git 2.39's `icase` magic
 * finds nothing when git runs in a subfolder.
 *
 * --directory: an ignored folder (node_modules, build output) is named, not walked into —
 * walking every ignored file to find env files would cost more than the whole scan. Env files
 * inside an ignored folder are therefore not read (README, limits).
 */
export function listIgnoredEnvFiles(dir: string, env: NodeJS.ProcessEnv): Promise<IgnoredEnvFiles> {
  const none: IgnoredEnvFiles = { untracked: [], tracked: [], raw: new Map() };
  return new Promise((resolvePromise) => {
    const args = ["ls-files", "-z", "-t", "--cached", "--others", "--directory", "--no-empty-directory", "--ignored", "--exclude-standard", "--", ":(glob)**/.[eE][nN][vV]", ":(glob)**/.[eE][nN][vV].*"];
    let child;
    try {
      child = spawn("git", gitArgs(args), { cwd: dir, env: gitEnv(envForPath(env)), stdio: ["ignore", "pipe", "ignore"] });
    } catch {
      resolvePromise(none);
      return;
    }
    const chunks: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    child.on("error", () => resolvePromise(none));
    child.on("close", (code) => {
      if (code !== 0) return resolvePromise(none);
      const found: IgnoredEnvFiles = { untracked: [], tracked: [], raw: new Map() };
      const rawEntries = new Map<string, Buffer>();
      for (const entry of splitNul(Buffer.concat(chunks), rawEntries)) {
        const path = entry.slice(2);
        const rawEntry = rawEntries.get(entry);
        if (rawEntry !== undefined) found.raw.set(path, rawEntry.subarray(2));
        // Nested repositories and ignored folders come back as folders ("sub/"): not env files.
        if (path.endsWith("/")) continue;
        (entry.startsWith("?") ? found.untracked : found.tracked).push(path);
      }
      resolvePromise(found);
    });
  });
}
