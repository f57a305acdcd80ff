import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { enableLinearRegExpEngine } from "../src/cli/linear-regexp.js";
import { scan, type ScanOptions } from "../src/index.js";
import type { ScanResult } from "../src/types.js";
import { encode } from "./helpers/expand.js";
import { makeDotlessKey, makeKey, randomString } from "./helpers/keys.js";
import { createRepo, git, processEnv, writeFiles, type FileTree } from "./helpers/repo.js";

/**
 * The working tree's fast path — git grep for the rules' literals, the engine on the files it
 * returns — must find exactly what reading every file finds. Trees of random files, with keys
 * planted in every encoding the engine knows (plain, escaped, base64 at each alignment, UTF-16,
 * gzip, zip), text-rule triggers, placeholders, custom-pattern secrets and env files tracked,
 * untracked and ignored, are scanned both ways and compared whole.
 */
const env = processEnv();
/**
 * As the CLI scans: custom patterns on V8's linear-time regex engine, turned on before they are
 * compiled. On the backtracking engine a pattern has a time budget, and on a loaded machine one of
 * the two scans compared could run out of it where the other did not.
 */
const scanAs = (options: ScanOptions) => scan({ beforeCustomPatterns: enableLinearRegExpEngine, ...options });
const CONFIG = { customPatterns: [{ id: "acme-token", regex: "acme_[A-Za-z0-9]{24}", keywords: ["acme_"] }] };

const utf16 = (text: string, bigEndian: boolean) => {
  const le = Buffer.from(`\ufeff${text}`, "utf16le");
  return bigEndian ? Buffer.from(le.map((_, i) => le[i % 2 === 0 ? i + 1 : i - 1]!)) : le;
};

/** One planted thing: a file's content holding (or not) something a rule reports. */
const plants: Array<() => { path: string; content: string | Uint8Array }> = [
  () => ({ path: "src/a.ts", content: `const k = "${makeKey()}";\n` }),
  () => ({ path: "docs/b.md", content: `key: ${encode(makeKey(), "base64")}\n` }),
  () => ({ path: "docs/c.txt", content: `x ${encode(makeKey(), "base64-shift1")} y\n` }),
  () => ({ path: "docs/d.txt", content: `x ${encode(makeKey(), "base64-shift2")} y\n` }),
  () => ({ path: "cfg/e.json", content: `{"k":"${encode(makeKey(), "json-dot")}"}\n` }),
  () => ({ path: "cfg/f.url", content: `https://x.invalid/?k=${encode(makeKey(), "percent-dot")}\n` }),
  () => ({ path: "win/g.txt", content: utf16(`token = ${makeKey()}\r\n`, false) }),
  () => ({ path: "win/h.txt", content: utf16(`token = ${makeKey()}\r\n`, true) }),
  () => ({ path: "dump/i.sql.gz", content: gzipSync(`insert ${makeKey()};\n`) }),
  () => ({ path: "pkg/j.zip", content: zipSync({ "inner/k.js": Buffer.from(`k="${makeKey()}"`) }) }),
  () => ({ path: "src/l.ts", content: `const k = import.meta.env.VITE_LUMENFALL_API_KEY;\n` }),
  () => ({ path: "src/m.ts", content: `new OpenAI({ baseURL: "https://api.lumenfall.ai/openai/v1", dangerouslyAllowBrowser: true });\n` }),
  () => ({ path: "src/n.py", content: `token = "acme_${randomString(24)}"\n` }),
  () => ({ path: "src/o.ts", content: `const doc = "lmnfl_your_api_key"; // lumenfall\n` }),
  () => ({ path: "src/p.ts", content: `// lumenguard-allow: fixture\nconst k = "${makeKey()}";\n` }),
  () => ({ path: "bin/q.dat", content: Buffer.concat([Buffer.alloc(64, 0), Buffer.from(` ${makeDotlessKey()} `), Buffer.alloc(64, 0)]) }),
  () => ({ path: ".env.production", content: `LUMENFALL_API_KEY=${makeKey()}\n` }),
  () => ({ path: "apps/web/.env", content: "DEBUG=1\n" }),
];

/** Filler files that hold none of the literals: what the fast path skips. */
const filler = (count: number): FileTree =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [`lib/mod${i}/file${i}.ts`, `export const value${i} = ${i}; // ${randomString(40)}\n`]));

function comparable(result: ScanResult) {
  const findings = result.findings.map((finding) => `${finding.ruleId}@${finding.file}:${finding.line}:${finding.column}:${finding.severity}:${finding.secret?.fingerprint ?? ""}`).sort();
  const suppressed = result.suppressed.map((entry) => `${entry.ruleId}@${entry.file}:${entry.line}:${entry.by}`).sort();
  const warnings = result.warnings.map((warning) => warning.code).sort();
  return { findings, suppressed, warnings, files: result.stats.files, bytes: result.stats.bytes };
}

