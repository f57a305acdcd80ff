import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

/**
 * Real temporary folders and git repositories for tests (publint's fixtures as
 * objects; no mocks where the real thing runs here).
 */
export type FileTree = Record<string, string | Uint8Array>;

const created: string[] = [];
afterEach(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function createDir(files: FileTree = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "lumenguard-test-"));
  created.push(dir);
  writeFiles(dir, files);
  return dir;
}

export function writeFiles(dir: string, files: FileTree): void {
  for (const [path, content] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
}

/** A committer identity for git run by tests (CI machines may have none configured). */
export const GIT_ENV = {
  GIT_AUTHOR_NAME: "Test",
  GIT_AUTHOR_EMAIL: "test@example.invalid",
  GIT_COMMITTER_NAME: "Test",
  GIT_COMMITTER_EMAIL: "test@example.invalid",
  GIT_CONFIG_NOSYSTEM: "1",
};

export function git(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync("git", args, {
    cwd: dir,
    env: { ...withoutGitOverrides(process.env), ...GIT_ENV, ...env },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** A hook that runs the tests may have set GIT_DIR and friends; test repos must not see them. */
export function withoutGitOverrides(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = { ...env };
  for (const name of Object.keys(clean)) if (name.startsWith("GIT_")) delete clean[name];
  return clean;
}

export interface RepoSpec {
  /** Files written and committed. */
  committed?: FileTree;
  /** Files written and staged, not committed. */
  staged?: FileTree;
  /** Files written and left untracked. */
  untracked?: FileTree;
}

export function createRepo(spec: RepoSpec = {}): string {
  const dir = createDir();
  git(dir, ["init", "-q", "-b", "main"]);
  git(dir, ["config", "commit.gpgsign", "false"]);
  git(dir, ["config", "core.hooksPath", ".no-hooks"]);
  if (spec.committed) {
    writeFiles(dir, spec.committed);
    git(dir, ["add", "-A"]);
    git(dir, ["commit", "-q", "-m", "initial"]);
  }
  if (spec.staged) {
    writeFiles(dir, spec.staged);
    git(dir, ["add", "--", ...Object.keys(spec.staged)]);
  }
  if (spec.untracked) writeFiles(dir, spec.untracked);
  return dir;
}

/** The environment for running git or the real binary in a test: no calling hook's GIT_*, an identity, no colour. */
export function processEnv(): NodeJS.ProcessEnv {
  return { ...withoutGitOverrides(process.env), ...GIT_ENV, NO_COLOR: "1" };
}
