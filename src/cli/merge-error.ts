/** A merge that cannot be done: bad input (exit code 2), or a shard of a scan missing (3). The message names the file. */
export class MergeError extends Error {
  override name = "MergeError";
  constructor(
    message: string,
    readonly exitCode: 2 | 3,
  ) {
    super(message);
  }
}
