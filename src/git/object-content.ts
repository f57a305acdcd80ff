/**
 * Small filters between `git cat-file --batch` and a scanner, for objects whose bytes are not
 * the content to scan as they come:
 *
 * - a commit or tag object is headers (`tree`, `parent`, `author`, `committer`, `mergetag`,
 *   `gpgsig`…; `object`, `type`, `tag`, `tagger`), a blank line, then the message
 *   (https://git-scm.com/docs/git-cat-file#_batch_output, https://git-scm.com/docs/signature-format):
 *   both are what someone wrote into history — a key in an author's name, in a tag name, or in
 *   the message of a tag a merge recorded (`mergetag`) is pushed like any other — so both are
 *   scanned, each as a pseudo-file with its own line numbers;
 * - a Git LFS pointer (https://github.com/git-lfs/git-lfs/blob/main/docs/spec.md) is a small
 *   text blob standing for content stored outside git: it is recognised so that the source can
 *   scan the real content where it is on disk, or say that it could not.
 */

export type ChunkSink = (chunk: Buffer, final: boolean) => void;

const BLANK_LINE = Buffer.from("\n\n");

/**
 * Splits a commit or tag object at the first blank line: the headers (up to and including the
 * newline that ends the last one) go to `headers`, what follows the blank line to `message`.
 * Each sink gets its final chunk exactly once.
 */
export function splitObject(headers: ChunkSink, message: ChunkSink): ChunkSink {
  let inMessage = false;
  let tail = Buffer.alloc(0);
  return (chunk, final) => {
    if (inMessage) return message(chunk, final);
    // The blank line may straddle two chunks: the last byte of what was seen is held back.
    const data = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
    const at = data.indexOf(BLANK_LINE);
    if (at === -1) {
      const keep = Math.min(1, data.length);
      headers(data.subarray(0, data.length - keep), false);
      tail = Buffer.from(data.subarray(data.length - keep));
      if (final) {
        headers(tail, true);
        message(Buffer.alloc(0), true);
      }
      return;
    }
    inMessage = true;
    headers(data.subarray(0, at + 1), true);
    message(data.subarray(at + BLANK_LINE.length), final);
  };
}

/** What a Git LFS pointer says: the SHA-256 of the content (64 hex) and its size in bytes. */
export interface LfsPointer {
  oid: string;
  size: number;
}

/** The spec caps a pointer file at 1024 bytes: anything larger is content. */
export const LFS_POINTER_MAX_BYTES = 1024;

/** How every pointer starts (its first line names the spec; `hawser` is the spec's old name). */
export const LFS_POINTER_STARTS: readonly string[] = ["version https://git-lfs.github.com/spec/v1", "version https://hawser.github.com/spec/v1"];

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
