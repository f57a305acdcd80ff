import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KEY_ROTATION_RULE_ID, daysBetween } from "../rules/key-rotation-due.js";
import { scan } from "../src/index.js";
import { firstSeenByKey, recordSightings, utcDay } from "../src/sources/key-ages.js";
import { runCli } from "./helpers/cli.js";
import { message } from "./helpers/engine.js";
import { recipe } from "./helpers/readme.js";
import { keyIdOf, makeDotlessKey, makeKey } from "./helpers/keys.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * `key-rotation-due` on real repositories: env files tracked, untracked and ignored, key ages
 * planted in the state file (`.git/lumenguard/key-ages.json`) before a real `lumenguard scan`,
 * and the state file read back after it.
 */
const DAY_MS = 24 * 60 * 60 * 1000;
const fingerprint = (key: string) => createHash("sha256").update(key, "utf8").digest("hex");
const daysAgo = (days: number) => utcDay(new Date(Date.now() - days * DAY_MS));
const today = () => utcDay(new Date());
const STATE = ".git/lumenguard/key-ages.json";
const ROTATION = JSON.stringify({ rotation: { maxAgeDays: 90 } });

interface Found {
  ruleId: string;
  severity: string;
  messageId: string;
  data: Record<string, string | number>;
  file: string;
  line: number;
  column: number;
  message: string;
  secret?: { keyId: string | null; lastFour: string };
}

/** A repository whose .gitignore ignores `.env` and `.env.local`; `.env.production` is committed, `.env.development` left untracked. */
function repoWithEnvFiles(env: Record<string, string>, config = ROTATION): string {
  const dir = createRepo({ committed: { ".gitignore": ".env\n.env.local\n", "lumenguard.config.json": config } });
  writeFiles(dir, env);
  if (env[".env.production"] !== undefined) {
    git(dir, ["add", ".env.production"]);
    git(dir, ["commit", "-q", "-m", "production env"]);
  }
  return dir;
}

function plant(dir: string, files: Record<string, Record<string, string>>): void {
  mkdirSync(join(dir, ".git/lumenguard"), { recursive: true });
  writeFileSync(join(dir, STATE), JSON.stringify({ version: 1, files }));
}

async function rotationFindings(dir: string, args: string[] = []): Promise<{ findings: Found[]; warnings: string[]; code: number }> {
  const outcome = await runCli(["scan", ...args, "--format", "json"], { cwd: dir });
  expect(outcome.stderr).not.toContain("internal error");
  const report = JSON.parse(outcome.stdout) as { findings: Found[]; warnings: Array<{ message: string }> };
  return { findings: report.findings.filter((f) => f.ruleId === KEY_ROTATION_RULE_ID), warnings: report.warnings.map((w) => w.message), code: outcome.code };
}

const state = (dir: string) => JSON.parse(readFileSync(join(dir, STATE), "utf8")) as { version: number; files: Record<string, Record<string, string>> };

