import { resolve } from "node:path";
import { FileScanner, toFinding } from "../engine/engine.js";
import { isDirectory } from "../files.js";
import { ScanError } from "../errors.js";
import { defaultJobs, ScanThreads } from "../scanning/parallel.js";
import { addFileOutcome, type FilesOutcome } from "../scanning/scan-files.js";
import { closeSession, openSession, type ScanRun, type Session, type SessionOptions } from "../scanning/session.js";
import { isPackedClientFile, scanPackedClientFile } from "../scanning/scan-packed.js";
import { collectTargets, toPosix } from "../scanning/targets.js";
import type { PlacedFinding } from "../baseline.js";
import type { Warning } from "../types.js";

/** `lumenguard scan [paths...]`: the working tree, given files, and stdin (SPEC §3.1, §3.5). */
export interface WorktreeOptions extends SessionOptions {
  /** Files and directories, taken literally (no glob expansion); `-` is stdin. Default `.`. */
  paths?: string[];
  /** Read when `paths` holds `-`. */
  stdin?: AsyncIterable<Uint8Array>;
  /** The name stdin content is reported under (and matched against `ignore`). */
  stdinFilename?: string;
  /** Called once per file read (on the main thread), for progress displays. */
  onFile?: (path: string) => void;
  /** Threads for large trees (default: the cores, at most 4); 1 scans on the main thread only. */
  jobs?: number;
  /**
   * Client output folders to scan whatever git ignores (SPEC §3.4, `--bundles`), on top of the
   * paths; with no paths, only these are scanned.
   */
  bundles?: string[];
}

export async function scanWorktree(options: WorktreeOptions): Promise<ScanRun> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const bundlesOnly = (options.paths ?? []).length === 0 && (options.bundles ?? []).length > 0;
  const paths = options.paths && options.paths.length > 0 ? options.paths : bundlesOnly ? [] : ["."];
  const single = paths.length === 1 && paths[0] !== "-" ? resolve(cwd, paths[0] as string) : null;
  // The scan root (SPEC §5): the positional folder when one is given, else the current
  // directory — also for file arguments, so lint-staged passing one file or fifty finds the
  // same config.
  const root = single !== null && isDirectory(single) ? single : cwd;
  const session = openSession(options, root);
  const { outcome, warnings } = await scanPaths(paths, root, session, options, bundlesOnly);
  if (paths.includes("-")) await scanStdin(options, session, outcome);
  if (outcome.files === 0 && outcome.skipped > 0) {
    throw new ScanError(`no input could be read: all ${outcome.skipped} file(s) were unreadable`);
  }
  outcome.placed.push(...crossFileFindings(outcome, session));
  return closeSession(session, options, outcome, { mode: "worktree", warnings });
}

/** The files and folders given, and client output: listed, filtered by `ignore`, read on every core when many. */
async function scanPaths(paths: string[], root: string, session: Session, options: WorktreeOptions, bundlesOnly: boolean): Promise<{ outcome: FilesOutcome; warnings: Warning[] }> {
  const filePaths = paths.filter((path) => path !== "-");
  // Folders may hold thousands of files: start helper threads now, while git lists them.
  const jobs = options.jobs ?? defaultJobs();
  const folders = bundlesOnly || filePaths.some((path) => isDirectory(resolve(session.cwd, path)));
  const threads = new ScanThreads(folders ? jobs - 1 : 0);
  try {
    const bundles = [
      ...(options.bundles ?? []).map((dir) => resolve(session.cwd, dir)),
      ...(session.config.config.bundles ?? []).map((dir) => resolve(session.config.dir, dir)),
    ].filter(isDirectory);
    const listed = await collectTargets(filePaths, { cwd: session.cwd, displayRoot: root, env: session.env, bundles, discoverClient: !bundlesOnly });
    if (listed.missing > 0 && listed.missing === filePaths.length && filePaths.length > 0) {
      throw new ScanError(`nothing to scan: ${paths.join(", ")} ${listed.missing === 1 ? "does" : "do"} not exist`);
    }
    // SPEC §6: no input readable at all is exit 3, never a silent pass.
    if (filePaths.length > 0 && listed.missing + listed.special === filePaths.length && !paths.includes("-")) {
      throw new ScanError(`nothing readable was given: ${listed.warnings.map((warning) => warning.message).join("; ")}`);
    }
    const targets = listed.targets.filter((target) => !session.isIgnored(target.absPath));
    const packed = targets.filter((target) => target.client && isPackedClientFile(target.absPath));
    const plain = packed.length === 0 ? targets : targets.filter((target) => !(target.client && isPackedClientFile(target.absPath)));
    const input = { config: session.config.config, includePlaceholders: session.includePlaceholders };
    const outcome = await threads.scan(plain, session.engine, input, options.onFile);
    for (const target of packed) await scanPackedClientFile(target, session.engine, outcome);
    return { outcome, warnings: listed.warnings };
  } finally {
    threads.close();
  }
}

/** `-`: standard input, streamed through the engine under `--stdin-filename` (SPEC §3.5). */
async function scanStdin(options: WorktreeOptions, session: Session, into: FilesOutcome): Promise<void> {
  if (!options.stdin) throw new ScanError("'-' was given but no standard input is available");
  const name = options.stdinFilename ?? "<stdin>";
  const absPath = resolve(session.cwd, name);
  if (options.stdinFilename && session.isIgnored(absPath)) return;
  const scanner = new FileScanner({ path: toPosix(name), source: "stdin" }, session.engine);
  for await (const chunk of options.stdin) scanner.push(chunk);
  addFileOutcome(into, absPath, scanner.end());
}

/** Rules that look across files (shared-key-across-environments) decide once every file has been read. */
function crossFileFindings(outcome: FilesOutcome, session: Session): PlacedFinding[] {
  const placed: PlacedFinding[] = [];
  for (const rule of session.engine.rules) {
    const setting = session.engine.ruleSettings?.[rule.meta.id];
    if (!rule.acrossFiles || setting === "off") continue;
    const mine = outcome.collected.filter((entry) => entry.ruleId === rule.meta.id);
    const absPaths = new Map(mine.map((entry) => [entry.file, entry.absPath]));
    for (const place of rule.acrossFiles.conclude(mine.map((entry) => entry.item))) {
      const finding = toFinding({ path: place.file, source: "worktree" }, rule, setting ?? rule.meta.severity, place.key, place.message);
      placed.push({ finding, absPath: absPaths.get(place.file) ?? place.file });
    }
  }
  return placed;
}

