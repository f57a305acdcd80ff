/**
 * Small filters between `git cat-file --batch` and a scanner, for objects whose bytes are not
 * the content to scan as they come:
 *
 * - a commit object is headers (`tree`, `parent`, `author`, `gpgsig`…), a blank line, then the
 *   message (https://git-scm.com/docs/git-cat-file#_batch_output): only the message is what a
 *   person wrote into history, so only it is passed on, with its own line numbers;
 * - a Git LFS pointer (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md) is a small
 *   text blob standing for content stored outside git: it is recognised so that the source can
 *   scan the real content where it is on disk, or say that it could not.
 */

export type ChunkSink = (chunk: Buffer, final: boolean) => void;

const BLANK_LINE = Buffer.from("\n\n");

/** Passes on what follows the first blank line of a commit object; headers are dropped. */
export function commitMessageOnly(sink: ChunkSink): ChunkSink {
  let inMessage = false;
  let tail = Buffer.alloc(0);
  return (chunk, final) => {
    if (inMessage) return sink(chunk, final);
    // The blank line may straddle two chunks: keep the last byte of the headers seen so far.
    const data = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
    const at = data.indexOf(BLANK_LINE);
    if (at === -1) {
      tail = Buffer.from(data.subarray(Math.max(0, data.length - 1)));
      if (final) sink(Buffer.alloc(0), true);
      return;
    }
    inMessage = true;
    sink(data.subarray(at + BLANK_LINE.length), final);
  };
}

/** What a Git LFS pointer says: the SHA-256 of the content (64 hex) and its size in bytes. */
export interface LfsPointer {
  oid: string;
  size: number;
}

/** The spec caps a pointer file at 1024 bytes: anything larger is content. */
export const LFS_POINTER_MAX_BYTES = 1024;

const POINTER = /^version https:\/\/(?:git-lfs\.github\.com\/spec\/v1|hawser\.github\.com\/spec\/v1)\n(?:[a-z0-9.-]+ [^\n]*\n)*?oid sha256:([0-9a-f]{64})\n(?:[a-z0-9.-]+ [^\n]*\n)*?size (\d+)\n/;

/** The pointer a small blob is, or null when it is ordinary content. */
export function parseLfsPointer(content: Buffer): LfsPointer | null {
  if (content.length > LFS_POINTER_MAX_BYTES || !content.subarray(0, 8).equals(Buffer.from("version "))) return null;
  const match = POINTER.exec(content.toString("utf8"));
  return match ? { oid: match[1]!, size: Number(match[2]) } : null;
}

/**
 * Holds back the bytes of a blob small enough to be an LFS pointer until its last chunk, then
 * calls `decide` with them: it returns whether it took care of the blob (a pointer); otherwise
 * the bytes go on to `sink` as usual. Larger blobs pass straight through.
 */
export function withLfsPointerCheck(size: number, sink: ChunkSink, decide: (content: Buffer) => boolean): ChunkSink {
  if (size > LFS_POINTER_MAX_BYTES) return sink;
  const held: Buffer[] = [];
  return (chunk, final) => {
    held.push(Buffer.from(chunk));
    if (!final) return;
    const content = Buffer.concat(held);
    if (!decide(content)) sink(content, true);
  };
}
