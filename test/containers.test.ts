import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { zipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { openSink } from "../src/scanning/file-sink.js";
import { DEFAULT_LIMITS } from "../src/scanning/limits.js";
import { planScan, resolveConfig } from "../src/config/resolve-config.js";
import type { ScanResult, Warning } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { bin, hasProgram } from "./helpers/process.js";
import { createDir, createRepo, git, GIT_ENV, withoutGitOverrides, writeFiles } from "./helpers/repo.js";
import { buildTar, header as tarHeader, padded as tarPadded } from "./helpers/tar.js";

/**
 * Archives and compressed files are known by their bytes, not only by their names: every
 * zip-based format (and a zip under any name), gzip under any name, tar; archives inside
 * archives are opened in turn, to a bounded depth, and what a bound stops is said; formats
 * lumenguard cannot decompress (bzip2, xz, zstd …) are a warning naming the file, never a
 * silent pass.
 */
const bytes = (value: string) => new TextEncoder().encode(value);
const zip = (files: Record<string, Uint8Array | string>) => Buffer.from(zipSync(Object.fromEntries(Object.entries(files).map(([name, content]) => [name, typeof content === "string" ? bytes(content) : content]))));
const scanJson = async (cwd: string, args: string[] = []) => {
  const outcome = await runCli(["scan", "--format", "json", ...args], { cwd });
  expect(outcome.code, outcome.stderr).toBeLessThanOrEqual(1);
  return JSON.parse(outcome.stdout) as ScanResult;
};
const places = (report: ScanResult) => report.findings.map((f) => `${f.file}:${f.line}:${f.column}`).sort();
/** Warning messages without the advice a gate's fail-closed warnings end with (the gate tests below check it). */
const warned = (report: ScanResult) => report.warnings.map((w) => w.message.replace(/\. A gate fails closed on content it could not scan: .*$/, ""));
/** Enough other files that the working-tree scan clears files with git grep first (it does from 64 files). */
const filler = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`src/f${i}.js`, `export const v${i} = ${i};\n`]));

const ZIP_NAMES = ["docx", "xlsx", "pptx", "whl", "war", "ear", "aar", "nupkg", "vsix", "epub", "apk", "ipa", "odt", "xpi", "jar"];

