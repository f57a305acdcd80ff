import { afterEach, describe, expect, it } from "vitest";
import { findingMessage, rules, runScan, scan, UsageError, type ScanOptions } from "../src/index.js";
import { makeKey, randomString } from "./helpers/keys.js";
import { createDir, createRepo } from "./helpers/repo.js";
import { startVerifyServer, type VerifyServer } from "./helpers/verify-server.js";

/**
 * scan() is called from JavaScript, where no compiler checks the options: every field of the
 * wrong type, unknown, missing where a mode needs it, or contradicting another is a UsageError
 * (exit code 2) naming the field — never coerced (`verify: "false"` is a truthy string) and never
 * a TypeError from deep inside a source.
 */

const servers: VerifyServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function rejected(options: unknown): Promise<UsageError> {
  const error = await scan(options as ScanOptions).then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error, "scan() accepted the options").toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  return error as UsageError;
}

describe("scan() options from JavaScript", () => {
  it('verify: "false" (a truthy string) is refused, and no key reaches the verifier', async () => {
    const key = makeKey();
    const dir = createDir({ "src/a.js": `const k = "${key}";\n` });
    const server = await startVerifyServer(() => ({ status: 200 }));
    servers.push(server);
    const env = { ...process.env, LUMENGUARD_VERIFY_URL: server.url };
    for (const verify of ["false", "no", 0, 1, null, [], { timeoutMs: "5" }, { retries: 2 }]) {
      const error = await rejected({ cwd: dir, env, verify, mode: { kind: "worktree", paths: ["src/a.js"] } });
      expect(error.message).toMatch(/"verify" must be true, false, or an object/);
    }
    expect(server.authorizations).toEqual([]);
    // The same scan with a real boolean does ask: the refusals above were not a broken server.
    const result = await scan({ cwd: dir, env, verify: true, mode: { kind: "worktree", paths: ["src/a.js"] } });
    expect(result.findings).toHaveLength(1);
    expect(server.authorizations).toHaveLength(1);
  });

  const dir = () => createDir({ "src/p.js": 'const k = "lmnfl_abc123.xyz789";\n' });
  const cases: Array<[string, (cwd: string) => unknown, RegExp]> = [
    ['includePlaceholders: "no"', (cwd) => ({ cwd, includePlaceholders: "no" }), /"includePlaceholders" must be true or false; got a string/],
    ["onlyLive: 1", (cwd) => ({ cwd, onlyLive: 1 }), /"onlyLive" must be true or false; got 1/],
    ['useBaseline: "false"', (cwd) => ({ cwd, useBaseline: "false" }), /"useBaseline" must be true or false/],
    ['prefilter: "off"', (cwd) => ({ cwd, prefilter: "off" }), /"prefilter" must be true or false/],
    ["cwd: 5", () => ({ cwd: 5 }), /"cwd" must be a non-empty string .*got 5/],
    ['cwd: ""', () => ({ cwd: "" }), /"cwd" must be a non-empty string/],
    ['jobs: "x"', (cwd) => ({ cwd, jobs: "x" }), /"jobs" must be a whole number from 1 to 64; got a string/],
    ["jobs: 0", (cwd) => ({ cwd, jobs: 0 }), /"jobs" must be a whole number/],
    ["jobs: 2.5", (cwd) => ({ cwd, jobs: 2.5 }), /"jobs" must be a whole number/],
    ["jobs: NaN", (cwd) => ({ cwd, jobs: Number.NaN }), /"jobs" must be a whole number/],
    ['maxFileMegabytes: "1"', (cwd) => ({ cwd, maxFileMegabytes: "1" }), /"maxFileMegabytes" must be a finite number greater than 0/],
    ["maxFileMegabytes: -1", (cwd) => ({ cwd, maxFileMegabytes: -1 }), /"maxFileMegabytes" must be a finite number greater than 0/],
    ["env: a string", (cwd) => ({ cwd, env: "PATH=/bin" }), /"env" must be an object of strings/],
    ["env holding a number", (cwd) => ({ cwd, env: { CI: 1 } }), /"env" must be an object of strings/],
    ["configFile: true", (cwd) => ({ cwd, configFile: true }), /"configFile" must be a non-empty string/],
    ["config: a string", (cwd) => ({ cwd, config: "lumenguard.config.json" }), /"config" must be an object/],
    ["onlyLive with verify: false", (cwd) => ({ cwd, verify: false, onlyLive: true }), /"onlyLive: true" sends each key to the verifier, but "verify" is false/],
    ["config and configFile together", (cwd) => ({ cwd, config: {}, configFile: "no-such-file.json" }), /"config" and "configFile" were both given/],
    ["baselineFile: []", (cwd) => ({ cwd, baselineFile: [] }), /"baselineFile" must be a non-empty string.*got an array/],
    ["onProgress: true", (cwd) => ({ cwd, onProgress: true }), /"onProgress" must be a function/],
    ["onFile: a string", (cwd) => ({ cwd, onFile: "log" }), /"onFile" must be a function/],
    ["beforeCustomPatterns: {}", (cwd) => ({ cwd, beforeCustomPatterns: {} }), /"beforeCustomPatterns" must be a function/],
    ['shard: "1/2"', (cwd) => ({ cwd, shard: "1/2" }), /"shard" must be \{ index, total \}/],
    ["shard with an extra field", (cwd) => ({ cwd, shard: { index: 1, total: 2, of: 3 } }), /"shard" must be \{ index, total \}/],
    ["an unknown option", (cwd) => ({ cwd, staged: true }), /unknown option "staged"/],
    ["options not an object", () => "src", /scan\(\) takes an options object; got a string/],
    ["mode: a string", (cwd) => ({ cwd, mode: "staged" }), /"mode" must be an object \{ kind, … \} with kind one of "worktree", "staged"/],
    ["mode without kind", (cwd) => ({ cwd, mode: { paths: ["src"] } }), /"mode" must be an object \{ kind/],
    ['mode { kind: "worktree", history: true }', (cwd) => ({ cwd, mode: { kind: "worktree", paths: ["src"], history: true } }), /unknown field "mode.history": a "worktree" mode takes paths, bundles, stdin, stdinFilename/],
    ['mode { kind: "pack", paths }', (cwd) => ({ cwd, mode: { kind: "pack", paths: ["src"] } }), /unknown field "mode.paths": a "pack" mode takes dir/],
    ['paths: "src"', (cwd) => ({ cwd, mode: { kind: "worktree", paths: "src" } }), /"mode.paths" must be an array of strings.*got a string/],
    ["paths holding a number", (cwd) => ({ cwd, mode: { kind: "worktree", paths: ["src", 5] } }), /"mode.paths" must be an array of strings/],
    ['bundles: "dist"', (cwd) => ({ cwd, mode: { kind: "worktree", bundles: "dist" } }), /"mode.bundles" must be an array of strings/],
    ["stdin given, - not among paths", (cwd) => ({ cwd, mode: { kind: "worktree", paths: ["src/p.js"], stdin: (async function* () { yield Buffer.from("x"); })() } }), /"mode.stdin" was given but "mode.paths" does not hold "-"/],
    ["stdin not a stream", (cwd) => ({ cwd, mode: { kind: "worktree", paths: ["-"], stdin: "text" } }), /"mode.stdin" must be an async iterable/],
    ["stdinFilename without -", (cwd) => ({ cwd, mode: { kind: "worktree", paths: ["src"], stdinFilename: "a.js" } }), /"mode.stdinFilename" was given but "mode.paths" does not hold "-"/],
    ['failOnExisting: "yes"', (cwd) => ({ cwd, mode: { kind: "staged", failOnExisting: "yes" } }), /"mode.failOnExisting" must be true or false/],
    ['revisions: "HEAD"', (cwd) => ({ cwd, mode: { kind: "history", revisions: "HEAD" } }), /"mode.revisions" must be an array of strings/],
    ["pre-push without refs", (cwd) => ({ cwd, mode: { kind: "pre-push" } }), /"mode.refs" is missing: it must be a string \(the pre-push hook's standard input/],
    ["pre-push refs as a Buffer", (cwd) => ({ cwd, mode: { kind: "pre-push", refs: Buffer.from("") } }), /"mode.refs" must be a string.*got an object/],
    ["pre-receive without updates", (cwd) => ({ cwd, mode: { kind: "pre-receive" } }), /"mode.updates" is missing/],
    ["pre-receive signal not an AbortSignal", (cwd) => ({ cwd, mode: { kind: "pre-receive", updates: "", signal: {} } }), /"mode.signal" must be an AbortSignal/],
    ["pre-receive lfs neither pointer-only nor { objects }", (cwd) => ({ cwd, mode: { kind: "pre-receive", updates: "", lfs: "skip" } }), /"mode.lfs" must be "pointer-only" or \{ objects/],
    ["pre-receive acceptedRefs not ref patterns", (cwd) => ({ cwd, mode: { kind: "pre-receive", updates: "", acceptedRefs: ["--all"] } }), /"mode.acceptedRefs" must be an array of ref patterns/],
    ["ci range: 5", (cwd) => ({ cwd, mode: { kind: "ci", range: 5 } }), /"mode.range" must be a string .*got 5/],
    ["pack dir: 1", (cwd) => ({ cwd, mode: { kind: "pack", dir: 1 } }), /"mode.dir" must be a non-empty string/],
  ];
  it.each(cases)("%s is a UsageError naming the field", async (_, options, message) => {
    const error = await rejected(options(dir()));
    expect(error.message).toMatch(message);
  });

  it("a message names the kind of value given, never the value (it may be a key)", async () => {
    const key = makeKey();
    const cwd = dir();
    for (const options of [{ cwd, includePlaceholders: key }, { cwd, env: { TOKEN: [key] } }, { cwd, mode: { kind: "ci", range: [key] } }, { cwd, mode: { kind: "worktree", [key]: true } }, { cwd, [key]: 1 }]) {
      const error = await rejected(options);
      expect(error.message).not.toContain(key.slice("lmnfl_".length));
    }
  });

  it("fields set to undefined count as not given; valid options of every mode still scan", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "hi\n" } });
    const cwd = createDir({ "src/a.js": `const k = "${key}";\n` });
    const worktree = await scan({ cwd, jobs: 1, verify: false, includePlaceholders: undefined, config: undefined, configFile: undefined, mode: { kind: "worktree", paths: ["src"], stdin: undefined } });
    expect(worktree.findings.map((finding) => finding.ruleId)).toEqual(["lumenfall-key"]);
    const env = { ...process.env, GITHUB_ACTIONS: undefined, GITLAB_CI: undefined, CI: undefined };
    expect((await scan({ cwd: repo, env, mode: { kind: "staged", failOnExisting: true } })).mode).toBe("staged");
    expect((await scan({ cwd: repo, env, mode: { kind: "history", revisions: ["HEAD"] } })).stats.commits).toBe(1);
    expect((await scan({ cwd: repo, env, mode: { kind: "pre-push", refs: "" } })).mode).toBe("pre-push");
    const stdin = (async function* () {
      yield Buffer.from(`k = "${key}"\n`);
    })();
    const piped = await scan({ cwd, mode: { kind: "worktree", paths: ["-"], stdin, stdinFilename: "a.env" } });
    expect(piped.findings.map((finding) => finding.file)).toEqual(["a.env"]);
  });
});

