/**
 * Tar archives built by hand for tests (POSIX ustar, with a pax `path=` record for names over
 * 100 bytes: https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html), so that no
 * test depends on a `tar` program being installed.
 */
const BLOCK = 512;

/** One ustar header block: `type` `0` a file, `2` a symlink (to `linkname`), `x` a pax record, `L`/`K` GNU long names. */
export function header(name: string, size: number, type: string, linkname = ""): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, "utf8");
  block.write(linkname, 157, 100, "utf8");
  block.write("0000644\0", 100, "latin1");
  block.write("0000000\0", 108, "latin1");
  block.write("0000000\0", 116, "latin1");
  block.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
  block.write(`${Math.floor(Date.UTC(2026, 0, 1) / 1000).toString(8).padStart(11, "0")}\0`, 136, "latin1");
  block.write("        ", 148, "latin1");
  block.write(type, 156, "latin1");
  block.write("ustar\0", 257, "latin1");
  block.write("00", 263, "latin1");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
  return block;
}

/** `data` padded with NULs to a whole number of 512-byte blocks. */
export const padded = (data: Buffer) => Buffer.concat([data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)]);

/** A tar of `files` (name → content), in order; names longer than 100 bytes get a pax record. */
export function buildTar(files: Record<string, string | Uint8Array>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    if (Buffer.byteLength(name) > 100) {
      const body = ` path=${name}\n`;
      let length = body.length + 1;
      while (`${length}${body}`.length !== length) length = `${length}${body}`.length;
      const record = Buffer.from(`${length}${body}`);
      parts.push(header("PaxHeader", record.length, "x"), padded(record));
    }
    parts.push(header(name.slice(0, 100), data.length, "0"), padded(data));
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}