describe("archives known by their bytes", () => {
  it("every zip-based format, and a zip under any name, in the working tree (git grep clearing files first), --staged and --history", async () => {
    const key = makeKey();
    const members = { "word/settings.txt": `LUMENFALL_API_KEY=${key}\n` };
    const files: Record<string, Uint8Array> = {};
    for (const ext of ZIP_NAMES) files[`pkg/f.${ext}`] = zip(members);
    // Any name: a file that starts like a zip is one.
    files["pkg/release.bin"] = zip(members);
    files["pkg/no-extension"] = zip(members);
    // gzip under names that do not say so.
    files["pkg/icon.svgz"] = gzipSync(`k='${key}'\n`);
    files["pkg/dump.data"] = gzipSync(`k='${key}'\n`);
    const repo = createRepo({ committed: { "README.md": "x\n", ...filler } });
    writeFiles(repo, files);
    const expected = [
      ...[...ZIP_NAMES.map((ext) => `pkg/f.${ext}`), "pkg/release.bin", "pkg/no-extension"].map((name) => `${name}!word/settings.txt:1:19`),
      "pkg/icon.svgz:1:4",
      "pkg/dump.data:1:4",
    ].sort();
    expect(places(await scanJson(repo))).toEqual(expected);
    git(repo, ["add", "-A"]);
    expect(places(await scanJson(repo, ["--staged"]))).toEqual(expected);
    git(repo, ["commit", "-q", "-m", "packages"]);
    expect(places(await scanJson(repo, ["--history"]))).toEqual(expected);
  });

  it("nested: a zip in a zip, a gzip in a zip, a zip in a tar.gz, a tar in a zip — each finding names the path inside", async () => {
    const key = makeKey();
    const env = `LUMENFALL_API_KEY=${key}\n`;
    const inner = zip({ "conf/app.env": env });
    const dir = createDir();
    writeFileSync(join(dir, "outer.zip"), zip({ "lib/inner.jar": inner, "db/dump.sql.gz": gzipSync(`-- dump\n${env}`) }));
    writeFileSync(join(dir, "release.tar.gz"), gzipSync(buildTar({ "release/app.whl": inner, "release/notes.txt": `see ${key}\n` })));
    writeFileSync(join(dir, "bundle.xlsx"), zip({ "data/export.tar": buildTar({ [`${"deep/".repeat(25)}app.env`]: env }) }));
    const report = await scanJson(dir);
    expect(places(report)).toEqual(
      [
        "outer.zip!lib/inner.jar!conf/app.env:1:19",
        "outer.zip!db/dump.sql.gz:2:19",
        "release.tar.gz!release/app.whl!conf/app.env:1:19",
        "release.tar.gz!release/notes.txt:1:5",
        `bundle.xlsx!data/export.tar!${"deep/".repeat(25)}app.env:1:19`,
      ].sort(),
    );
    expect(report.warnings).toEqual([]);
  });

  it("the hand-built tar is a valid tar (checked with tar, when installed)", () => {
    const dir = createDir();
    const long = `${"deep/".repeat(25)}app.env`;
    writeFileSync(join(dir, "x.tar"), buildTar({ "a.txt": "hello\n", [long]: "x\n" }));
    if (!hasProgram("/usr/bin/tar") && !hasProgram("/bin/tar")) return console.warn("containers: tar is missing; the hand-built archive was not cross-checked");
    const listed = spawnSync("tar", ["-tf", join(dir, "x.tar")], { encoding: "utf8" });
    expect(listed.status).toBe(0);
    expect(listed.stdout.trim().split("\n")).toEqual(["a.txt", long]);
  });

  it("nesting deeper than the limit is a warning naming the archive; what lies within the limit is found", async () => {
    const key = makeKey();
    let archive = zip({ "deepest.env": `K=${key}\n` });
    for (let level = 5; level >= 1; level--) archive = zip({ [`level${level}.zip`]: archive, [`note${level}.txt`]: `K=${key}\n` });
    const dir = createDir();
    writeFileSync(join(dir, "nest.zip"), archive);
    const report = await scanJson(dir);
    const chain = (depth: number) => ["nest.zip", ...Array.from({ length: depth }, (_, i) => `level${i + 1}.zip`)].join("!");
    // Opened: nest.zip and three archives inside it (four levels); level4.zip, inside four, is scanned as bytes.
    expect(places(report)).toEqual([1, 2, 3, 4].map((level) => `${chain(level - 1)}!note${level}.txt:1:3`).sort());
    expect(warned(report)).toEqual([`${chain(4)}: a zip archive nested 4 deep in other archives (the limit); scanned as bytes, not opened`]);
  });

  it("archives inside an archive share its budget: a nest of bombs stops at the outer archive's limit, each stop said", async () => {
    const key = makeKey();
    const zeros = Buffer.alloc(3 << 20);
    const inner = (i: number) => zip({ [`zeros${i}.bin`]: zeros });
    const dir = createDir({ "lumenguard.config.json": JSON.stringify({ archives: { maxArchiveMiB: 4, maxRatio: 100000 } }) });
    writeFileSync(join(dir, "nest.zip"), zip({ "a/first.env": `K=${key}\n`, "b/one.zip": inner(1), "c/two.zip": inner(2), "d/three.zip": inner(3), "e/last.env": `K=${key}\n` }));
    const report = await scanJson(dir);
    // What comes before the budget runs out is scanned; what comes after is said, not scanned.
    expect(places(report)).toEqual(["nest.zip!a/first.env:1:3"]);
    expect(warned(report)).toEqual([
      "nest.zip!c/two.zip!zeros2.bin: the archive inflates to more than 4 MiB in all; the rest was not scanned",
      "nest.zip: d/three.zip and the entries after it were not scanned: the archive inflates to more than 4 MiB in all",
    ]);
  });

  it("an archive inside another is held only up to a limit that halves with each level, and one that is larger is said", () => {
    const key = makeKey();
    const big = zip({ "padding.bin": randomBytes(4096), "app.env": `K=${key}\n` });
    const outer = zip({ "inner.zip": big, "top.env": `K=${key}\n` });
    const warnings: Warning[] = [];
    const found: string[] = [];
    const limits = { ...DEFAULT_LIMITS, bufferedBytes: outer.length + 16 };
    const resolved = resolveConfig({ startDir: "/", config: {} });
    const sink = openSink({ path: "outer.zip", kind: "given", absPath: "/outer.zip" }, {
      plan: planScan(resolved, { includePlaceholders: false }),
      limits,
      done: ({ file, outcome }) => outcome.findings.forEach(() => found.push(file.path)),
      warn: (warning) => warnings.push(warning),
      defer: () => undefined,
    });
    sink.push(outer, true);
    // The outer archive fits; the inner one, above half of that, does not.
    expect(big.length).toBeGreaterThan((outer.length + 16) / 2);
    expect(found).toEqual(["outer.zip!top.env"]);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/^outer\.zip!inner\.zip: an archive larger than \d+ bytes \(the limit for an archive inside another, 1 deep\); its entries were not scanned\. A gate fails closed .* if outer\.zip is known to be safe, add it to the config's `ignore`$/)]);
    expect(warnings.map((w) => w.incomplete)).toEqual([true]);
  });
});

