import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { enableLinearRegExpEngine } from "../src/cli/linear-regexp.js";
import { planScan, resolveConfig } from "../src/config/resolve-config.js";
import { scan, type ScanOptions } from "../src/index.js";
import { literalTests, type LiteralTest } from "../src/scanning/prefilter.js";
import { HOLD_BYTES, literalFirst } from "../src/sources/history-triage.js";
import type { ScanResult } from "../src/types.js";
import { encode } from "./helpers/expand.js";
import { makeDotlessKey, makeKey, randomString } from "./helpers/keys.js";
import { createDir, createRepo, git, processEnv, writeFiles, type FileTree } from "./helpers/repo.js";

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

/** The literal test history uses, from a plan with a custom pattern (its keyword is a literal too). */
function historyTest(): LiteralTest {
  const plan = planScan(resolveConfig({ startDir: createDir(), config: CONFIG }));
  const test = literalTests(plan)("history");
  if (test === null) throw new Error("history has a prefilter");
  return test;
}

/** Bytes a literal could hide in: text, binary noise, NULs, and pieces of every literal. */
const noise = fc.array(fc.constantFrom("a", "l", "lmn", "fl_", "G1u", "Zmxf", "W5", "mbF", "\0", "n\0f\0", "\n", "acme", "_", "xtbm", "ZsX", "\u00ff"), { maxLength: 60 }).map((parts) => parts.join(""));
const literal = fc.constantFrom("lmnfl_", "n\0f\0l\0_", "G1uZmxf", "xtbmZsX", "W5mbF", "acme_");
/** Where to cut a buffer of `length` bytes into pieces (sorted offsets inside it). */
const cuts = (length: number) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, length - 1) }), { maxLength: 8 }).map((at) => at.filter((x) => x < length).sort((a, b) => a - b));
const piecesOf = (bytes: Buffer, at: number[]) => [0, ...at].map((from, index) => bytes.subarray(from, at[index] ?? bytes.length));