describe("the working tree's literal search (git grep) changes nothing but speed", () => {
  it("random trees: the same findings, allowed findings, warnings and file count both ways", async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(plants.map((_, index) => index), { minLength: 2 }), fc.integer({ min: 70, max: 160 }), fc.boolean(), async (chosen, fillers, commitFirst) => {
        const repo = createRepo({ committed: { "lumenguard.config.json": JSON.stringify(CONFIG), ".gitignore": ".env.production\n", ...filler(fillers) } });
        const files: FileTree = {};
        for (const index of chosen) {
          const { path, content } = plants[index]!();
          files[path] = content;
        }
        writeFiles(repo, files);
        if (commitFirst) {
          git(repo, ["add", "-A"]);
          git(repo, ["commit", "-q", "-m", "plants"]);
        }
        const fast = await scanAs({ cwd: repo, env });
        const full = await scanAs({ cwd: repo, env, prefilter: false });
        expect(comparable(fast)).toEqual(comparable(full));
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it("client output git ignores (searched with git grep --no-index, for what shipped code can hold): the same both ways", async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(plants.map((_, index) => index), { minLength: 2 }), fc.integer({ min: 70, max: 120 }), async (chosen, fillers) => {
        const repo = createRepo({ committed: { "package.json": JSON.stringify({ dependencies: { vite: "5" } }), ".gitignore": "dist/\n", "lumenguard.config.json": JSON.stringify(CONFIG) } });
        const files: FileTree = Object.fromEntries(Object.entries(filler(fillers)).map(([path, content]) => [`dist/${path}`, content]));
        for (const index of chosen) {
          const { path, content } = plants[index]!();
          files[`dist/${path}`] = content;
        }
        // "use client" in shipped code is no finding: a file holding only that must stay clear both ways.
        files["dist/assets/chunk.js"] = '"use client";\nexport const x = 1;\n';
        writeFiles(repo, files);
        const fast = await scanAs({ cwd: repo, env });
        const full = await scanAs({ cwd: repo, env, prefilter: false });
        expect(comparable(fast)).toEqual(comparable(full));
      }),
      { numRuns: 8 },
    );
  }, 120_000);

  it("history and the index (blobs checked for literals in memory): the same both ways", async () => {
    await fc.assert(
      fc.asyncProperty(fc.subarray(plants.map((_, index) => index), { minLength: 2 }), async (chosen) => {
        const repo = createRepo({ committed: { "lumenguard.config.json": JSON.stringify(CONFIG), ...filler(10) } });
        const files: FileTree = {};
        for (const index of chosen) {
          const { path, content } = plants[index]!();
          files[path] = content;
        }
        writeFiles(repo, files);
        git(repo, ["add", "-A", "-f"]);
        const stagedFast = await scanAs({ cwd: repo, env, mode: { kind: "staged" } });
        const stagedFull = await scanAs({ cwd: repo, env, mode: { kind: "staged" }, prefilter: false });
        expect(comparable(stagedFast)).toEqual(comparable(stagedFull));
        git(repo, ["commit", "-q", "-m", "plants"]);
        const historyFast = await scanAs({ cwd: repo, env, mode: { kind: "history" } });
        const historyFull = await scanAs({ cwd: repo, env, mode: { kind: "history" }, prefilter: false });
        expect(comparable(historyFast)).toEqual(comparable(historyFull));
      }),
      { numRuns: 8 },
    );
  }, 120_000);

  it("tracked client output, hundreds of untracked files, env files git ignores (and one it ignores too late), names that need quoting, a mobile app: the same both ways", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.subarray(plants.map((_, index) => index), { minLength: 2 }),
        fc.integer({ min: 0, max: 400 }),
        fc.constantFrom("vite", "expo"),
        fc.array(fc.constantFrom("", "public/", "odd name [1]/", "ünï/", "-lead/", "untracked/"), { minLength: 2, maxLength: 6 }),
        async (chosen, untrackedCount, framework, places) => {
          const repo = createRepo({
            committed: {
              "package.json": JSON.stringify({ dependencies: { [framework]: "1" } }),
              ".gitignore": ".env\n.env.*\n!.env.example\n",
              "lumenguard.config.json": JSON.stringify(CONFIG),
              "public/app.js": "export const x = 1;\n",
              ...filler(70),
            },
          });
          // An env file that .gitignore matches, tracked anyway (ignored too late).
          writeFiles(repo, { "config/.env.staging": `LUMENFALL_API_KEY=${makeKey()}\n` });
          git(repo, ["add", "-f", "config/.env.staging"]);
          git(repo, ["commit", "-q", "-m", "env"]);
          // Untracked files: up to a few hundred, so that some runs read them and others search them first.
          const untracked = Object.fromEntries(Object.entries(filler(untrackedCount)).map(([path, content]) => [`untracked/${path}`, content]));
          const files: FileTree = { ...untracked, ".env": `LUMENFALL_API_KEY=${makeKey()}\n`, "apps/web/.env.local": `NEXT_PUBLIC_LUMENFALL_API_KEY=${makeKey()}\n` };
          chosen.forEach((index, position) => {
            const { path, content } = plants[index]!();
            files[`${places[position % places.length]}${path}`] = content;
          });
          writeFiles(repo, files);
          // Some plants committed in the tracked client folder, the rest left untracked.
          git(repo, ["add", "--", "public"]);
          git(repo, ["commit", "-q", "--allow-empty", "-m", "public"]);
          const fast = await scanAs({ cwd: repo, env });
          const full = await scanAs({ cwd: repo, env, prefilter: false });
          expect(comparable(fast)).toEqual(comparable(full));
        },
      ),
      { numRuns: 10 },
    );
  }, 240_000);

  it("a tree where nothing holds a literal is still counted whole", async () => {
    const repo = createRepo({ committed: filler(100) });
    const fast = await scanAs({ cwd: repo, env });
    expect(fast.findings).toEqual([]);
    expect(fast.stats.files).toBe(100);
    expect(fast.stats.bytes).toBe((await scanAs({ cwd: repo, env, prefilter: false })).stats.bytes);
  });
});