describe("formats lumenguard cannot decompress are said, never passed in silence", () => {
  const heads: Record<string, Buffer> = {
    bzip2: Buffer.concat([Buffer.from("BZh91AY&SY", "latin1"), Buffer.alloc(64, 7)]),
    xz: Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(64, 7)]),
    zstd: Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64, 7)]),
    "7-Zip": Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), Buffer.alloc(64, 7)]),
    RAR: Buffer.concat([Buffer.from("Rar!\x1a\x07\x00", "latin1"), Buffer.alloc(64, 7)]),
  };
  const names: Record<string, string> = { bzip2: "dump.sql.bz2", xz: "backup.tar.xz", zstd: "db.zst", "7-Zip": "secrets.7z", RAR: "old.rar" };

  it("by their bytes, under their own names and under any name, in a tree git grep clears first", async () => {
    const files: Record<string, Uint8Array> = {};
    for (const [format, head] of Object.entries(heads)) {
      files[`archives/${names[format]}`] = head;
      files[`archives/renamed-${format}.dat`] = head;
    }
    const repo = createRepo({ committed: { "README.md": "x\n", ...filler } });
    writeFiles(repo, files);
    const report = await scanJson(repo);
    const expected = Object.keys(heads).flatMap((format) =>
      [names[format], `renamed-${format}.dat`].map((name) => `archives/${name}: compressed as ${format}, which lumenguard cannot decompress; what it holds was not scanned`),
    );
    expect(warned(report).sort()).toEqual(expected.sort());
    // A plain scan of the working tree warns and passes; only gates fail closed on what they could not read.
    expect(report.warnings.every((w) => w.incomplete === true)).toBe(true);
  });

  it("the real programs' output, where installed", async () => {
    const dir = createDir({ "plain.txt": `K=${makeKey()}\n` });
    const made: string[] = [];
    for (const [program, args, name] of [
      ["bzip2", ["-k", "plain.txt"], "plain.txt.bz2"],
      ["xz", ["-k", "plain.txt"], "plain.txt.xz"],
      ["zstd", ["-q", "plain.txt"], "plain.txt.zst"],
      ["lzma", ["-k", "plain.txt"], "plain.txt.lzma"],
    ] as const) {
      if (!hasProgram(`/usr/bin/${program}`)) {
        console.warn(`containers: ${program} is missing; its output was not tried`);
        continue;
      }
      expect(spawnSync(program, args, { cwd: dir }).status, program).toBe(0);
      made.push(name);
    }
    const report = await scanJson(dir);
    for (const name of made) expect(warned(report).some((message) => message.startsWith(`${name}: compressed as `))).toBe(true);
  });
});

