import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCorpus } from "../bench/corpus.js";
import { comparable, inPool, readReport, runAsync, shardOfId } from "./helpers/shards.js";

/**
 * Sharded scans and their merge on the bench's generated monorepo, at full scale (2,500
 * commits, 15,463 blobs, 9,041 files in the tree, 30 planted keys): for N = 1..4, the merged
 * shards are the whole scan — every finding with its commit, file, line, column and fingerprint,
 * the counts and the warnings — and each shard reads its 1/N of the blobs. All with the built
 * binary. Made once for the file (~10–20 s here), then ~30 scans, two at a time.
 */

const NS = [1, 2, 3, 4] as const;
let base: string;
let repo: string;
let planted: number;

const shardFiles = (kind: string, n: number) => Array.from({ length: n }, (_, i) => `${kind}-${i + 1}-of-${n}.json`);

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "lumenguard-shard-corpus-"));
  const corpus = await generateCorpus({ dir: base, scale: "full", seed: 1, log: () => {} });
  repo = corpus.repoDir;
  planted = corpus.planted.length + corpus.history.length;
  const scans: Array<() => Promise<unknown>> = [
    () => runAsync(["scan", "--history", "--format", "json", "--output", join(base, "history-whole.json")], repo),
    () => runAsync(["scan", "--format", "json", "--output", join(base, "tree-whole.json")], repo),
  ];
  for (const n of NS) {
    for (let i = 1; i <= n; i++) {
      scans.push(() => runAsync(["scan", "--history", "--shard", `${i}/${n}`, "--fail-on", "none", "--format", "json", "--output", join(base, shardFiles("history", n)[i - 1]!)], repo));
      scans.push(() => runAsync(["scan", "--shard", `${i}/${n}`, "--fail-on", "none", "--format", "json", "--output", join(base, shardFiles("tree", n)[i - 1]!)], repo));
    }
  }
  const outcomes = (await inPool(scans)) as Array<{ status: number | null; stderr: string }>;
  outcomes.forEach((outcome, i) => expect(outcome.status, `scan ${i}: ${outcome.stderr}`).toBe(i < 2 ? 1 : 0));
}, 600_000);

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe("sharded history scans of the bench's corpus, merged", () => {
  it("for N = 1..4, the merged shards equal the whole scan: findings (with commits), counts, warnings", async () => {
    const whole = readReport(base, "history-whole.json");
    expect(whole.findings).toHaveLength(planted);
    expect(whole.findings.every((finding: any) => finding.commit?.sha && finding.commit.author && finding.commit.date)).toBe(true);
    expect(whole.stats).toMatchObject({ commits: 2500, blobs: 15463 });
    const merges = await inPool(NS.map((n) => () => runAsync(["merge", ...shardFiles("history", n), "--format", "json", "--output", `history-merged-${n}.json`], base)));
    for (const [i, n] of NS.entries()) {
      expect(merges[i]!.status, merges[i]!.stderr).toBe(1);
      const merged = readReport(base, `history-merged-${n}.json`);
      expect(comparable(merged), `N = ${n}`).toEqual(comparable(whole));
      expect(JSON.stringify(merged)).not.toMatch(/commitIndex|"shard"/);
    }
  }, 120_000);

  it("each shard reads exactly the blobs whose id falls in it, and about 1/N of the bytes", () => {
    // git's own list of every reachable blob with its size, apart from lumenguard's walk.
    const objects = execFileSync("git", ["rev-list", "--all", "--objects"], { cwd: repo, encoding: "utf8", maxBuffer: 1 << 28 })
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" ")[0]);
    const checked = execFileSync("git", ["cat-file", "--batch-check=%(objecttype) %(objectname) %(objectsize)"], { cwd: repo, input: `${objects.join("\n")}\n`, encoding: "utf8", maxBuffer: 1 << 28 });
    const blobs = checked
      .split("\n")
      .map((line) => line.split(" "))
      .filter(([type]) => type === "blob")
      .map(([, id, size]) => ({ id: id!, size: Number(size) }));
    const blobBytes = blobs.reduce((sum, blob) => sum + blob.size, 0);
    const whole = readReport(base, "history-whole.json");
    expect(whole.stats.blobs).toBe(blobs.length);
    for (const n of NS) {
      const shards = shardFiles("history", n).map((name) => readReport(base, name));
      expect(shards.reduce((sum, shard) => sum + shard.stats.bytes, 0)).toBe(whole.stats.bytes);
      shards.forEach((shard, i) => {
        const mine = blobs.filter((blob) => shardOfId(blob.id, n) === i + 1);
        expect(shard.stats.blobs, `${i + 1}/${n} blobs`).toBe(mine.length);
        expect(shard.stats.commits, `${i + 1}/${n} walks every commit`).toBe(2500);
        // Its bytes are its blobs' bytes (plus its commits' messages, a few KB of 49 MB): within 0.2 points of their share.
        const share = shard.stats.bytes / whole.stats.bytes;
        const blobShare = mine.reduce((sum, blob) => sum + blob.size, 0) / blobBytes;
        expect(Math.abs(share - blobShare), `${i + 1}/${n} bytes`).toBeLessThan(0.002);
        // About 1/N: object ids are uniform, so the count splits evenly; the bytes follow the sizes of the
        // blobs that fall in each shard. The largest blobs of this corpus (bundles and fixtures) are 9.4, 6.3,
        // 5.3, 4.9 … % of all bytes, so one of them moves a shard by up to ~28 % of a third: measured here,
        // -27.6 % at worst (N = 3). Deterministic for seed 1.
        expect(Math.abs(share * n - 1), `${i + 1}/${n}: ${(share * 100).toFixed(1)} % of the bytes`).toBeLessThan(0.35);
      });
    }
  });
});

describe("sharded working-tree scans of the bench's corpus, merged", () => {
  it("for N = 1..4, the merged shards equal the whole scan, and each file is in one shard", async () => {
    const whole = readReport(base, "tree-whole.json");
    expect(whole.findings.length).toBeGreaterThanOrEqual(24);
    const merges = await inPool(NS.map((n) => () => runAsync(["merge", ...shardFiles("tree", n), "--format", "json", "--output", `tree-merged-${n}.json`], base)));
    for (const [i, n] of NS.entries()) {
      expect(merges[i]!.status, merges[i]!.stderr).toBe(1);
      expect(comparable(readReport(base, `tree-merged-${n}.json`)), `N = ${n}`).toEqual(comparable(whole));
      const shards = shardFiles("tree", n).map((name) => readReport(base, name));
      // Files split by a hash of the path: 9,041 files, about 1/N each by count.
      for (const shard of shards) expect(Math.abs((shard.stats.files * n) / whole.stats.files - 1)).toBeLessThan(0.1);
      expect(new Set(shards.map((shard) => shard.shard.scan.listing)).size).toBe(1);
    }
  }, 120_000);
});
