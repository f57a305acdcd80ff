import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Worker } from "node:worker_threads";
import { fingerprintSecret as fingerprintKey } from "../src/engine/fingerprint.js";
import { runScan } from "../src/scan.js";
import type { WorkerInput, WorkerResult } from "../src/sources/threads.js";
import { verifyEndpoint } from "../src/verify/endpoint.js";
import { retryDelay, verifyKeys } from "../src/verify/verify-keys.js";
import { pinnedTls } from "../src/verify/transport.js";
import { runCli } from "./helpers/cli.js";
import { keyIdOf, makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git } from "./helpers/repo.js";
import { selfSignedCertificate, startVerifyServer, type Certificate, type Reply, type VerifyServer } from "./helpers/verify-server.js";

/** `--verify` and `--only-live` against real servers on 127.0.0.1. */

let certificate: Certificate;
const servers: VerifyServer[] = [];

beforeAll(() => {
  certificate = selfSignedCertificate();
});
afterAll(() => certificate.dispose());
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function serve(reply: (key: string, nth: number) => Reply, tls = false): Promise<VerifyServer> {
  const server = await startVerifyServer(reply, tls ? certificate : undefined);
  servers.push(server);
  return server;
}

/** Answers by key: the status given for it, 404 (unknown) for any other. */
function byKey(statuses: Map<string, number>): (key: string) => Reply {
  return (key) => ({ status: statuses.get(key) ?? 404 });
}

interface JsonReport {
  findings: Array<{ file: string; ruleId: string; verified?: string; secret?: { fingerprint: string } }>;
  warnings: Array<{ code: string; message: string }>;
}

function expectNoKey(text: string, keys: string[]): void {
  for (const key of keys) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.split(".")[1]);
  }
}