/**
 * Content a gate could not scan — a compressed file a budget stopped, a format lumenguard cannot
 * decompress, an archive nested deeper than the limit — fails the gate closed (exit 3 after the
 * report), as a Git LFS object it could not read does: through real git hooks, a real commit
 * and a real push. A plain scan of the working tree keeps the warning and passes.
 */
describe("a gate fails closed on content it could not scan", () => {
  const gzipTimes = (data: Buffer, times: number): Buffer => (times === 0 ? data : gzipTimes(gzipSync(data), times - 1));
  /** Each kind of unscanned content, holding a key where the scan cannot reach it. */
  const kinds = (key: string): Record<string, { bytes: Buffer; says: string }> => ({
    // A key after 8 MiB of zeros: the ratio budget (100:1 past 1 MiB) stops before it.
    "dump.sql.gz": { bytes: gzipSync(Buffer.concat([Buffer.alloc(8 << 20), Buffer.from(`\nK=${key}\n`)])), says: "inflates more than 100:1" },
    "creds.env.bz2": { bytes: Buffer.concat([Buffer.from("BZh91AY&SY", "latin1"), Buffer.alloc(64, 7)]), says: "compressed as bzip2" },
    "deploy.tar.xz": { bytes: Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(64, 7)]), says: "compressed as xz" },
    "db.zst": { bytes: Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64, 7)]), says: "compressed as zstd" },
    "secrets.7z": { bytes: Buffer.concat([Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]), Buffer.alloc(64, 7)]), says: "compressed as 7-Zip" },
    // Five gzips, one inside the other: the innermost is inside four, and is not opened.
    "deep.gz": { bytes: gzipTimes(Buffer.from(`K=${key}\n`), 5), says: "nested 4 deep in other archives (the limit)" },
  });
  const env = { ...withoutGitOverrides(process.env), ...GIT_ENV };
  const run = (cwd: string, args: string[]) => spawnSync("git", args, { cwd, env, encoding: "utf8" });

  it("--staged (a real pre-commit hook) and --pre-push (a real push): exit 3 naming the file and what to do; `ignore` lets a known-safe file through", async () => {
    const repo = createRepo({ committed: { "README.md": "# app\n" } });
    const remote = join(createDir(), "remote.git");
    git(repo, ["init", "-q", "--bare", remote]);
    git(repo, ["remote", "add", "origin", remote]);
    git(repo, ["push", "-q", "origin", "main"]);
    mkdirSync(join(repo, ".hooks"));
    writeFileSync(join(repo, ".hooks/pre-commit"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" scan --staged\n`);
    writeFileSync(join(repo, ".hooks/pre-push"), `#!/bin/sh\nexec "${process.execPath}" "${bin}" scan --pre-push "$@"\n`);
    chmodSync(join(repo, ".hooks/pre-commit"), 0o755);
    chmodSync(join(repo, ".hooks/pre-push"), 0o755);
    git(repo, ["config", "core.hooksPath", ".hooks"]);
    const all = kinds(makeKey());
    for (const [name, { bytes: content, says }] of Object.entries(all)) {
      writeFileSync(join(repo, name), content);
      git(repo, ["add", name]);
      const commit = run(repo, ["commit", "-q", "-m", `add ${name}`]);
      expect(commit.status, `${name}: ${commit.stderr}`).not.toBe(0);
      expect(commit.stderr).toContain(`warning: ${name}`);
      expect(commit.stderr).toContain(says);
      expect(commit.stderr).toContain(`if ${name} is known to be safe, add it to the config's \`ignore\``);
      expect(commit.stderr).toContain("exit 3: this gate could not read everything it had to judge");
      // The same commit made without the hook is stopped by the push.
      git(repo, ["commit", "-q", "--no-verify", "-m", `add ${name}`]);
      const push = run(repo, ["push", "origin", "main"]);
      expect(push.status, `${name}: ${push.stderr}`).not.toBe(0);
      expect(push.stderr).toContain(`warning: ${name}`);
      expect(push.stderr).toContain("exit 3: this gate could not read everything it had to judge");
      expect(git(remote, ["rev-parse", "main"]).trim()).not.toBe(git(repo, ["rev-parse", "HEAD"]).trim());
      // What was read is scanned in full as before: the plain scan of the working tree warns, exit 0.
      const plain = await runCli(["scan", "--format", "json", name], { cwd: repo });
      expect(plain.code, plain.stderr).toBe(0);
      expect(JSON.parse(plain.stdout).warnings.map((w: Warning) => [w.file, w.incomplete])).toEqual([[name, true]]);
      git(repo, ["reset", "-q", "--hard", "origin/main"]);
    }
    // Files known to be safe are left out through the config's `ignore`: the commit and the push go through.
    for (const [name, { bytes: content }] of Object.entries(kinds("no key here"))) writeFileSync(join(repo, name), content);
    writeFileSync(join(repo, "lumenguard.config.json"), JSON.stringify({ ignore: Object.keys(all) }));
    git(repo, ["add", "-A"]);
    const commit = run(repo, ["commit", "-q", "-m", "known-safe archives"]);
    expect(commit.status, commit.stderr).toBe(0);
    const push = run(repo, ["push", "-q", "origin", "main"]);
    expect(push.status, push.stderr).toBe(0);
  }, 60_000);

  it("raising the budget scans the file whole: the key past the old budget is found (exit 1, not 3)", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "README.md": "# app\n" }, staged: { "dump.sql.gz": kinds(key)["dump.sql.gz"]!.bytes } });
    expect((await runCli(["scan", "--staged"], { cwd: repo })).code).toBe(3);
    writeFileSync(join(repo, "lumenguard.config.json"), JSON.stringify({ archives: { maxRatio: 100000 } }));
    const raised = await runCli(["scan", "--staged", "--format", "json"], { cwd: repo });
    expect(raised.code, raised.stderr).toBe(1);
    expect(places(JSON.parse(raised.stdout))).toEqual(["dump.sql.gz:2:3"]);
  });
});

