import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { inflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { hasProgram, shell } from "./helpers/process.js";
import { createDir } from "./helpers/repo.js";
import { buildZip, crc32, deflatedZeros, type MemberSpec } from "./helpers/zip.js";

/**
 * Hostile zip archives: entries are inflated one at a time, streaming, under byte and ratio
 * budgets; the bytes that really inflate are scanned, not what the directory claims; the CRC-32
 * is checked; what cannot be read is a warning naming the entry. Archives are built by hand
 * (helpers/zip.ts) so they can lie the way attackers' archives do.
 */
const text = (value: string) => new TextEncoder().encode(value);
const scanJson = async (cwd: string, args: string[] = []) => {
  const outcome = await runCli(["scan", "--format", "json", ...args], { cwd });
  expect(outcome.code, outcome.stderr).toBeLessThanOrEqual(1);
  return { code: outcome.code, report: JSON.parse(outcome.stdout) as ScanResult };
};
const where = (report: ScanResult) => report.findings.map((f) => `${f.file}:${f.line}:${f.column}`);
/** Warning messages without the advice a gate's fail-closed warnings end with (test/containers.test.ts checks it through real gates). */
const warned = (report: ScanResult) => report.warnings.map((w) => w.message.replace(/\. A gate fails closed on content it could not scan: .*$/, ""));
const zipDir = (members: MemberSpec[], options: { zip64?: boolean } = {}, extra: Record<string, string> = {}) => {
  const dir = createDir(extra);
  writeFileSync(join(dir, "pkg.zip"), buildZip(members, options));
  return dir;
};
const UNZIP = "/usr/bin/unzip";

describe("honest archives", () => {
  it("the hand-built archives are valid zips (checked with unzip), and their keys are found, zip64 too", async () => {
    const key = makeKey();
    for (const zip64 of [false, true]) {
      const dir = zipDir([{ name: "a/readme.txt", plain: text("hello\n") }, { name: "a/conf.js", plain: text(`// conf\nexport const k = "${key}";\n`) }, { name: "b.txt", plain: text(`k=${key}`), stored: true }], { zip64 });
      if (hasProgram(UNZIP)) expect(spawnSync(UNZIP, ["-tqq", join(dir, "pkg.zip")]).status, `unzip -t (zip64: ${zip64})`).toBe(0);
      else console.warn("zip: unzip is missing; the hand-built archives were not cross-checked");
      const { report } = await scanJson(dir);
      expect(where(report)).toEqual(["pkg.zip!a/conf.js:2:19", "pkg.zip!b.txt:1:3"]);
      expect(report.warnings).toEqual([]);
    }
  });
});

describe("archives that lie", () => {
  it("an entry whose headers claim 64 bytes hides a key after them: found, with a warning", async () => {
    const key = makeKey();
    const hidden = text(`${"harmless text\n".repeat(400)}k = "${key}"\n`);
    const deflated = [{ name: "small.txt", plain: hidden, size: 64, compressedSize: 64, crc: crc32(hidden.subarray(0, 64)) }];
    const stored = [{ name: "small.txt", plain: hidden, stored: true, size: 64, compressedSize: 64, crc: crc32(hidden.subarray(0, 64)) }];
    for (const members of [deflated, stored]) {
      const { code, report } = await scanJson(zipDir(members));
      expect(code).toBe(1);
      expect(where(report)).toEqual(["pkg.zip!small.txt:401:6"]);
      expect(report.warnings.map((w) => w.code)).toEqual(["archive"]);
      expect(warned(report)[0]).toMatch(/^pkg\.zip: small\.txt: /);
    }
  });

  it("a CRC-32 that does not match is a warning, and the entry is still scanned", async () => {
    const key = makeKey();
    const { code, report } = await scanJson(zipDir([{ name: "k.txt", plain: text(`k=${key}\n`), crc: 0x12345678 }]));
    expect(code).toBe(1);
    expect(where(report)).toEqual(["pkg.zip!k.txt:1:3"]);
    expect(warned(report)).toEqual(["pkg.zip: k.txt: its CRC-32 does not match the archive's directory (damaged or altered); scanned what it holds"]);
  });

  it("encrypted entries and unknown methods are warnings naming the entry; the others are scanned", async () => {
    const key = makeKey();
    const { code, report } = await scanJson(
      zipDir([
        { name: "secret.bin", plain: text("x".repeat(100)), flags: 1 },
        { name: "lzma.bin", plain: text("y".repeat(100)), method: 14, data: text("not really lzma") },
        { name: "aes.bin", plain: text("z".repeat(100)), method: 99, flags: 1 },
        { name: "plain.txt", plain: text(`k=${key}`) },
      ]),
    );
    expect(code).toBe(1);
    expect(where(report)).toEqual(["pkg.zip!plain.txt:1:3"]);
    expect(warned(report)).toEqual(["pkg.zip!secret.bin: encrypted; not scanned", "pkg.zip!lzma.bin: compression method 14 is not supported; not scanned", "pkg.zip!aes.bin: encrypted; not scanned"]);
  });

  it("a directory that cannot be read is a warning, and the archive's bytes are scanned as they are", async () => {
    const key = makeKey();
    const zip = buildZip([{ name: "k.txt", plain: text(`k=${key}`), stored: true }]);
    zip.writeUInt32LE(0xdeadbeef, zip.length - 22 - 46 - "k.txt".length);
    const dir = createDir();
    writeFileSync(join(dir, "pkg.zip"), zip);
    const { report } = await scanJson(dir);
    expect(where(report)).toEqual([`pkg.zip:1:${30 + "k.txt".length + 3}`]);
    expect(warned(report)).toEqual(["pkg.zip: its central directory is damaged; its entries were not read, its bytes were scanned as they are"]);
  });

  it("an archive of 60,000 entries: every entry is scanned and the key in the last one found (entries are looked up by binary search)", async () => {
    const key = makeKey();
    const members: MemberSpec[] = Array.from({ length: 60_000 }, (_, i) => ({ name: `f/${i}.txt`, plain: text(`${i}`), stored: true }));
    members.push({ name: "last.txt", plain: text(`k=${key}`), stored: true });
    const dir = zipDir(members);
    const started = Date.now();
    const { report } = await scanJson(dir);
    expect(where(report)).toEqual(["pkg.zip!last.txt:1:3"]);
    // Every entry, and the archive's own bytes (its headers and directory, scanned as plain bytes).
    expect(report.stats.files).toBe(60_002);
    expect(Date.now() - started).toBeLessThan(30_000);
  }, 60_000);
});

describe("decompression bombs (the real binary, memory measured)", () => {
  const TIME = "/usr/bin/time";
  const run = (dir: string) => {
    const measured = hasProgram(TIME);
    if (!measured) console.warn(`zip: ${TIME} is missing; peak memory was not measured`);
    const started = Date.now();
    const result = shell(`${measured ? `${TIME} -f 'peak-kb %M' ` : ""}$LG scan --format json .`, dir, { timeout: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    const peakMb = measured ? Number(/peak-kb (\d+)/.exec(result.stderr)?.[1]) / 1024 : null;
    return { status: result.status, report: JSON.parse(result.stdout) as ScanResult, seconds, peakMb };
  };

  it("30 entries of 120 MiB of zeros in a ~4 MB file: bounded memory, quick, each entry stopped and said, the key after them found", () => {
    const key = makeKey();
    const zeros = deflatedZeros(120);
    const members: MemberSpec[] = Array.from({ length: 30 }, (_, i) => ({ name: `zeros-${i}.bin`, data: zeros, size: 120 << 20, crc: 0 }));
    members.push({ name: "key.txt", plain: text(`k=${key}`) });
    const dir = zipDir(members);
    const zipSize = buildZip(members).length;
    expect(zipSize).toBeLessThan(5_000_000);
    const { status, report, seconds, peakMb } = run(dir);
    expect(status).toBe(1);
    expect(where(report)).toEqual(["pkg.zip!key.txt:1:3"]);
    expect(report.warnings).toHaveLength(30);
    expect(warned(report)[0]).toMatch(/^pkg\.zip!zeros-0\.bin: inflates more than 100:1 \(a decompression bomb\?\); only the first \d+ MiB were scanned$/);
    console.info(`zip bomb 30 × 120 MiB (${zipSize} bytes): ${seconds.toFixed(1)} s, peak ${peakMb?.toFixed(0)} MB`);
    if (peakMb !== null) expect(peakMb).toBeLessThan(300);
    expect(seconds).toBeLessThan(30);
  }, 120_000);

  it("an entry claiming 1000 bytes that inflates to 4 GiB stops at once", () => {
    const zeros = deflatedZeros(4096);
    // The stream really holds 4 GiB: check its first 64 MiB piece inflates to zeros.
    expect(inflateRawSync(zeros.subarray(0, 1 << 16), { finishFlush: 2 }).length).toBeGreaterThan(1 << 20);
    const dir = zipDir([{ name: "small.txt", data: zeros, size: 1000, compressedSize: 1000, crc: 0 }]);
    const { status, report, seconds, peakMb } = run(dir);
    expect(status).toBe(0);
    expect(warned(report)).toEqual([expect.stringMatching(/^pkg\.zip!small\.txt: inflates more than 100:1/)]);
    console.info(`4 GiB entry claiming 1000 B (${zeros.length} bytes): ${seconds.toFixed(1)} s, peak ${peakMb?.toFixed(0)} MB`);
    if (peakMb !== null) expect(peakMb).toBeLessThan(300);
    expect(seconds).toBeLessThan(20);
  }, 120_000);
});

describe("budgets are configurable", () => {
  it("archives.maxEntryMiB, maxArchiveMiB and maxRatio, each said when it stops an entry", async () => {
    const key = makeKey();
    // About 3 MiB of text that compresses about 5:1, then a key.
    const lines = Array.from({ length: 30_000 }, (_, i) => `row ${i}: ${(i * 2654435761).toString(36)} ${(i * 40503).toString(16)}`.padEnd(104, "-")).join("\n");
    const big = text(`${lines}\nk=${key}\n`);
    // 40 MiB of zeros (about 1000:1), then a key: past what the default ratio lets inflate.
    const zerosThenKey = Buffer.concat([Buffer.alloc(40 << 20), Buffer.from(`\nk=${key}\n`)]);
    const members: MemberSpec[] = [{ name: "big.txt", plain: big }, { name: "zeros.txt", plain: zerosThenKey }];
    const dir = zipDir(members);
    const defaults = await scanJson(dir);
    expect(where(defaults.report)).toEqual(["pkg.zip!big.txt:30001:3"]);
    expect(warned(defaults.report)).toEqual([expect.stringMatching(/^pkg\.zip!zeros\.txt: inflates more than 100:1/)]);

    writeFileSync(join(dir, "lumenguard.config.json"), JSON.stringify({ archives: { maxEntryMiB: 1, maxRatio: 2000 } }));
    const tight = await scanJson(dir);
    expect(where(tight.report)).toEqual([]);
    expect(warned(tight.report)).toEqual(["pkg.zip!big.txt: inflates to more than 1 MiB; only the first 1 MiB were scanned", "pkg.zip!zeros.txt: inflates to more than 1 MiB; only the first 1 MiB were scanned"]);

    writeFileSync(join(dir, "lumenguard.config.json"), JSON.stringify({ archives: { maxRatio: 2000 } }));
    expect(where((await scanJson(dir)).report)).toEqual(["pkg.zip!big.txt:30001:3", "pkg.zip!zeros.txt:2:3"]);

    writeFileSync(join(dir, "lumenguard.config.json"), JSON.stringify({ archives: { maxArchiveMiB: 2, maxRatio: 2000 } }));
    const archive = await scanJson(dir);
    expect(warned(archive.report)).toEqual(["pkg.zip!big.txt: the archive inflates to more than 2 MiB in all; the rest was not scanned", "pkg.zip: zeros.txt and the entries after it were not scanned: the archive inflates to more than 2 MiB in all"]);
  });

  it("a bad budget is a configuration error naming the field (exit 2)", async () => {
    const dir = createDir({ "lumenguard.config.json": JSON.stringify({ archives: { maxRatio: 0 } }) });
    const { code, stderr } = await runCli(["scan"], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain('"archives.maxRatio"');
  });
});
