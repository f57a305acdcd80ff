import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { createDir, withoutGitOverrides } from "./repo.js";

/**
 * The real binary, for cases where the process itself matters: signals, PATH,
 * exit codes, file-descriptor limits, peak memory. Needs `npm run build` (`npm test` runs it).
 */
export const root = join(import.meta.dirname, "../..");
export const bin = join(root, "bin/lumenguard.js");

export const binEnv: NodeJS.ProcessEnv = {
  // FORCE_COLOR from the machine running the tests would beat NO_COLOR (Node warns that it does);
  // a test that wants colour sets it itself.
  ...Object.fromEntries(Object.entries(withoutGitOverrides(process.env)).filter(([name]) => name !== "FORCE_COLOR")),
  NO_COLOR: "1",
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.invalid",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
};

export interface BinOptions {
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Milliseconds before the process is killed: a scan that blocks fails the test, never hangs it. */
  timeout?: number;
}

export function lumenguard(args: string[], cwd: string, options: BinOptions = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env: { ...binEnv, ...options.env },
    input: options.input ?? "",
    encoding: "utf8",
    timeout: options.timeout ?? 20_000,
    maxBuffer: 64 << 20,
  });
}

/** Runs a shell command line (for `ulimit`, `/usr/bin/time`, `setpriv`) with the binary as `$LG`. */
export function shell(script: string, cwd: string, options: BinOptions = {}): SpawnSyncReturns<string> {
  const command = script.replaceAll("$LG", `'${process.execPath}' '${bin}'`);
  return spawnSync("/bin/sh", ["-c", command], {
    cwd,
    env: { ...binEnv, ...options.env },
    input: options.input ?? "",
    encoding: "utf8",
    timeout: options.timeout ?? 30_000,
    maxBuffer: 64 << 20,
  });
}

/** A folder on PATH holding `node` and nothing else: git is missing. */
export function pathWithoutGit(): string {
  const dir = join(createDir(), "bin");
  mkdirSync(dir);
  symlinkSync(process.execPath, join(dir, "node"));
  return dir;
}

export function hasProgram(path: string): boolean {
  return existsSync(path);
}

/** Starts the binary without waiting, for signal tests. */
export function startLumenguard(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return spawn(process.execPath, [bin, ...args], { cwd, env: { ...binEnv, ...env }, stdio: ["ignore", "pipe", "pipe"] });
}

/** `pid args` of the live (non-zombie) children of `pid`. */
export function childrenOf(pid: number): Array<{ pid: number; args: string }> {
  const ps = spawnSync("ps", ["-o", "pid=,stat=,args=", "--ppid", String(pid)], { encoding: "utf8" });
  return ps.stdout
    .split("\n")
    .map((line) => line.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/))
    .filter((match): match is RegExpMatchArray => match !== null && !(match[2] as string).startsWith("Z"))
    .map((match) => ({ pid: Number(match[1]), args: match[3] as string }));
}

/** Whether `pid` is still running (a zombie waiting for its reaper does not count). */
export function isRunning(pid: number): boolean {
  const ps = spawnSync("ps", ["-o", "stat=", "-p", String(pid)], { encoding: "utf8" });
  const stat = ps.stdout.trim();
  return stat !== "" && !stat.startsWith("Z");
}