/**
 * A container's own bytes are scanned as plain bytes too, beside what it holds: a key in a gzip
 * header, a zip comment or extra field, bytes around a zip, a tar header is found under the
 * container's name; a key found both inside and in the raw bytes is reported once.
 */
describe("a container's own bytes: headers, comments and what lies around it", () => {
  /** gzip of `data` with FNAME and FCOMMENT set (RFC 1952 section 2.3: FLG bits 3 and 4, each a NUL-ended string after the 10-byte header). */
  const gzipWithHeader = (data: string, name: string, comment: string) => {
    const plain = gzipSync(Buffer.from(data));
    const head = Buffer.from(plain.subarray(0, 10));
    head[3] = 0x18;
    return Buffer.concat([head, Buffer.from(`${name}\0${comment}\0`, "latin1"), plain.subarray(10)]);
  };
  /** A zip whose end record carries `comment` (APPNOTE 4.3.16: its last field, after a 2-byte length). */
  const withArchiveComment = (zipBytes: Buffer, comment: string) => {
    const out = Buffer.concat([zipBytes, Buffer.from(comment)]);
    out.writeUInt16LE(comment.length, zipBytes.length - 2);
    return out;
  };
  const fileZip = (options: { comment?: string; extra?: Record<number, Uint8Array> }) =>
    Buffer.from(zipSync({ "readme.txt": [bytes("nothing secret here\n".repeat(10)), { level: 9, ...options }] }));

  it("gzip FNAME and FCOMMENT, zip archive and entry comments, an extra field, bytes appended after a zip, tar headers (a symlink's target, a pax record, a GNU long link name), in a .tar and a .tar.gz", async () => {
    const keys = Array.from({ length: 10 }, () => makeKey());
    const symlinkTar = Buffer.concat([tarHeader("config/key", 0, "2", keys[5]), Buffer.alloc(1024)]);
    const paxRecord = (body: string) => {
      let length = body.length + 1;
      while (`${length}${body}`.length !== length) length = `${length}${body}`.length;
      return Buffer.from(`${length}${body}`);
    };
    const pax = paxRecord(` comment=deploy ${keys[6]}\n`);
    const paxTar = Buffer.concat([tarHeader("PaxHeader", pax.length, "x"), tarPadded(pax), tarHeader("notes.txt", 6, "0"), tarPadded(Buffer.from("hello\n")), Buffer.alloc(1024)]);
    const longLink = Buffer.from(`${keys[7]}/${"x".repeat(120)}\0`);
    const gnuTar = Buffer.concat([tarHeader("././@LongLink", longLink.length, "K"), tarPadded(longLink), tarHeader("cfg/key", 0, "2", "short"), Buffer.alloc(1024)]);
    const dir = createDir({
      "backup.gz": gzipWithHeader("nothing secret here\n", keys[0]!, "none"),
      "notes.gz": gzipWithHeader("nothing secret here\n", "notes.txt", `deploy ${keys[1]}`),
      "archive-comment.zip": withArchiveComment(fileZip({}), `deploy key ${keys[2]}`),
      "entry-comment.zip": fileZip({ comment: `deploy key ${keys[3]}` }),
      "extra-field.zip": fileZip({ extra: { 0xcafe: bytes(keys[4]!) } }),
      "trailing.zip": Buffer.concat([fileZip({}), Buffer.from(`LUMENFALL_API_KEY=${keys[8]}\n`)]),
      "symlink.tar": symlinkTar,
      "symlink.tar.gz": gzipSync(symlinkTar),
      "pax.tar.gz": gzipSync(paxTar),
      "longlink.tar": gnuTar,
    });
    const report = await scanJson(dir);
    const found = (name: string) => report.findings.filter((f) => f.file === name).map((f) => f.secret?.keyId);
    const id = (key: string) => key.slice(6, key.indexOf("."));
    expect(found("backup.gz")).toEqual([id(keys[0]!)]);
    expect(found("notes.gz")).toEqual([id(keys[1]!)]);
    expect(found("archive-comment.zip")).toEqual([id(keys[2]!)]);
    // Each is found where it is in the raw bytes (fflate writes an entry's extra field in its local header and in the directory: two places).
    expect(found("entry-comment.zip")).toEqual([id(keys[3]!)]);
    expect(found("extra-field.zip")).toEqual([id(keys[4]!), id(keys[4]!)]);
    expect(found("trailing.zip")).toEqual([id(keys[8]!)]);
    expect(found("symlink.tar")).toEqual([id(keys[5]!)]);
    expect(found("symlink.tar.gz")).toEqual([id(keys[5]!)]);
    expect(found("pax.tar.gz")).toEqual([id(keys[6]!)]);
    expect(found("longlink.tar")).toEqual([id(keys[7]!)]);
    expect(report.warnings).toEqual([]);
  });

  it("a key inside an entry (stored, or in an uncompressed tar) is reported once, from inside, not again from the raw bytes", async () => {
    const key = makeKey();
    const stored = Buffer.from(zipSync({ "app.env": [bytes(`K=${key}`), { level: 0 }] }));
    const dir = createDir({ "stored.zip": stored, "plain.tar": buildTar({ "conf/app.env": `K=${key}\n` }) });
    const report = await scanJson(dir);
    expect(places(report)).toEqual(["plain.tar!conf/app.env:1:3", "stored.zip!app.env:1:3"]);
  });

  it("a zip with bytes before it (a shell stub and a zip, as self-extracting installers are): its entries are scanned, in the working tree, --staged and --history", async () => {
    const key = makeKey();
    const payload = Buffer.from(zipSync({ "app.env": [bytes(`LUMENFALL_API_KEY=${key}\n${"LOG_LEVEL=info\n".repeat(50)}`), { level: 9 }] }));
    const installer = Buffer.concat([Buffer.from('#!/bin/sh\nunzip -o "$0" -d /opt/app; exit 0\n'), payload]);
    // A stub bigger than one read (64 KiB) before the zip, too.
    const bigStub = Buffer.concat([Buffer.from(`#!/bin/sh\n${"# padding line\n".repeat(10_000)}exit 0\n`), payload]);
    const repo = createRepo({ committed: { "README.md": "x\n" } });
    // Under a zip's name, a file on disk is read at offsets from its directory: the zip is found where its end record says it starts.
    writeFiles(repo, { "installer.sh": installer, "big-installer.sh": bigStub, "prefixed.zip": installer });
    const expected = ["big-installer.sh!app.env:1:19", "installer.sh!app.env:1:19", "prefixed.zip!app.env:1:19"];
    const worktree = await scanJson(repo);
    expect(places(worktree), JSON.stringify(worktree)).toEqual(expected);
    git(repo, ["add", "-A"]);
    const staged = await runCli(["scan", "--staged", "--format", "json"], { cwd: repo });
    expect(places(JSON.parse(staged.stdout))).toEqual(expected);
    git(repo, ["commit", "-q", "-m", "installers"]);
    expect(places(await scanJson(repo, ["--history"]))).toEqual(expected);
    // unzip opens it too (it warns of the bytes before the zip).
    if (hasProgram("/usr/bin/unzip")) expect(spawnSync("/usr/bin/unzip", ["-p", join(repo, "installer.sh"), "app.env"], { encoding: "utf8" }).stdout).toContain("LUMENFALL_API_KEY=lmnfl_");
  });
});