describe("key-rotation-due", () => {
  it("reports keys older than maxAgeDays in tracked, untracked and ignored env files — at the key, with the file, identity, age and rotation steps", async () => {
    const ignored = makeKey();
    const tracked = makeKey();
    const untracked = makeKey();
    const young = makeKey();
    const fresh = makeKey();
    const dir = repoWithEnvFiles({
      ".env": `# local\nLUMENFALL_API_KEY=${ignored}\n`,
      ".env.production": `LUMENFALL_API_KEY=${tracked}\n`,
      ".env.development": `DEBUG=1\nLUMENFALL_API_KEY=${untracked}\nOTHER_KEY=${young}\n`,
      ".env.local": `LUMENFALL_API_KEY=${fresh}\n`,
    });
    plant(dir, {
      ".env": { [fingerprint(ignored)]: daysAgo(120) },
      ".env.production": { [fingerprint(tracked)]: daysAgo(400) },
      ".env.development": { [fingerprint(untracked)]: daysAgo(91), [fingerprint(young)]: daysAgo(90) },
    });
    const { findings, code } = await rotationFindings(dir);
    expect(findings.map((f) => ({ file: f.file, line: f.line, column: f.column, severity: f.severity, messageId: f.messageId, age: f.data["age"] }))).toEqual([
      { file: ".env", line: 2, column: 19, severity: "low", messageId: "due", age: 120 },
      { file: ".env.development", line: 2, column: 19, severity: "low", messageId: "due", age: 91 },
      { file: ".env.production", line: 1, column: 19, severity: "low", messageId: "due", age: 400 },
    ]);
    // Other rules still fire (the tracked and the unignored env file); rotation alone would not fail the build (low < medium).
    expect(code).toBe(1);
    const first = findings[0]!;
    expect(first.data).toEqual({
      redacted: `lmnfl_${keyIdOf(ignored)}.…${ignored.slice(-4)}`,
      identity: `key id ${keyIdOf(ignored)}, last four ${ignored.slice(-4)}`,
      file: ".env",
      age: 120,
      since: daysAgo(120),
      maxAgeDays: 90,
    });
    expect(first.message).toBe(
      `Lumenfall API key lmnfl_${keyIdOf(ignored)}.…${ignored.slice(-4)} (key id ${keyIdOf(ignored)}, last four ${ignored.slice(-4)}) in .env has been in use for 120 days (first seen ${daysAgo(120)}), more than rotation.maxAgeDays (90): rotate it — create a new key, deploy it, then revoke this one`,
    );
    expect(message(first as never)).toBe(first.message);
  });

  it("the README's recipe: its config block, as written, turns rotation on", async () => {
    const key = makeKey();
    const dir = repoWithEnvFiles({ ".env": `# local settings\nLUMENFALL_API_KEY=${key}\n` }, recipe("rotation-config"));
    plant(dir, { ".env": { [fingerprint(key)]: daysAgo(120) } });
    const { findings } = await rotationFindings(dir);
    expect(findings.map((f) => [f.file, f.line, f.column, f.data["age"], f.data["maxAgeDays"]])).toEqual([[".env", 2, 19, 120, 90]]);
  });

  it("the text report gives the guide's rotation steps: create the new key, deploy it, revoke the old one", async () => {
    const key = makeKey();
    const dir = repoWithEnvFiles({ ".env": `LUMENFALL_API_KEY=${key}\n` });
    plant(dir, { ".env": { [fingerprint(key)]: daysAgo(200) } });
    const outcome = await runCli(["scan"], { cwd: dir });
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain(".env:1:19  LOW  key-rotation-due");
    expect(outcome.stdout).toContain("key-rotation-due: Rotate keys periodically (https://docs.lumenfall.ai/authentication#security-best-practices)");
    expect(outcome.stdout).toMatch(/1\. Create a new key at https:\/\/lumenfall\.ai\/app\/api_keys.*\n.*2\. Deploy it: .*\n.*3\. Revoke the old key .* once the new one works\./);
    // The line under the finding says rotate, in the guide's order, never "revoke" first.
    expect(outcome.stdout).toContain(`→ rotate lmnfl_${keyIdOf(key)}.…${key.slice(-4)}`);
    expect(outcome.stdout).toContain(": create a new key, deploy it, then revoke this one at https://");
    expect(outcome.stdout).not.toMatch(/→ revoke/);
    expect(outcome.stdout).not.toContain(key);
  });

  it("a fresh key records today and is not due; known keys keep their dates; the file holds fingerprints and dates only", async () => {
    const known = makeKey();
    const fresh = makeKey();
    const dir = repoWithEnvFiles({ ".env": `A=${known}\nB=${fresh}\n` });
    plant(dir, { ".env": { [fingerprint(known)]: daysAgo(10) } });
    expect((await rotationFindings(dir)).findings).toEqual([]);
    expect(state(dir)).toEqual({ version: 1, files: { ".env": { [fingerprint(known)]: daysAgo(10), [fingerprint(fresh)]: today() } } });
    // A second scan changes nothing: the same bytes.
    const before = readFileSync(join(dir, STATE), "utf8");
    await rotationFindings(dir);
    expect(readFileSync(join(dir, STATE), "utf8")).toBe(before);
  });

  it("without a state file, the first scan records every key as seen today and reports none", async () => {
    const key = makeKey();
    const dir = repoWithEnvFiles({ ".env": `LUMENFALL_API_KEY=${key}\n`, "apps/api/.env.local": `K=${makeKey()}\n` });
    expect((await rotationFindings(dir)).findings).toEqual([]);
    const files = state(dir).files;
    expect(Object.keys(files).sort()).toEqual([".env", "apps/api/.env.local"]);
    expect(Object.values(files).flatMap((keys) => Object.values(keys))).toEqual([today(), today()]);
  });

  it("a key moved to another env file keeps its age; a key gone from a file is forgotten there; a deleted file's entries are dropped", async () => {
    const old = makeKey();
    const replacement = makeKey();
    const gone = makeKey();
    const dir = repoWithEnvFiles({ ".env": `LUMENFALL_API_KEY=${replacement}\n`, ".env.local": `LUMENFALL_API_KEY=${old}\n` });
    plant(dir, { ".env": { [fingerprint(old)]: daysAgo(150) }, "services/.env.staging": { [fingerprint(gone)]: daysAgo(30) } });
    const { findings } = await rotationFindings(dir);
    expect(findings.map((f) => [f.file, f.data["age"]])).toEqual([[".env.local", 150]]);
    expect(state(dir)).toEqual({ version: 1, files: { ".env": { [fingerprint(replacement)]: today() }, ".env.local": { [fingerprint(old)]: daysAgo(150) } } });
  });

  it("dotless keys and keys allowed inline are tracked too (an allowed one is not reported); templates and placeholders are not", async () => {
    const dotless = makeDotlessKey();
    const allowed = makeKey();
    const dir = repoWithEnvFiles({
      ".env": `TOKEN=${dotless}\nOLD=${allowed} # lumenguard-allow: kept for a migration\nDOCS=lmnfl_your_api_key\n`,
      ".env.example": `LUMENFALL_API_KEY=lmnfl_abc123.xyz789\n`,
    });
    plant(dir, { ".env": { [fingerprint(dotless)]: daysAgo(100), [fingerprint(allowed)]: daysAgo(100) } });
    const { findings } = await rotationFindings(dir);
    // The allowed key is tracked, and its rotation finding is allowed by its marker like any other.
    expect(findings.map((f) => [f.file, f.line, f.data["identity"]])).toEqual([[".env", 1, `dotless key, last four ${dotless.slice(-4)}`]]);
    expect(Object.keys(state(dir).files)).toEqual([".env"]);
    expect(Object.keys(state(dir).files[".env"]!).sort()).toEqual([fingerprint(dotless), fingerprint(allowed)].sort());
  });

  it("is off unless rotation is set: no finding, and no state file is written", async () => {
    const key = makeKey();
    const dir = repoWithEnvFiles({ ".env": `LUMENFALL_API_KEY=${key}\n` }, "{}");
    plant(dir, { ".env": { [fingerprint(key)]: daysAgo(500) } });
    const before = readFileSync(join(dir, STATE), "utf8");
    expect((await rotationFindings(dir)).findings).toEqual([]);
    expect(readFileSync(join(dir, STATE), "utf8")).toBe(before);
    const fresh = repoWithEnvFiles({ ".env": `LUMENFALL_API_KEY=${makeKey()}\n` }, "{}");
    await rotationFindings(fresh);
    expect(existsSync(join(fresh, ".git/lumenguard"))).toBe(false);
  });

  it("rules: { key-rotation-due: off } turns it off; a severity replaces low", async () => {
    const key = makeKey();
    const off = repoWithEnvFiles({ ".env": `K=${key}\n` }, JSON.stringify({ rotation: { maxAgeDays: 90 }, rules: { "key-rotation-due": "off" } }));
    plant(off, { ".env": { [fingerprint(key)]: daysAgo(100) } });
    expect((await rotationFindings(off)).findings).toEqual([]);
    const medium = repoWithEnvFiles({ ".env": `K=${key}\n` }, JSON.stringify({ rotation: { maxAgeDays: 90 }, rules: { "key-rotation-due": "medium" } }));
    plant(medium, { ".env": { [fingerprint(key)]: daysAgo(100) } });
    const { findings, code } = await rotationFindings(medium);
    expect(findings.map((f) => f.severity)).toEqual(["medium"]);
    expect(code).toBe(1);
  });

  it("staged and history scans neither report rotation nor touch the state file", async () => {
    const key = makeKey();
    const dir = repoWithEnvFiles({ ".env.production": `K=${key}\n` });
    plant(dir, { ".env.production": { [fingerprint(key)]: daysAgo(365) } });
    const before = readFileSync(join(dir, STATE), "utf8");
    writeFiles(dir, { "a.txt": "x\n" });
    git(dir, ["add", "a.txt"]);
    expect((await rotationFindings(dir, ["--staged"])).findings).toEqual([]);
    expect((await rotationFindings(dir, ["--history"])).findings).toEqual([]);
    expect(readFileSync(join(dir, STATE), "utf8")).toBe(before);
  });

  it("finds every due key when the tree is read by several threads (collected on workers, concluded on the main thread)", async () => {
    const keys = Array.from({ length: 12 }, () => makeKey());
    const files: Record<string, string> = {};
    for (let i = 0; i < 450; i++) files[`src/m${i}.ts`] = `export const n${i} = ${i};\n`;
    keys.forEach((key, i) => (files[`apps/a${i}/.env`] = `LUMENFALL_API_KEY=${key}\n`));
    const dir = repoWithEnvFiles(files);
    plant(dir, Object.fromEntries(keys.map((key, i) => [`apps/a${i}/.env`, { [fingerprint(key)]: daysAgo(100 + i) }])));
    const result = await scan({ cwd: dir, prefilter: false, jobs: 2 });
    const due = result.findings.filter((f) => f.ruleId === KEY_ROTATION_RULE_ID);
    expect(due.map((f) => [f.file, f.data["age"]])).toEqual(keys.map((_, i) => [`apps/a${i}/.env`, 100 + i]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
  });
});

describe("key-rotation-due: the state file", () => {
  it("never holds a key in any encoding: plain, base64 (each alignment), percent-, JSON-escaped; lumenguard finds nothing in it", async () => {
    const keys = [makeKey(), makeKey(), makeDotlessKey()];
    const dir = repoWithEnvFiles({ ".env": `A=${keys[0]}\n`, ".env.production": `B=${keys[1]}\n`, ".env.development": `C=${keys[2]}\n` });
    await rotationFindings(dir);
    const text = readFileSync(join(dir, STATE), "utf8");
    expect(Object.keys(state(dir).files).sort()).toEqual([".env", ".env.development", ".env.production"]);
    for (const key of keys) {
      const secret = key.slice(key.indexOf(".") + 1);
      const forms = [
        key,
        secret,
        key.replace(".", "%2E"),
        [...key].map((char) => `%${char.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
        key.replace(".", "\\u002e"),
        [...key].map((char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`).join(""),
        JSON.stringify(key).slice(1, -1),
        ...[0, 1, 2].map((shift) => Buffer.from(`${" ".repeat(shift)}${key}`).toString("base64").slice(4, -4)),
        ...[0, 1, 2].map((shift) => Buffer.from(`${" ".repeat(shift)}${key}`).toString("base64url").slice(4, -4)),
      ];
      for (const form of forms) expect(text.includes(form), `a form of the key is in the state file: ${form.slice(0, 12)}…`).toBe(false);
      if (key.includes(".")) expect(text).not.toContain(keyIdOf(key));
    }
    expect(text).toMatch(/^\{\n {2}"version": 1,\n {2}"files": \{/);
    const scanned = await runCli(["scan", STATE, "--format", "json"], { cwd: dir });
    expect(JSON.parse(scanned.stdout).findings).toEqual([]);
  });

  it("a state file that is a link is neither read nor written through; the scan says so and goes on", async () => {
    const key = makeKey();
    const dir = repoWithEnvFiles({ ".env": `K=${key}\n` });
    const elsewhere = join(createDir(), "target.json");
    writeFileSync(elsewhere, "not ours\n");
    mkdirSync(join(dir, ".git/lumenguard"), { recursive: true });
    symlinkSync(elsewhere, join(dir, STATE));
    const { findings, warnings, code } = await rotationFindings(dir);
    expect(findings).toEqual([]);
    expect(code).toBe(0);
    expect(warnings.join("\n")).toMatch(/key ages were not checked: refusing to write .*key-ages\.json: it is a symbolic link/);
    expect(lstatSync(join(dir, STATE)).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, STATE))).toBe(elsewhere);
    expect(readFileSync(elsewhere, "utf8")).toBe("not ours\n");
  });

  it("a .git/lumenguard folder that is a link is refused the same way", async () => {
    const dir = repoWithEnvFiles({ ".env": `K=${makeKey()}\n` });
    const outside = createDir();
    symlinkSync(outside, join(dir, ".git/lumenguard"));
    const { warnings } = await rotationFindings(dir);
    expect(warnings.join("\n")).toMatch(/key ages were not checked: refusing to write .*lumenguard: it is a symbolic link/);
    expect(existsSync(join(outside, "key-ages.json"))).toBe(false);
  });

  it("a folder whose .git is a link to another repository's git directory: nothing is written there, and the scan says why", async () => {
    const other = createRepo({ committed: { "README.md": "mine\n" } });
    const dir = createDir({ "lumenguard.config.json": ROTATION, ".gitignore": ".env\n", ".env": `K=${makeKey()}\n` });
    symlinkSync(join(other, ".git"), join(dir, ".git"));
    const { warnings, code } = await rotationFindings(dir);
    expect(code).toBe(0);
    expect(warnings.join("\n")).toMatch(/key ages were not checked: .*\.git is not a directory \(a symbolic link, or missing\)/);
    expect(existsSync(join(other, ".git/lumenguard"))).toBe(false);
  });

  it("a .git gitfile naming another repository's git directory is refused the same way", async () => {
    const other = createRepo({ committed: { "README.md": "mine\n" } });
    const dir = createDir({ "lumenguard.config.json": ROTATION, ".gitignore": ".env\n", ".env": `K=${makeKey()}\n` });
    writeFileSync(join(dir, ".git"), `gitdir: ${join(other, ".git")}\n`);
    const { warnings } = await rotationFindings(dir);
    expect(warnings.join("\n")).toMatch(/key ages were not checked: .*\.git is not the repository's git directory|does not name this folder back/);
    expect(existsSync(join(other, ".git/lumenguard"))).toBe(false);
  });

  it("a linked worktree (git worktree add) and a submodule still keep their ages in their own repository's git directory", async () => {
    const key = makeKey();
    const main = repoWithEnvFiles({});
    const linked = join(createDir(), "linked");
    git(main, ["worktree", "add", "-q", linked]);
    writeFiles(linked, { ".env": `K=${key}\n` });
    const { warnings } = await rotationFindings(linked);
    expect(warnings.join("\n")).not.toContain("key ages");
    expect(Object.keys(state(main).files)).toEqual([".env"]);
    const sub = createRepo({ committed: { ".gitignore": ".env\n", "lumenguard.config.json": ROTATION } });
    const parent = createRepo({ committed: { "README.md": "x\n" } });
    git(parent, ["-c", "protocol.file.allow=always", "submodule", "add", "-q", sub, "sub"]);
    writeFiles(join(parent, "sub"), { ".env": `K=${makeKey()}\n` });
    const inSub = await rotationFindings(join(parent, "sub"));
    expect(inSub.warnings.join("\n")).not.toContain("key ages");
    expect(existsSync(join(parent, ".git/modules/sub/lumenguard/key-ages.json"))).toBe(true);
  });

  it("a corrupt state file is left as it is, and the scan says how to start over", async () => {
    const dir = repoWithEnvFiles({ ".env": `K=${makeKey()}\n` });
    mkdirSync(join(dir, ".git/lumenguard"));
    for (const corrupt of ["{ not json", JSON.stringify({ version: 2, files: {} }), JSON.stringify({ version: 1, files: { ".env": { "lmnfl-not-a-fingerprint": "2024-01-01" } } })]) {
      writeFileSync(join(dir, STATE), corrupt);
      const { warnings } = await rotationFindings(dir);
      expect(warnings.join("\n")).toMatch(/key ages were not checked: .*key-ages\.json.*left as it is \(delete it to start counting key ages again\)/);
      expect(readFileSync(join(dir, STATE), "utf8")).toBe(corrupt);
    }
  });

  it("outside a git repository, rotation says that ages cannot be kept", async () => {
    const dir = createDir({ "lumenguard.config.json": ROTATION, ".env": `K=${makeKey()}\n` });
    const { warnings } = await rotationFindings(dir);
    expect(warnings.join("\n")).toContain("rotation.maxAgeDays is set, but");
    expect(warnings.join("\n")).toContain("is not in a git repository");
  });
});

describe("lumenguard init offers rotation", () => {
  it("prints a line suggesting rotation.maxAgeDays when the config does not set it, and none when it does", async () => {
    const plain = createRepo({ committed: { "README.md": "# app\n" } });
    const offered = await runCli(["init", "--dry-run"], { cwd: plain });
    expect(offered.code).toBe(0);
    expect(offered.stdout).toContain('Optional: to rotate keys periodically, add "rotation": { "maxAgeDays": 90 } to lumenguard.config.json; lumenguard scan then reports keys in your env files older than that (key-rotation-due).');
    const inPackage = createRepo({ committed: { "package.json": JSON.stringify({ name: "app", lumenguard: { failOn: "high" } }) } });
    expect((await runCli(["init", "--dry-run"], { cwd: inPackage })).stdout).toContain('to the "lumenguard" key of package.json;');
    const set = createRepo({ committed: { "lumenguard.config.json": ROTATION } });
    const installed = await runCli(["init"], { cwd: set });
    expect(installed.code).toBe(0);
    expect(installed.stdout).not.toContain("rotate keys periodically");
    expect((await runCli(["init", "--uninstall"], { cwd: plain })).stdout).not.toContain("rotate keys periodically");
  });
});

describe("key ages, as data", () => {
  it("counts whole UTC days", () => {
    expect(daysBetween("2024-02-28", "2024-03-01")).toBe(2);
    expect(daysBetween("2024-03-01", "2024-03-01")).toBe(0);
    expect(daysBetween("2023-03-01", "2024-03-01")).toBe(366);
  });

  it("a fingerprint's first sighting is its earliest date in any file; recording keeps known dates and gives new keys today", () => {
    const [a, b, c] = ["a", "b", "c"].map((letter) => letter.repeat(64)) as [string, string, string];
    const ages = { version: 1 as const, files: { ".env": { [a]: "2024-01-05" }, ".env.local": { [a]: "2024-01-01", [b]: "2024-02-01" }, "old/.env": { [c]: "2023-01-01" } } };
    expect(firstSeenByKey(ages)).toEqual({ [a]: "2024-01-01", [b]: "2024-02-01", [c]: "2023-01-01" });
    const seen = [
      { file: ".env", fingerprint: a },
      { file: ".env", fingerprint: b },
      { file: ".env.production", fingerprint: "d".repeat(64) },
    ];
    expect(recordSightings(ages, seen, "2024-06-01", (path) => path !== "old/.env")).toEqual({
      version: 1,
      files: { ".env": { [a]: "2024-01-05", [b]: "2024-02-01" }, ".env.local": { [a]: "2024-01-01", [b]: "2024-02-01" }, ".env.production": { ["d".repeat(64)]: "2024-06-01" } },
    });
  });
});
