import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll } from "vitest";
import { createDir } from "./repo.js";
import { binEnv, root } from "./process.js";

/**
 * lumenguard as users install it: `npm pack` of this checkout (built by `npm test` first),
 * installed into temp projects with npm. Dependencies come from npm's cache, which `npm ci`
 * filled (--prefer-offline); anything else from the registry.
 */
let tarball: string | undefined;
const packDir = mkdtempSync(join(tmpdir(), "lumenguard-pack-"));
afterAll(() => rmSync(packDir, { recursive: true, force: true }));

/**
 * The packed tarball (absolute path), packed once per test file as a user packs it: `npm pack`
 * with its lifecycle scripts (`prepack` takes the `prepare` script out of the packed
 * package.json; scripts/pack-manifest.js says why). It runs in a staging copy of what the package
 * ships (package.json's `files`, built by `npm test` first), so test files packing at the same
 * time never edit this checkout's package.json.
 */
export function packedLumenguard(): string {
  if (tarball !== undefined) return tarball;
  const staging = join(packDir, "staging");
  const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { files: string[] };
  for (const entry of ["package.json", ...manifest.files, "scripts/pack-manifest.js"]) cpSync(join(root, entry), join(staging, entry), { recursive: true });
  const packed = run("npm", ["pack", "--silent", "--pack-destination", packDir], staging);
  if (packed.status !== 0) throw new Error(`npm pack failed: ${packed.stderr}`);
  tarball = join(packDir, packed.stdout.trim().split("\n").pop()!);
  return tarball;
}

/** `npm install` in `dir` (extra arguments: packages, -D, -g --prefix …); throws with npm's output when it fails. */
export function npmInstall(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): void {
  const result = run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...args], dir, env, 240_000);
  if (result.status !== 0) throw new Error(`npm install ${args.join(" ")} failed in ${dir}:\n${result.stdout}\n${result.stderr}`);
}

/** Runs a program with the tests' clean environment (no calling hook's GIT_*, an identity, no colour). */
export function run(program: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 60_000, input?: string): SpawnSyncReturns<string> {
  return spawnSync(program, args, { cwd, env: { ...binEnv, ...env }, encoding: "utf8", timeout, input, maxBuffer: 64 << 20 });
}

/** Runs a shell command line with `sh -c`, as a README recipe or a user types it. */
export function sh(script: string, cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 120_000): SpawnSyncReturns<string> {
  return run("/bin/sh", ["-c", script], cwd, env, timeout);
}

/**
 * A folder to use as the whole PATH: every program of /usr/bin and /bin except Node.js and its
 * package managers, as a GUI git client or a shell without nvm's setup gives hooks.
 */
export function pathWithoutNode(): string {
  const dir = join(createDir(), "bin");
  mkdirSync(dir);
  const without = new Set(["node", "nodejs", "npm", "npx", "corepack"]);
  for (const folder of ["/usr/bin", "/bin"]) {
    if (!existsSync(folder)) continue;
    for (const name of readdirSync(folder)) {
      if (without.has(name) || existsSync(join(dir, name))) continue;
      symlinkSync(join(folder, name), join(dir, name));
    }
  }
  return dir;
}

/** A folder holding fake `npm` and `npx` that log every call to `log` and fail: a hook must never call them. */
export function trapNpm(log: string): string {
  const dir = join(createDir(), "bin");
  mkdirSync(dir);
  for (const name of ["npm", "npx"]) {
    const file = join(dir, name);
    spawnSync("/bin/sh", ["-c", `printf '#!/bin/sh\\necho "${name} $*" >> "%s"\\nexit 99\\n' '${log}' > '${file}' && chmod +x '${file}'`]);
  }
  return dir;
}

/**
 * A copy of this checkout's files as git would commit them (tracked plus untracked, not
 * ignored; so no node_modules and no lib/) in `dest`: what GitHub checks out for
 * `uses: OWNER/lumenguard@REF`, or a clone of the repository, with uncommitted work included.
 */
export function copyOfCheckout(dest: string): void {
  const listed = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: root, encoding: "utf8" });
  for (const file of listed.stdout.split("\0").filter(Boolean)) {
    if (!existsSync(join(root, file))) continue;
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(join(root, file), join(dest, file));
    chmodSync(join(dest, file), statSync(join(root, file)).mode & 0o777);
  }
}