/**
 * `ar` archives (`!<arch>\n`): a Debian package's members — `control.tar.gz`, `data.tar.gz` — are
 * opened in turn, so a key in a packaged config file is found; GNU long names and BSD names read.
 */
describe("ar archives (.deb, .ipk, static libraries)", () => {
  /** An ar member header (60 bytes) and its data, padded to an even length. */
  const arMember = (name: string, data: Buffer) => {
    const head = `${name.padEnd(16)}${"0".padEnd(12)}${"0".padEnd(6)}${"0".padEnd(6)}${"100644".padEnd(8)}${String(data.length).padEnd(10)}\`\n`;
    return Buffer.concat([Buffer.from(head, "latin1"), data, data.length % 2 ? Buffer.from("\n") : Buffer.alloc(0)]);
  };
  const ar = (...members: Buffer[]) => Buffer.concat([Buffer.from("!<arch>\n"), ...members]);

  it("a hand-built .deb (data.tar.gz holding a key), GNU long names, BSD names, an .xz member said (a gate fails closed on it): in the working tree, --staged and --history", async () => {
    const key = makeKey();
    const deb = ar(arMember("debian-binary", Buffer.from("2.0\n")), arMember("control.tar.gz", gzipSync(buildTar({ "./control": "Package: app\n" }))), arMember("data.tar.gz", gzipSync(buildTar({ "./etc/app/app.env": `LUMENFALL_API_KEY=${key}\n` }))));
    const longName = "a-very-long-member-name-for-gnu.env";
    const table = Buffer.from(`${longName}/\n`);
    const gnu = ar(arMember("//", table), arMember("/0", Buffer.from(`K=${key}\n`)), arMember("short.txt/", Buffer.from(`K=${key}\n`)));
    const bsd = ar(arMember("#1/20", Buffer.concat([Buffer.from("bsd-long-name.env\0\0\0"), Buffer.from(`K=${key}\n`)])));
    const xz = ar(arMember("debian-binary", Buffer.from("2.0\n")), arMember("data.tar.xz", Buffer.concat([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.alloc(64, 7)])));
    const repo = createRepo({ committed: { "README.md": "x\n" } });
    writeFiles(repo, { "dist/app.deb": deb, "lib/libgnu.a": gnu, "lib/libbsd.a": bsd, "dist/other.deb": xz });
    const expected = ["dist/app.deb!data.tar.gz!etc/app/app.env:1:19", `lib/libbsd.a!bsd-long-name.env:1:3`, `lib/libgnu.a!${longName}:1:3`, "lib/libgnu.a!short.txt:1:3"];
    const worktree = await scanJson(repo);
    expect(places(worktree)).toEqual(expected);
    expect(warned(worktree)).toEqual(["dist/other.deb!data.tar.xz: compressed as xz, which lumenguard cannot decompress; what it holds was not scanned"]);
    git(repo, ["add", "-A"]);
    const staged = await runCli(["scan", "--staged", "--format", "json"], { cwd: repo });
    expect(staged.code).toBe(3);
    expect(places(JSON.parse(staged.stdout))).toEqual(expected);
    expect(staged.stderr).toContain("if dist/other.deb is known to be safe, add it to the config's `ignore`");
    git(repo, ["commit", "-q", "-m", "packages"]);
    expect(places(await scanJson(repo, ["--history"]))).toEqual(expected);
  });

  it.skipIf(!hasProgram("/usr/bin/dpkg-deb"))("a .deb built by dpkg-deb (skipped where dpkg-deb is missing)", async () => {
    const key = makeKey();
    const dir = createDir({ "pkg/DEBIAN/control": "Package: app\nVersion: 1.0\nArchitecture: all\nMaintainer: a <a@b.c>\nDescription: x\n", "pkg/etc/app/app.env": `LUMENFALL_API_KEY=${key}\n${"LOG=info\n".repeat(30)}` });
    expect(spawnSync("/usr/bin/dpkg-deb", ["-Zgzip", "--build", "pkg", "app.deb"], { cwd: dir }).status).toBe(0);
    const outcome = await runCli(["scan", "--format", "json", "app.deb"], { cwd: dir });
    expect(places(JSON.parse(outcome.stdout))).toEqual(["app.deb!data.tar.gz!etc/app/app.env:1:19"]);
  });
});

