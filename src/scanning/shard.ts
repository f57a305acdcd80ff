import { createHash, type Hash } from "node:crypto";
import { UsageError } from "../errors.js";
import type { ShardedScan } from "../types.js";

/**
 * Sharding: one scan split over N machines (a CI job matrix), each scanning a deterministic
 * 1/N of the content, whose JSON reports `lumenguard merge` turns back into the report of the
 * whole scan.
 *
 * - History: a blob belongs to shard `(first 32 bits of its object id) mod N + 1`, a commit
 *   message to the shard of its commit's id. Every shard still walks every commit (the
 *   `git log --raw` walk is cheap next to inflating blobs), so the commits' positions in the
 *   walk — which decide the commit that introduced a key — are the same in every shard.
 * - Working tree: a file belongs to shard `(first 32 bits of the SHA-256 of its path from the
 *   repository root — outside git, its report path —) mod N + 1`.
 *
 * Object ids are already uniform hashes, so both rules split the content evenly by count; the
 * bytes of each shard are as even as the sizes of the blobs or files that fall in it.
 */

/** Shard `index` (1-based) of `total`. */
export interface Shard {
  index: number;
  total: number;
}

/**
 * The most shards one scan may be split into: GitHub Actions runs at most 256 jobs of one
 * matrix (https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow),
 * GitLab at most 200 parallel jobs (https://docs.gitlab.com/ci/yaml/#parallel).
 */
export const MAX_SHARDS = 256;

/**
 * Reads `--shard I/N`.
 * @throws UsageError (exit 2) unless the text is `I/N` with integers 1 ≤ I ≤ N ≤ {@link MAX_SHARDS}.
 */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  const shard = match ? { index: Number(match[1]), total: Number(match[2]) } : null;
  if (!shard || !isValidShard(shard)) throw new UsageError(badShardMessage(text));
  return shard;
}

/**
 * Checks a shard given through the programmatic API.
 * @throws UsageError (exit 2) unless `index` and `total` are integers with 1 ≤ index ≤ total ≤ {@link MAX_SHARDS}.
 */
export function checkShard(shard: unknown): Shard {
  const candidate = shard as Partial<Shard> | null;
  if (typeof candidate !== "object" || candidate === null || !isValidShard(candidate)) {
    throw new UsageError(`shard must be { index, total } with integers 1 ≤ index ≤ total ≤ ${MAX_SHARDS}`);
  }
  return { index: candidate.index!, total: candidate.total! };
}

function isValidShard(shard: Partial<Shard>): boolean {
  const { index, total } = shard;
  return Number.isInteger(index) && Number.isInteger(total) && index! >= 1 && index! <= total! && total! <= MAX_SHARDS;
}

function badShardMessage(text: string): string {
  return `--shard "${text}" is not I/N with whole numbers 1 ≤ I ≤ N ≤ ${MAX_SHARDS} (for example --shard 2/4: the second of four shards)`;
}

/** The shard (1-based) of a git object id (hex): the first 32 bits of the id, mod `total`, plus one. */
export function shardOfObject(oid: string, total: number): number {
  const prefix = Number.parseInt(oid.slice(0, 8), 16);
  // Not hex (never from git): hashed like a path, so it still lands in exactly one shard.
  return Number.isNaN(prefix) ? shardOfPath(oid, total) : (prefix % total) + 1;
}

/** The shard (1-based) of a path: the first 32 bits of the SHA-256 of its UTF-8 bytes, mod `total`, plus one. */
export function shardOfPath(path: string, total: number): number {
  return (createHash("sha256").update(path, "utf8").digest().readUInt32BE(0) % total) + 1;
}

/**
 * One shard's choice, made as the source lists what there is to scan. Every id the source asks
 * about also goes into {@link listingDigest}: the shards of one scan are asked about the same
 * ids in the same order (every shard lists everything and walks every commit), so equal
 * digests say the shards saw the same history or the same listing, and `merge` refuses shards
 * whose digests differ.
 */
export class ShardSelection {
  private readonly listing: Hash = createHash("sha256");
  private asked = 0;
  /** What the scan and its source say about what was scanned (see ShardedScan). */
  readonly facts: Omit<ShardedScan, "settings" | "listed" | "listing">;

  constructor(
    readonly shard: Shard,
    scan: Pick<ShardedScan, "mode" | "revisions" | "paths" | "head">,
  ) {
    this.facts = { ...scan };
  }

  /** History: the commits the walk holds (every shard walks all of them). */
  walked(commits: ReadonlyArray<{ sha: string }>): void {
    this.facts.commits = commits.length;
    this.facts.firstCommit = commits[0]?.sha ?? null;
    this.facts.lastCommit = commits[commits.length - 1]?.sha ?? null;
  }

  /** Whether this shard reads the object (a blob, or the commit whose message it is). */
  takesObject(oid: string): boolean {
    this.note(oid);
    return shardOfObject(oid, this.shard.total) === this.shard.index;
  }

  /** Whether this shard reads the file at `path` (from the repository root; outside git, its report path). */
  takesPath(path: string): boolean {
    this.note(path);
    return shardOfPath(path, this.shard.total) === this.shard.index;
  }

  /** SHA-256 (hex) of every id and path asked about so far, in order, NUL-separated. */
  listingDigest(): string {
    return this.listing.copy().digest("hex");
  }

  /** How many ids and paths were asked about. */
  get listed(): number {
    return this.asked;
  }

  private note(id: string): void {
    this.asked++;
    this.listing.update(id, "utf8");
    this.listing.update("\0");
  }
}
