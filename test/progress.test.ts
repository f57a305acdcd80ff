import { execFileSync, spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createRepo, git, processEnv, withoutGitOverrides } from "./helpers/repo.js";

/**
 * Progress on long scans: a line redrawn on stderr when it is a
 * terminal and not CI, nothing in pipes or CI logs. The real CLI runs under a pseudo-terminal
 * made by util-linux `script`, as a person would run it. Uses the built bin (npm test builds).
 */

const bin = join(import.meta.dirname, "../bin/lumenguard.js");
const COMMITS = 300;
const PROGRESS = /lumenguard: (\d+) commits, (\d+) blobs, [\d.]+ MiB scanned/g;

/** A repository with COMMITS commits, each changing one of a few files, built in one `git fast-import`. */
function repoWithHistory(): string {
  const dir = createRepo();
  const chunks: string[] = [];
  for (let i = 1; i <= COMMITS; i++) {
    const content = `line ${i}\n${"filler text for the history scan\n".repeat(20)}`;
    const message = `commit ${i}`;
    chunks.push(
      "commit refs/heads/main",
      `committer Test <test@example.invalid> ${1_700_000_000 + i} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
      `M 100644 inline src/file-${i % 25}.txt`,
      `data ${Buffer.byteLength(content)}`,
      content,
    );
  }
  execFileSync("git", ["fast-import", "--quiet"], { cwd: dir, env: withoutGitOverrides(process.env), input: `${chunks.join("\n")}\n` });
  git(dir, ["reset", "-q", "--hard", "main"]);
  return dir;
}

function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...processEnv(), TERM: "xterm", ...extra };
  for (const name of ["CI", "GITHUB_ACTIONS", "GITLAB_CI", "FORCE_COLOR"]) if (!(name in extra)) delete env[name];
  return env;
}

/** Runs the CLI with stdin, stdout and stderr on a pseudo-terminal; returns what the terminal showed. */
function underPty(args: string, cwd: string, env: NodeJS.ProcessEnv): { code: number; screen: string } {
  const result = spawnSync("script", ["-qec", `node ${JSON.stringify(bin)} ${args}`, "/dev/null"], { cwd, env, encoding: "utf8", timeout: 60_000 });
  return { code: result.status ?? -1, screen: result.stdout };
}

describe.runIf(hasScript())("progress line", () => {
  it("is drawn on a terminal for scan --history, counting commits and blobs, then cleared", () => {
    const dir = repoWithHistory();
    const { code, screen } = underPty("scan --history", dir, cliEnv());
    expect(code).toBe(0);
    const lines = [...screen.matchAll(PROGRESS)];
    expect(lines.length).toBeGreaterThan(0);
    const last = lines[lines.length - 1] as RegExpMatchArray;
    expect(Number(last[1])).toBe(COMMITS);
    expect(Number(last[2])).toBeGreaterThan(0);
    // Redrawn in place and erased before the report: every draw starts with CR + erase-line.
    expect(screen).toContain("\r\u001b[2Klumenguard: ");
    expect(screen.slice(screen.lastIndexOf(last[0]) + last[0].length)).toContain("\r\u001b[2K");
  });

  it("is not drawn when stderr is a pipe", () => {
    const dir = repoWithHistory();
    const result = spawnSync("node", [bin, "scan", "--history"], { cwd: dir, env: cliEnv(), encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stderr).not.toMatch(PROGRESS);
    expect(result.stderr).not.toContain("\u001b[2K");
  });

  it("is not drawn in CI, even on a terminal", () => {
    const dir = repoWithHistory();
    const { code, screen } = underPty("scan --history", dir, cliEnv({ CI: "true" }));
    expect(code).toBe(0);
    expect(screen).not.toMatch(PROGRESS);
  });
});

function hasScript(): boolean {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