describe("--verify in the CLI", () => {
  it("maps 200 → live, 401/403 → revoked, anything else → unknown, over HTTPS with the test CA; the key only in the header", async () => {
    const [live, revoked401, revoked403, unknown] = [makeKey(), makeKey(), makeKey(), makeKey()];
    const server = await serve(byKey(new Map([[live, 200], [revoked401, 401], [revoked403, 403], [unknown, 404]])), true);
    const dir = createDir({ "a.ts": `const a = "${live}";\n`, "b.ts": `const b = "${revoked401}";\n`, "c.ts": `const c = "${revoked403}";\n`, "d.ts": `const d = "${unknown}";\n` });
    const env = { LUMENGUARD_VERIFY_URL: server.url, LUMENGUARD_VERIFY_CA: certificate.caFile };

    const json = await runCli(["scan", "--verify", "--format", "json", "--output", "report.json"], { cwd: dir, env });
    expect(json.code).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as JsonReport;
    expect(Object.fromEntries(report.findings.map((f) => [f.file, f.verified]))).toEqual({ "a.ts": "live", "b.ts": "revoked", "c.ts": "revoked", "d.ts": "unknown" });
    expect(report.warnings.map((w) => w.code)).toEqual(["verify-unknown"]);
    expect(report.warnings[0]?.message).toContain(`key id ${keyIdOf(unknown)} (last four ${unknown.slice(-4)}) is live (HTTP 404)`);
    // Server side: one GET per key on the models path, each with the key as a Bearer token.
    expect(server.paths.every((path) => path === "/openai/v1/models")).toBe(true);
    expect(server.authorizations.sort()).toEqual([live, revoked401, revoked403, unknown].map((key) => `Bearer ${key}`).sort());

    const text = await runCli(["scan", "--verify"], { cwd: dir, env });
    expect(text.stdout).toMatch(/revoke lmnfl_\S+ \(key id .*\) at \S+ {2}\[live — revoke now\]/);
    expect(text.stdout).toContain("[revoked]");
    expect(text.stdout).toContain("[unknown — could not verify]");
    expect(text.stdout).toContain("1 live key");
    for (const output of [json.stdout, json.stderr, text.stdout, text.stderr, readFileSync(join(dir, "report.json"), "utf8")]) {
      expectNoKey(output, [live, revoked401, revoked403, unknown]);
    }
  });

  it("sends one request per distinct key, however many files hold it", async () => {
    const [shared, other] = [makeKey(), makeKey()];
    const server = await serve(() => ({ status: 200 }));
    const dir = createDir({ "a.ts": `"${shared}"`, "b/b.env": `KEY=${shared}\n`, "c.json": `{"k":"${shared}","o":"${other}"}`, "d.txt": Buffer.from(shared).toString("base64") });
    const { code, stdout } = await runCli(["scan", "--verify", "--format", "json"], { cwd: dir, env: { LUMENGUARD_VERIFY_URL: server.url } });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.findings.filter((f) => f.secret).length).toBeGreaterThanOrEqual(5);
    expect(report.findings.filter((f) => f.secret).every((f) => f.verified === "live")).toBe(true);
    expect(server.authorizations.sort()).toEqual([`Bearer ${shared}`, `Bearer ${other}`].sort());
  });

  it("keys found by worker threads reach the verifier too (each once)", async () => {
    const keys = Array.from({ length: 6 }, () => makeKey());
    const files: Record<string, string> = {};
    // Big enough that the helper threads, which boot while the tree is listed, get files to scan.
    const filler = `export const filler = "${"x".repeat(64)}";\n`.repeat(1_000);
    for (let i = 0; i < 480; i++) files[`src/f${i}.ts`] = filler;
    keys.forEach((key, i) => {
      files[`src/f${i * 80}.ts`] = `${filler}export const k = "${key}";\n`;
      files[`src/f${i * 80 + 79}.ts`] = `${filler}export const k = "${key}";\n`;
    });
    const dir = createDir(files);
    const server = await serve(() => ({ status: 200 }));
    const run = await runScan({ cwd: dir, mode: { kind: "worktree", paths: ["."] }, jobs: 3, env: { ...process.env, LUMENGUARD_VERIFY_URL: server.url }, verify: true });
    expect(run.result.findings).toHaveLength(12);
    expect(run.result.findings.every((f) => f.verified === "live")).toBe(true);
    expect(server.authorizations.sort()).toEqual(keys.map((key) => `Bearer ${key}`).sort());
    expectNoKey(JSON.stringify(run), keys);
  });

  it("a scanning thread sends the keys it found back in its result message, one per fingerprint", async () => {
    const [key, placeholderless] = [makeKey(), makeKey()];
    const dir = createDir({ "a.ts": `"${key}" "${key}"`, "b.ts": `"${placeholderless}"`, "c.ts": "nothing" });
    const files = ["a.ts", "b.ts", "c.ts"].map((name) => ({ file: { path: name, kind: "tracked" as const, absPath: join(dir, name) }, followSymlinks: false }));
    const worker = new Worker(new URL("../lib/src/sources/disk-worker.js", import.meta.url));
    const answer = new Promise<WorkerResult>((resolve) => worker.once("message", resolve));
    const input: WorkerInput = { files, config: {}, configDir: dir, includePlaceholders: false, counter: new SharedArrayBuffer(4), collectKeys: true, prefilter: true };
    worker.postMessage(input);
    const result = await answer;
    await worker.terminate();
    expect(result.scanned.flatMap((scanned) => scanned.outcome.findings)).toHaveLength(3);
    expect(result.quietFiles).toBe(1);
    expect(new Map(result.keys)).toEqual(new Map([[fingerprintKey(key), key], [fingerprintKey(placeholderless), placeholderless]]));
    expectNoKey(JSON.stringify(result.scanned), [key, placeholderless]);
  });

  it("without --verify a scanning thread sends no keys back", async () => {
    const dir = createDir({ "a.ts": `"${makeKey()}"` });
    const worker = new Worker(new URL("../lib/src/sources/disk-worker.js", import.meta.url));
    const answer = new Promise<WorkerResult>((resolve) => worker.once("message", resolve));
    const files = [{ file: { path: "a.ts", kind: "tracked" as const, absPath: join(dir, "a.ts") }, followSymlinks: false }];
    worker.postMessage({ files, config: {}, configDir: dir, includePlaceholders: false, counter: new SharedArrayBuffer(4), collectKeys: false, prefilter: true } satisfies WorkerInput);
    const result = await answer;
    await worker.terminate();
    expect(result.scanned.flatMap((scanned) => scanned.outcome.findings)).toHaveLength(1);
    expect(result.keys).toEqual([]);
  });

  it("verifies keys found in git history", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "old.ts": `const k = "${key}";\n` } });
    const server = await serve(() => ({ status: 401 }));
    const { stdout } = await runCli(["scan", "--history", "--verify", "--format", "json"], { cwd: repo, env: { LUMENGUARD_VERIFY_URL: server.url } });
    expect((JSON.parse(stdout) as JsonReport).findings.map((f) => f.verified)).toEqual(["revoked"]);
    expect(server.authorizations).toEqual([`Bearer ${key}`]);
  });

  it("--only-live leaves out only keys verified revoked; a key that could not be verified is kept (and implies --verify)", async () => {
    const [live, revoked, unknown] = [makeKey(), makeKey(), makeKey()];
    const server = await serve(byKey(new Map([[live, 200], [revoked, 401], [unknown, 503]])));
    const dir = createDir({ "live.ts": `"${live}"`, "revoked.ts": `"${revoked}"`, "x.ts": `"${unknown}"` });
    const { code, stdout, stderr } = await runCli(["scan", "--only-live", "--format", "json"], { cwd: dir, env: { LUMENGUARD_VERIFY_URL: server.url } });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as JsonReport;
    expect(report.findings.map((f) => [f.file, f.verified])).toEqual([["live.ts", "live"], ["x.ts", "unknown"]]);
    expect(stderr).toContain("--only-live: 1 finding(s) not shown (key verified revoked, or no key)");
    expect(stderr).toContain("--only-live: 1 finding(s) kept because their key could not be verified");

    const dead = createDir({ "revoked.ts": `"${revoked}"` });
    const none = await runCli(["scan", "--verify", "--only-live"], { cwd: dead, env: { LUMENGUARD_VERIFY_URL: server.url } });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain("No Lumenfall keys found");
  });

  it("--only-live fails closed when the API cannot be reached: every key is kept and the gate fails (--staged, history)", async () => {
    // The stand-in, started and stopped: its port now refuses connections.
    const down = await startVerifyServer(() => ({ status: 200 }));
    await down.close();
    const key = makeKey();
    const repo = createRepo({ committed: { "old.ts": `const k = "${key}";\n` } });
    const env = { LUMENGUARD_VERIFY_URL: down.url };
    const history = await runCli(["scan", "--history", "--only-live", "--format", "json"], { cwd: repo, env });
    expect(history.code).toBe(1);
    expect((JSON.parse(history.stdout) as JsonReport).findings.map((f) => [f.file, f.verified])).toEqual([["old.ts", "unknown"]]);
    expect(history.stderr).toMatch(/could not tell whether key id \w+ .*is live/);
    expect(history.stderr).toContain("--only-live: 1 finding(s) kept because their key could not be verified (treated as live)");
    expectNoKey(history.stdout + history.stderr, [key]);
    writeFileSync(join(repo, "new.ts"), `const j = "${makeKey()}";\n`);
    git(repo, ["add", "new.ts"]);
    const staged = await runCli(["scan", "--staged", "--only-live"], { cwd: repo, env });
    expect(staged.code).toBe(1);
    expect(staged.stdout).toContain("[unknown — could not verify]");
  });

  it("without --verify, no request is made and no finding says verified", async () => {
    const server = await serve(() => ({ status: 200 }));
    const dir = createDir({ "a.ts": `"${makeKey()}"` });
    const { code, stdout } = await runCli(["scan", "--format", "json"], { cwd: dir, env: { LUMENGUARD_VERIFY_URL: server.url } });
    expect(code).toBe(1);
    expect((JSON.parse(stdout) as JsonReport).findings[0]?.verified).toBeUndefined();
    expect(server.authorizations).toEqual([]);
  });

  it("suppressed keys and placeholders are never sent", async () => {
    const allowed = makeKey();
    const server = await serve(() => ({ status: 200 }));
    const dir = createDir({ "a.ts": `const k = "${allowed}"; // lumenguard-allow: test fixture\nconst p = "lmnfl_your_api_key.xyz7890abcdefghijk";\n` });
    const { code } = await runCli(["scan", "--verify", "--include-placeholders"], { cwd: dir, env: { LUMENGUARD_VERIFY_URL: server.url } });
    expect(code).toBe(0);
    expect(server.authorizations).toEqual([]);
  });

  it.each([
    ["https://api.example.com/openai/v1/models", "LUMENGUARD_VERIFY_URL"],
    ["http://127.0.0.1.evil.test/models", "LUMENGUARD_VERIFY_URL"],
    ["ftp://127.0.0.1/models", "LUMENGUARD_VERIFY_URL"],
    ["not a url", "LUMENGUARD_VERIFY_URL"],
  ])("refuses the override %s with exit 2, naming the variable", async (url, variable) => {
    const key = makeKey();
    const dir = createDir({ "a.ts": `"${key}"` });
    const { code, stderr, stdout } = await runCli(["scan", "--verify"], { cwd: dir, env: { LUMENGUARD_VERIFY_URL: url } });
    expect(code).toBe(2);
    expect(stderr).toContain(variable);
    expectNoKey(stdout + stderr, [key]);
  });

  it("refuses a CA file without a loopback override (the real host is never trusted from the environment)", async () => {
    const dir = createDir({ "a.ts": `"${makeKey()}"` });
    const { code, stderr } = await runCli(["scan", "--verify"], { cwd: dir, env: { LUMENGUARD_VERIFY_CA: certificate.caFile } });
    expect(code).toBe(2);
    expect(stderr).toContain("LUMENGUARD_VERIFY_CA");
  });
});