describe("history's literal-first triage changes nothing but speed", () => {
  it("a probe fed any cut of the bytes finds a literal exactly when the whole holds one (seams included)", () => {
    const test = historyTest();
    fc.assert(
      fc.property(noise, fc.option(literal), noise, fc.nat(), (before, planted, after, seed) => {
        const bytes = Buffer.from(`${before}${planted ?? ""}${after}`, "latin1");
        const at = [...new Set([seed % Math.max(1, bytes.length), (seed >> 3) % Math.max(1, bytes.length), before.length + 1, before.length + 3])].filter((x) => x > 0 && x < bytes.length).sort((a, b) => a - b);
        const probe = test.probe();
        for (const piece of piecesOf(bytes, at)) probe.push(piece);
        expect(probe.found).toBe(test.holds(bytes));
        if (planted) expect(probe.found).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("whatever pieces an object arrives in: the engine gets it whole and in order when it holds a literal, may be an LFS pointer or must be read; else it is cleared with the bytes the engine would count", () => {
    const test = historyTest();
    const object = fc.record({
      kind: fc.constantFrom("blob", "message", "must-read"),
      text: fc.tuple(noise, fc.option(literal), noise).map(([a, b, c]) => `${a}${b ?? ""}${c}`),
      lfs: fc.boolean(),
      headers: fc.boolean(),
    });
    fc.assert(
      fc.property(object, fc.nat(), (spec, seed) => {
        const body = spec.lfs && spec.kind === "blob" ? `version https://git-lfs.github.com/spec/v1\n${spec.text}` : spec.kind === "message" && spec.headers ? `tree 0\nauthor x\n\n${spec.text}` : spec.text;
        const bytes = Buffer.from(body, "latin1");
        const events: string[] = [];
        const got: Buffer[] = [];
        const sink = literalFirst(test, {
          engine: () => (chunk, final) => {
            got.push(Buffer.from(chunk));
            if (final) events.push("engine");
          },
          mustRead: () => spec.kind === "must-read",
          isMessage: () => spec.kind === "message",
          cleared: (_, counted) => events.push(`cleared ${counted}`),
          readAgain: () => events.push("again"),
          missing: () => events.push("missing"),
        });
        const push = sink.begin("oid", bytes.length, "blob");
        const at = fc.sample(cuts(bytes.length), { seed, numRuns: 1 })[0]!;
        const pieces = piecesOf(bytes, at);
        pieces.forEach((piece, index) => push(piece, index === pieces.length - 1));
        const engineWanted = spec.kind === "must-read" || test.holds(bytes) || (spec.kind === "blob" && bytes.length <= 1024 && body.startsWith("version "));
        if (engineWanted) {
          expect(events).toEqual(["engine"]);
          expect(Buffer.concat(got).equals(bytes)).toBe(true);
        } else {
          const blank = bytes.indexOf("\n\n");
          // A commit or tag object: its headers and its message, all but the blank line's second newline.
          const counted = spec.kind === "message" ? (blank === -1 ? bytes.length : bytes.length - 1) : bytes.length;
          expect(events).toEqual([`cleared ${counted}`]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("an object larger than what is held: a literal early reaches the engine in one pass, one past the held bytes is read again", () => {
    const test = historyTest();
    // Held until more than HOLD_BYTES have arrived (here: 8 MiB and one piece of 64 KiB).
    for (const [offset, expected] of [[1000, "engine"], [HOLD_BYTES + 5000, "engine"], [HOLD_BYTES + 150_000, "again"], [-1, "cleared"]] as const) {
      const bytes = Buffer.alloc(HOLD_BYTES + 200_000, "x");
      if (offset >= 0) bytes.write("lmnfl_", offset, "latin1");
      const events: string[] = [];
      let received = 0;
      const sink = literalFirst(test, {
        engine: () => (chunk, final) => {
          received += chunk.length;
          if (final) events.push("engine");
        },
        mustRead: () => false,
        isMessage: () => false,
        cleared: () => events.push("cleared"),
        readAgain: () => events.push("again"),
        missing: () => events.push("missing"),
      });
      const push = sink.begin("oid", bytes.length, "blob");
      for (let at = 0; at < bytes.length; at += 65_536) push(bytes.subarray(at, Math.min(bytes.length, at + 65_536)), at + 65_536 >= bytes.length);
      expect(events).toEqual([expected]);
      if (expected === "engine") expect(received).toBe(bytes.length);
    }
  });

  it("objects no ref reaches (a dangling blob, a dangling commit) are never reported; a key in a .gz of history is", async () => {
    const repo = createRepo({ committed: { "lumenguard.config.json": JSON.stringify(CONFIG), "dump/a.sql.gz": gzipSync(`insert ${makeKey()};\n`), ...filler(30) } });
    writeFiles(repo, { "loose.txt": `k = "${makeKey()}"\n` });
    git(repo, ["hash-object", "-w", "loose.txt"]);
    const tree = git(repo, ["write-tree"]).trim();
    git(repo, ["commit-tree", tree, "-m", `dangling ${makeKey()}`]);
    const fast = await scan({ cwd: repo, env, mode: { kind: "history" } });
    const full = await scan({ cwd: repo, env, mode: { kind: "history" }, prefilter: false });
    expect(comparable(fast)).toEqual(comparable(full));
    expect([fast.stats.blobs, fast.stats.bytes, fast.stats.commits]).toEqual([full.stats.blobs, full.stats.bytes, full.stats.commits]);
    expect(fast.findings.map((finding) => finding.file)).toEqual(["dump/a.sql.gz"]);
  });

  it("real histories with large, many-version, multi-path, compressed, UTF-16, base64, LFS and message keys: the same findings, warnings, files, blobs and bytes both ways", async () => {
    const large = (size: number, key: string | null, at: number) => {
      const text = Buffer.alloc(size, "const value = 1; // lorem ipsum dolor\n");
      if (key !== null) text.write(`"${key}"`, Math.min(at, size - key.length - 2), "latin1");
      return text;
    };
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ size: fc.integer({ min: 60_000, max: 400_000 }), key: fc.boolean(), at: fc.nat() }), { minLength: 2, maxLength: 5 }), fc.boolean(), async (versions, huge) => {
        const repo = createRepo({ committed: { "lumenguard.config.json": JSON.stringify(CONFIG), ...filler(20) } });
        versions.forEach((version, index) => {
          writeFiles(repo, {
            "data/big.txt": large(version.size, version.key ? makeKey() : null, version.at % version.size),
            [`copies/${index}.txt`]: "same content everywhere\n",
            "win/u16.txt": utf16(`${"x".repeat(index * 40_000)}token = ${version.key ? makeKey() : "none"}\r\n`, index % 2 === 1),
            "dump/d.sql.gz": gzipSync(large(version.size, version.key ? makeKey() : null, version.at % version.size)),
            "k8s/secret.yaml": `data:\n  key: ${encode(version.key ? makeKey() : "nothing to see", "base64")}\n`,
            "assets/blob.lfs": `version https://git-lfs.github.com/spec/v1\noid sha256:${"ab".repeat(32)}\nsize ${version.size}\n`,
          });
          for (let copy = 0; copy < 20; copy++) writeFiles(repo, { [`copies/many/${index}-${copy}.txt`]: "same content everywhere\n" });
          git(repo, ["add", "-A"]);
          git(repo, ["commit", "-q", "-m", version.key ? `rotate ${makeKey()}` : `version ${index}`]);
        });
        if (huge) {
          // Past the bytes held while no literal is seen: one key early, one only at the end.
          writeFiles(repo, { "big/early.bin": large(HOLD_BYTES + 300_000, makeKey(), 100), "big/late.bin": large(HOLD_BYTES + 300_000, makeKey(), HOLD_BYTES + 200_000) });
          git(repo, ["add", "-A"]);
          git(repo, ["commit", "-q", "-m", "huge"]);
        }
        const fast = await scan({ cwd: repo, env, mode: { kind: "history" } });
        const full = await scan({ cwd: repo, env, mode: { kind: "history" }, prefilter: false });
        expect(comparable(fast)).toEqual(comparable(full));
        expect([fast.stats.blobs, fast.stats.bytes, fast.stats.commits]).toEqual([full.stats.blobs, full.stats.bytes, full.stats.commits]);
        if (huge || versions.some((version) => version.key)) expect(fast.findings.length).toBeGreaterThan(0);
      }),
      { numRuns: 5 },
    );
  }, 300_000);
});

describe("the literal search git grep runs for the working tree", () => {
  it("can search every literal it is given, container magic numbers included (one line break would turn the fast path off: every file read)", async () => {
    const { CONTAINER_MAGIC } = await import("../src/scanning/containers/index.js");
    const { grepFiles } = await import("../src/git/grep-files.js");
    const { createRepo } = await import("./helpers/repo.js");
    expect(CONTAINER_MAGIC.filter((magic) => magic.includes("\n"))).toEqual([]);
    const repo = createRepo({ committed: { "plain.txt": "nothing here\n", "note.txt": "see lmnfl_ below\n", "doc.bin": "%PDF-1.7\nbinary\n", "lib.a": "!<arch>\nmember\n" } });
    const found = await grepFiles({ cwd: repo, env: process.env, literals: ["lmnfl_", ...CONTAINER_MAGIC], scope: "tracked" });
    expect(found).not.toBeNull();
    expect([...found!].sort()).toEqual(["doc.bin", "lib.a", "note.txt"]);
  });
});