/** PDF: FlateDecode streams (how nearly every PDF stores page text) are inflated and scanned; the rest is the file's own bytes. */
describe("PDF files", () => {
  /** A one-page PDF whose page content is `content` in one stream with `filter` (ISO 32000-1 7.3.8). */
  const pdf = (streams: Array<{ data: Buffer; filter?: string }>) => {
    const parts: Buffer[] = [Buffer.from("%PDF-1.4\n")];
    streams.forEach(({ data, filter }, index) => {
      const dict = `<< /Length ${data.length}${filter ? ` /Filter ${filter}` : ""} >>`;
      parts.push(Buffer.from(`${index + 4} 0 obj\n${dict}\nstream\n`), data, Buffer.from("\nendstream\nendobj\n"));
    });
    parts.push(Buffer.from("trailer\n<< /Root 1 0 R >>\n%%EOF\n"));
    return Buffer.concat(parts);
  };
  const page = (text: string) => Buffer.from(`BT /F1 12 Tf 72 720 Td (${text}) Tj ET`);

  it("a key in a FlateDecode stream is found under the object's name, in the working tree, --staged and --history; an uncompressed stream is read as the file's bytes; a chain of filters is said", async () => {
    const [flateKey, plainKey] = [makeKey(), makeKey()];
    const { deflateSync } = await import("node:zlib");
    const runbook = pdf([{ data: deflateSync(page("nothing here")), filter: "/FlateDecode" }, { data: deflateSync(page(`LUMENFALL_API_KEY=${flateKey}`)), filter: "/FlateDecode" }, { data: page(`key ${plainKey}`) }]);
    const chained = pdf([{ data: Buffer.from(deflateSync(page("x")).toString("hex")), filter: "[/ASCIIHexDecode /FlateDecode]" }]);
    const repo = createRepo({ committed: { "README.md": "x\n" } });
    writeFiles(repo, { "docs/runbook.pdf": runbook, "docs/chained.pdf": chained });
    const expected = ["docs/runbook.pdf!obj-5:1:43", `docs/runbook.pdf:1:${runbook.indexOf("lmnfl_") + 1}`];
    const worktree = await scanJson(repo);
    expect(places(worktree)).toEqual(expected);
    expect(warned(worktree)).toEqual(["docs/chained.pdf: holds streams compressed by a chain of filters (such as ASCII85 then Flate), which lumenguard does not decode; their text was not scanned"]);
    git(repo, ["add", "-A"]);
    const staged = await runCli(["scan", "--staged", "--format", "json"], { cwd: repo });
    expect(places(JSON.parse(staged.stdout))).toEqual(expected);
    expect(staged.code).toBe(3);
    git(repo, ["commit", "-q", "-m", "docs"]);
    expect(places(await scanJson(repo, ["--history"]))).toEqual(expected);
  });
});
