import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeKey } from "./helpers/keys.js";
import { bin, binEnv, root } from "./helpers/process.js";
import { createDir, createRepo, git } from "./helpers/repo.js";

/**
 * The pre-commit hook's path loads only the code it uses (scripts/bundle.js says why and how):
 * the real binary runs `scan --staged` in a real repository under a `--require` hook that writes,
 * when the process exits, the built-in modules Node loaded (process.moduleLoadList) and the
 * CommonJS files that were required. No timing is asserted: what is loaded is.
 */

/** A --require hook: at exit, writes what was loaded to the file named by LUMENGUARD_TEST_LOAD_DUMP. */
const HOOK = `process.on("exit", () => {
  require("node:fs").writeFileSync(process.env.LUMENGUARD_TEST_LOAD_DUMP, JSON.stringify({
    builtins: process.moduleLoadList,
    files: Object.keys(require.cache),
  }));
});
`;

interface Loaded {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Node's built-in modules, as process.moduleLoadList names them (`NativeModule v8`). */
  builtins: string[];
  /** The files of lib/ that were required, by name. */
  lib: string[];
}

function runLoading(args: string[], cwd: string): Loaded {
  const dir = createDir({ "load-hook.cjs": HOOK });
  const dump = join(dir, "loaded.json");
  const run = spawnSync(process.execPath, ["--require", join(dir, "load-hook.cjs"), bin, ...args], {
    cwd,
    env: { ...binEnv, LUMENGUARD_TEST_LOAD_DUMP: dump },
    encoding: "utf8",
    timeout: 20_000,
  });
  const { builtins, files } = JSON.parse(readFileSync(dump, "utf8")) as { builtins: string[]; files: string[] };
  const lib = files.filter((file) => file.startsWith(join(root, "lib/"))).map((file) => basename(file));
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, builtins, lib };
}

/** Built-in modules the hook's path has no use for; each was loaded by an earlier build, for the reason given. */
const UNUSED_BUILTINS = [
  "NativeModule v8", // a V8 flag set at start-up (only custom patterns need the linear-time regex engine)
  "NativeModule perf_hooks", // `performance.now()` for the scan's duration
  "NativeModule internal/modules/esm/module_job", // any ES module: the CLI is CommonJS
  "NativeModule internal/fs/promises", // `import … from "node:fs"` in an ES module loads fs.promises
  "NativeModule readline",
  "NativeModule worker_threads", // threads are for large working trees
  "NativeModule os",
  "NativeModule zlib", // compressed files
  "NativeModule vm", // custom patterns that need a time limit
  "NativeModule http",
  "NativeModule https", // --verify
  "NativeModule tls",
];

/** Functions of parts the hook never runs: other commands, sources, reporters, the verifier. */
const UNUSED_CODE = [
  "initCommand",
  "exportRuleCommand",
  "preReceiveCommand",
  "initServerCommand",
  "fixEnvIgnores",
  "scanWorktree",
  "scanHistory",
  "scanPrePush",
  "createKeyVerifier",
  "sarifReporter",
  "htmlReporter",
  "junitReporter",
  "gitlabReporter",
  "githubReporter",
  "jsonReporter",
];

/** Whether `code` defines `name` (the bundle keeps names: it removes only whitespace). */
function defines(code: string, name: string): boolean {
  return new RegExp(`(?:function\\s+|(?:const|let|var)\\s+)${name}\\s*[=(]`).test(code);
}

function expectHookPathOnly(run: Loaded): void {
  expect(UNUSED_BUILTINS.filter((name) => run.builtins.includes(name))).toEqual([]);
  expect(run.lib.filter((name) => name !== "cli.cjs" && !/^cli-core-[\w-]+\.cjs$/.test(name)), "lib files other than the CLI's first chunk").toEqual([]);
  expect(run.lib).toContain("cli.cjs");
  expect(run.lib.filter((name) => name.startsWith("cli-core-"))).toHaveLength(1);
  const code = run.lib.map((name) => readFileSync(join(root, "lib", name), "utf8")).join("\n");
  expect(defines(code, "scanStaged"), "the bundle still keeps names").toBe(true);
  expect(UNUSED_CODE.filter((name) => defines(code, name))).toEqual([]);
}

/** A change like the bench's: a few files of several kinds, in a repository with a config file. */
function stagedChange(extra: Record<string, string> = {}): string {
  const repo = createRepo({
    committed: {
      "lumenguard.config.json": "{}\n",
      "src/client.ts": "export const client = {};\n",
      "src/worker.js": "module.exports = {};\n",
      "docs/guide.md": "# Guide\n",
      "deploy/app.yaml": "name: app\n",
      "tools/run.py": "print('hi')\n",
    },
  });
  const edits = {
    "src/client.ts": "export const client = { retries: 3 };\n",
    "src/worker.js": "module.exports = { threads: 2 };\n",
    "docs/guide.md": "# Guide\n\nRun `npm test`.\n",
    "deploy/app.yaml": "name: app\nreplicas: 2\n",
    "tools/run.py": "print('hello')\n",
    ...extra,
  };
  for (const [path, text] of Object.entries(edits)) writeFileSync(join(repo, path), text);
  git(repo, ["add", "--", ...Object.keys(edits)]);
  return repo;
}

describe("the pre-commit path loads only what it uses", () => {
  it("scan --staged, clean: the CLI's first chunk alone, none of the unused built-ins", () => {
    const run = runLoading(["scan", "--staged"], stagedChange());
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("No Lumenfall keys found");
    expectHookPathOnly(run);
    // The staged files are compared with the index by their git blob ids (SHA-1): node:crypto is needed.
    expect(run.builtins).toContain("NativeModule crypto");
  });

  it("scan --staged with a key staged: still the first chunk alone (fingerprints, the text report)", () => {
    const run = runLoading(["scan", "--staged"], stagedChange({ "src/config.ts": `export const key = "${makeKey()}";\n` }));
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain("src/config.ts");
    expectHookPathOnly(run);
  });

  it("what a flag asks for is loaded when asked: --format json adds the JSON reporter's chunk, and only it", () => {
    const run = runLoading(["scan", "--staged", "--format", "json"], stagedChange());
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).findings).toEqual([]);
    const others = run.lib.filter((name) => name !== "cli.cjs" && !name.startsWith("cli-core-"));
    expect(others).toHaveLength(1);
    expect(defines(readFileSync(join(root, "lib", others[0]!), "utf8"), "jsonReporter")).toBe(true);
  });

  it("custom patterns turn on V8's linear-time regex engine (node:v8), and only then", () => {
    const repo = stagedChange({ "lumenguard.config.json": JSON.stringify({ customPatterns: [{ id: "acme", regex: "acme_[a-z0-9]{20}", keywords: ["acme_"], description: "Acme token" }] }) });
    const run = runLoading(["scan", "--staged"], repo);
    expect(run.status, run.stderr).toBe(0);
    expect(run.builtins).toContain("NativeModule v8");
  });
});