describe("verifyKeys", () => {
  const fast = { timeoutMs: 2_000, backoffMs: 20, maxDelayMs: 100 };

  it("retries a 429 and honours Retry-After only up to the cap", async () => {
    const key = makeKey();
    const server = await serve((_, nth) => (nth === 1 ? { status: 429, headers: { "retry-after": "30" } } : { status: 200 }));
    const started = Date.now();
    const verdicts = await verifyKeys(new Map([["fp", key]]), { url: new URL(server.url) }, fast);
    expect(verdicts.get("fp")).toEqual({ verdict: "live" });
    expect(server.authorizations).toEqual([`Bearer ${key}`, `Bearer ${key}`]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("gives up on 5xx after the bounded attempts: unknown", async () => {
    const server = await serve(() => ({ status: 502 }));
    const verdicts = await verifyKeys(new Map([["fp", makeKey()]]), { url: new URL(server.url) }, { ...fast, attempts: 3 });
    expect(verdicts.get("fp")).toEqual({ verdict: "unknown", detail: "HTTP 502 after 3 tries" });
    expect(server.authorizations).toHaveLength(3);
  });

  it("a slow server times out: unknown, in bounded time", async () => {
    const server = await serve(() => ({ status: 200, delayMs: 5_000 }));
    const started = Date.now();
    const verdicts = await verifyKeys(new Map([["fp", makeKey()]]), { url: new URL(server.url) }, { ...fast, timeoutMs: 200 });
    expect(verdicts.get("fp")).toEqual({ verdict: "unknown", detail: "timed out after 200 ms" });
    expect(server.authorizations).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("network errors are unknown, with the error code only", async () => {
    const server = await serve(() => ({ status: 200 }));
    const url = new URL(server.url);
    await server.close();
    const verdicts = await verifyKeys(new Map([["fp", makeKey()]]), { url }, fast);
    expect(verdicts.get("fp")).toEqual({ verdict: "unknown", detail: "ECONNREFUSED" });
  });

  it("a self-signed server without the test CA is unknown (TLS is verified)", async () => {
    const server = await serve(() => ({ status: 200 }), true);
    const verdicts = await verifyKeys(new Map([["fp", makeKey()]]), { url: new URL(server.url) }, fast);
    expect(verdicts.get("fp")?.verdict).toBe("unknown");
    expect(server.authorizations).toEqual([]);
  });

  it("redirects are not followed", async () => {
    const server = await serve(() => ({ status: 302, headers: { location: "http://127.0.0.1:1/elsewhere" } }));
    const verdicts = await verifyKeys(new Map([["fp", makeKey()]]), { url: new URL(server.url) }, fast);
    expect(verdicts.get("fp")).toEqual({ verdict: "unknown", detail: "HTTP 302 (redirects are not followed)" });
    expect(server.authorizations).toHaveLength(1);
  });

  it("keeps at most 4 requests in flight, even when asked for more", async () => {
    const server = await serve(() => ({ status: 200, delayMs: 80 }));
    const keys = new Map(Array.from({ length: 14 }, (_, i) => [`fp${i}`, makeKey()] as [string, string]));
    const verdicts = await verifyKeys(keys, { url: new URL(server.url) }, { ...fast, concurrency: 16 });
    expect([...verdicts.values()].every((v) => v.verdict === "live")).toBe(true);
    expect(server.authorizations).toHaveLength(14);
    expect(server.maxInFlight).toBe(4);
  });

  it("backoff doubles and every wait is capped", () => {
    const settings = { backoffMs: 500, maxDelayMs: 5_000 };
    expect([1, 2, 3, 6].map((attempt) => retryDelay(undefined, attempt, settings))).toEqual([500, 1_000, 2_000, 5_000]);
    expect(retryDelay("2", 1, settings)).toBe(2_000);
    expect(retryDelay("3600", 1, settings)).toBe(5_000);
    expect(retryDelay(new Date(Date.now() - 10_000).toUTCString(), 1, settings)).toBe(0);
  });
});

describe("verifyEndpoint", () => {
  it("is the Lumenfall API over HTTPS unless a loopback override is set", () => {
    expect(verifyEndpoint({}).url.href).toBe("https://api.lumenfall.ai/openai/v1/models");
    for (const url of ["http://127.0.0.1:8080/m", "https://localhost/m", "http://[::1]:9/m"]) expect(verifyEndpoint({ LUMENGUARD_VERIFY_URL: url }).url.href).toBe(url);
    expect(() => verifyEndpoint({ LUMENGUARD_VERIFY_URL: "https://api.lumenfall.ai.evil.test/m" })).toThrow(/LUMENGUARD_VERIFY_URL/);
    expect(() => verifyEndpoint({ LUMENGUARD_VERIFY_URL: "http://user:pw@127.0.0.1/m" })).toThrow(/LUMENGUARD_VERIFY_URL/);
    expect(() => verifyEndpoint({ LUMENGUARD_VERIFY_URL: "http://127.0.0.1/m", LUMENGUARD_VERIFY_CA: certificate.caFile })).toThrow(/LUMENGUARD_VERIFY_CA goes with an https/);
  });
});

describe("pinnedTls", () => {
  it("always verifies, against Node's bundled roots for the real host and only the test CA for a loopback override", () => {
    const real = pinnedTls(verifyEndpoint({}));
    expect([real.rejectUnauthorized, real.minVersion, real.checkServerIdentity]).toEqual([true, "TLSv1.2", tls.checkServerIdentity]);
    expect(real.ca).toEqual([...tls.rootCertificates]);
    const loopback = pinnedTls(verifyEndpoint({ LUMENGUARD_VERIFY_URL: "https://127.0.0.1:9/m", LUMENGUARD_VERIFY_CA: certificate.caFile }));
    expect([loopback.rejectUnauthorized, loopback.ca]).toEqual([true, certificate.cert]);
  });
});