describe("findingMessage and rule meta for API users", () => {
  it("runScan's ruleMeta knows the config's custom patterns: findingMessage(finding, run) renders their findings", async () => {
    const secret = `acme_${randomString(36)}`;
    const cwd = createDir({ "src/a.js": `const a = "${secret}";\nconst k = "${makeKey()}";\n` });
    const config = { customPatterns: [{ id: "acme-token", regex: "acme_[A-Za-z0-9]{32,}", keywords: ["acme_"], description: "Acme tokens reach billing.", revokeUrl: "https://acme.example/tokens" }] };
    const run = await runScan({ cwd, config, mode: { kind: "worktree", paths: ["src"] } });
    const acme = run.result.findings.find((finding) => finding.ruleId === "acme-token")!;
    expect(findingMessage(acme, run)).toMatch(/^Secret matching custom pattern acme-token: acme…\w{4}$/);
    expect(findingMessage(acme, run)).not.toContain(secret);
    expect(run.ruleMeta("acme-token")).toMatchObject({ id: "acme-token", why: "Acme tokens reach billing.", revokeUrl: "https://acme.example/tokens" });
    // Without a run, the built-in rules' templates; a custom rule's finding falls back to its id and values.
    const builtIn = run.result.findings.find((finding) => finding.ruleId === "lumenfall-key")!;
    expect(findingMessage(builtIn)).toBe(findingMessage(builtIn, run));
    expect(findingMessage(builtIn)).toMatch(/Lumenfall API key lmnfl_\w+\.…\w{4} is hard-coded here/);
    expect(findingMessage(acme)).toMatch(/^acme-token\/found \(/);
    expect(rules.map((rule) => rule.meta.id)).toContain("lumenfall-key");
  });
});
