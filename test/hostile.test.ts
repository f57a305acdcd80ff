import { chmodSync, closeSync, existsSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, symlinkSync, writeFileSync, writeSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ScanResult } from "../src/types.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { hasProgram, lumenguard, shell } from "./helpers/process.js";
import { createDir, createRepo, git, writeFiles } from "./helpers/repo.js";

/**
 * The worst a repository can hold, each case a test. Nothing may crash, hang,
 * leak a key or pass in silence. Cases already covered elsewhere are not repeated here:
 * names in git (worktree.test.ts), symlinks out of a repo (worktree.test.ts), UTF-16, CRLF and
 * binary bytes in the engine (engine.test.ts), config field errors (cli.test.ts).
 */

const json = (stdout: string) => JSON.parse(stdout) as ScanResult;
const scanJson = async (cwd: string, args: string[] = []) => {
  const outcome = await runCli(["scan", "--format", "json", ...args], { cwd });
  return { ...outcome, report: json(outcome.stdout) };
};
const where = (report: ScanResult) => report.findings.map((f) => `${f.file}:${f.line}:${f.column}`);

describe("hostile contents", () => {
  it("binary files: a key between random bytes is found at its byte offset; binary noise alone is nothing", async () => {
    const key = makeKey();
    const noise = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919 + (i >> 3)) & 0xff));
    noise[10] = 0; // a NUL early on: binary content
    const planted = Buffer.concat([noise.subarray(0, 50_000), Buffer.from(key), noise.subarray(50_000)]);
    const repo = createRepo({ committed: { "app.wasm": planted, "noise.bin": noise } });
    const { code, report } = await scanJson(repo);
    expect(code).toBe(1);
    expect(where(report)).toEqual(["app.wasm:1:50001"]);
  });

  // /usr/bin/time (Debian's `time`) measures peak memory; without it the case cannot run: a visible skip.
  it.skipIf(!hasProgram("/usr/bin/time"))("a 2 GB sparse file: the key near its end is found, and peak memory stays bounded (needs /usr/bin/time)", () => {
    const key = makeKey();
    const dir = createDir();
    const fd = openSync(join(dir, "huge.img"), "w");
    const size = 2 * 1024 ** 3;
    const at = size - 4096;
    ftruncateSync(fd, size);
    writeSync(fd, Buffer.from(` "${key}" `), 0, undefined, at);
    closeSync(fd);
    const run = shell(`/usr/bin/time -f 'peak-kb %M' $LG scan --format json .`, dir, { timeout: 60_000 });
    expect(run.status).toBe(1);
    const report = json(run.stdout);
    // Zeros first: binary, so line 1 and the byte offset (1-based), after the space and quote.
    expect(where(report)).toEqual([`huge.img:1:${at + 3}`]);
    expect(report.stats.bytes).toBe(size);
    const peakKb = Number(run.stderr.match(/peak-kb (\d+)/)?.[1]);
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb).toBeLessThan(200 * 1024); // under 200 MB
  }, 60_000);

  it("a 50 MB single-line minified file: the key is found once at the right column, and the report never holds the line", async () => {
    const key = makeKey();
    const half = "var a=1;".repeat((25 * 1024 * 1024) / 8);
    const dir = createDir({ "app.min.js": `${half}k="${key}";${half}` });
    for (const format of ["json", "text"]) {
      const { code, stdout, stderr } = await runCli(["scan", "--format", format], { cwd: dir });
      expect(code).toBe(1);
      if (format === "json") expect(where(json(stdout))).toEqual([`app.min.js:1:${half.length + 4}`]);
      // A short window around the redacted key, never the line (README, client output).
      expect(stdout.length + stderr.length).toBeLessThan(16_000);
      expect(stdout).not.toContain("var a=1;".repeat(20));
      expect(stdout + stderr).not.toContain(key);
    }
  });

  it("UTF-16 LE and BE files with a BOM: keys found, on the right line", async () => {
    const key = makeKey();
    const text = `// first\r\nconst x = 1;\r\nconst k = "${key}";\r\n`;
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.from(le);
    be.swap16();
    const repo = createRepo({ committed: { "le.cs": le, "be.cs": be } });
    const { code, report } = await scanJson(repo);
    expect(code).toBe(1);
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toEqual(["be.cs:3", "le.cs:3"]);
  });

  it("invalid UTF-8 (stray Latin-1 bytes, a lone surrogate, truncated sequences) does not move the key's line or column", async () => {
    const key = makeKey();
    const bytes = Buffer.concat([Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x0a]), Buffer.from(`  k = "${key}"\n`), Buffer.from([0xff, 0xc0])]);
    const dir = createDir({ "latin1.txt": bytes });
    const { code, report } = await scanJson(dir);
    expect(code).toBe(1);
    expect(where(report)).toEqual(["latin1.txt:3:8"]);
  });

  it("CRLF line endings, through the CLI in every mode", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "crlf.ts": `a\r\nb\r\nconst k = "${key}";\r\n` } });
    git(repo, ["config", "core.autocrlf", "false"]);
    expect(where((await scanJson(repo)).report)).toEqual(["crlf.ts:3:12"]);
    expect(where((await scanJson(repo, ["--history"])).report)).toEqual(["crlf.ts:3:12"]);
    writeFileSync(join(repo, "staged.ts"), `x\r\n\r\n  "${key}"\r\n`);
    git(repo, ["add", "staged.ts"]);
    expect(where((await scanJson(repo, ["--staged"])).report)).toEqual(["staged.ts:3:4"]);
  });

  it("NUL bytes: a key after them is found once (binary positions); a key cut by a NUL is not a key", async () => {
    const key = makeKey();
    const cut = `${key.slice(0, 20)}\u0000${key.slice(20)}`;
    const dir = createDir({ "nul.dat": `head\u0000\u0000tail\n"${key}"\n`, "cut.dat": `x\u0000 "${cut}"` });
    const { code, report } = await scanJson(dir);
    expect(code).toBe(1);
    expect(where(report)).toEqual(["nul.dat:1:13"]);
  });
});

describe("hostile names", () => {
  const names = ["with space.ts", "new\nline.ts", "ünï/çødé.ts", "-rf.js", "--help.ts", " lead.ts"];

  it("spaces, newlines, unicode and leading dashes outside git, and in --staged and --history", async () => {
    const key = makeKey();
    const files = Object.fromEntries(names.map((name) => [name, `k = "${key}"\n`]));
    expect((await scanJson(createDir(files))).report.findings.map((f) => f.file).sort()).toEqual([...names].sort());
    const repo = createRepo({ staged: files });
    expect((await scanJson(repo, ["--staged"])).report.findings.map((f) => f.file).sort()).toEqual([...names].sort());
    git(repo, ["commit", "-q", "-m", "odd names"]);
    expect((await scanJson(repo, ["--history"])).report.findings.map((f) => f.file).sort()).toEqual([...names].sort());
  });

  it("a leading-dash file given as an argument: after `--` it is a path; without, an unknown option (exit 2)", () => {
    const key = makeKey();
    const dir = createDir({ "-rf.js": `k = "${key}"\n` });
    const found = lumenguard(["scan", "--format", "json", "--", "-rf.js"], dir);
    expect(found.status).toBe(1);
    expect(json(found.stdout).findings.map((f) => f.file)).toEqual(["-rf.js"]);
    const option = lumenguard(["scan", "-rf.js"], dir);
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("Unknown option");
    expect(option.stdout + option.stderr).not.toContain(key);
  });
});

describe("links and special files", () => {
  it("symlink loops and links out of the tree are never followed, in git and in a walk", async () => {
    const outside = createDir({ "secret.txt": makeKey() });
    for (const dir of [createRepo({ committed: { "a.ts": "" } }), createDir({ "a.ts": "" })]) {
      symlinkSync("loop-b", join(dir, "loop-a"));
      symlinkSync("loop-a", join(dir, "loop-b"));
      symlinkSync(".", join(dir, "self"));
      symlinkSync("..", join(dir, "up"));
      symlinkSync(join(outside, "secret.txt"), join(dir, "out.txt"));
      symlinkSync(outside, join(dir, "outdir"));
      const { code, report } = await scanJson(dir);
      expect(code).toBe(0);
      expect(report.findings).toEqual([]);
      expect(report.stats.skipped).toBe(0);
    }
  });

  it("a symlink loop given as an argument is exit 3, not a hang", () => {
    const dir = createDir();
    symlinkSync("loop", join(dir, "loop"));
    const run = lumenguard(["scan", "loop"], dir, { timeout: 10_000 });
    expect(run.status).toBe(3);
    expect(run.stderr).toContain("symlink loop");
  });

  // chmod 000 does not stop root: as root the binary runs as nobody through setpriv, or the case is a visible skip.
  it.skipIf(process.getuid?.() === 0 && !hasProgram("/usr/bin/setpriv"))("unreadable files: a warning, counted, and the scan goes on (as root: needs setpriv)", async () => {
    const key = makeKey();
    const dir = createDir({ "ok.ts": `k = "${key}"\n`, "locked.ts": "x" });
    chmodSync(dir, 0o755);
    chmodSync(join(dir, "locked.ts"), 0o000);
    const asRoot = process.getuid?.() === 0;
    // Root reads anything: run the real binary as nobody instead (setpriv drops to uid 65534).
    const run = asRoot
      ? shell("exec /usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups $LG scan --format json .", dir)
      : await runCli(["scan", "--format", "json", "."], { cwd: dir }).then((r) => ({ status: r.code, stdout: r.stdout, stderr: r.stderr }));
    expect(run.status).toBe(1);
    const report = json(run.stdout);
    expect(report.findings.map((f) => f.file)).toEqual(["ok.ts"]);
    expect(report.warnings).toEqual([{ code: "unreadable", message: "locked.ts: permission denied; skipped", file: "locked.ts" }]);
    expect(report.stats.skipped).toBe(1);
    expect(run.stderr).toContain("1 unreadable");
  });

  it("a folder where git tracks a file, or a submodule, is said once and not counted as unreadable", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "was-a-file": "x", "b.ts": `k = "${key}"\n` } });
    rmSync(join(repo, "was-a-file"));
    mkdirSync(join(repo, "was-a-file"));
    writeFileSync(join(repo, "was-a-file/inner.ts"), `k = "${key}"\n`);
    const { code, report } = await scanJson(repo);
    expect(code).toBe(1);
    expect(report.findings.map((f) => f.file)).toEqual(["b.ts", "was-a-file/inner.ts"]);
    expect(report.warnings).toEqual([expect.objectContaining({ code: "submodule", file: "was-a-file" })]);
    expect(report.stats.skipped).toBe(0);
  });

  describe("FIFOs and sockets: skipped, never blocking", () => {
    const servers: Server[] = [];
    afterEach(async () => {
      await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
    });
    const socketAt = (path: string) =>
      new Promise<void>((resolvePromise, reject) => {
        const server = createServer();
        servers.push(server);
        server.once("error", reject);
        server.listen(path, resolvePromise);
      });
    const mkfifo = (path: string) => expect(shell(`mkfifo '${path}'`, "/").status).toBe(0);

    it("in a repository (untracked) and in a plain folder: the scan finishes at once", async () => {
      const key = makeKey();
      for (const dir of [createRepo({ committed: { "a.ts": `k = "${key}"\n` } }), createDir({ "a.ts": `k = "${key}"\n` })]) {
        mkfifo(join(dir, "pipe"));
        await socketAt(join(dir, "app.sock"));
        const started = Date.now();
        const run = lumenguard(["scan", "--format", "json"], dir, { timeout: 10_000 });
        expect(run.status).toBe(1);
        expect(Date.now() - started).toBeLessThan(5_000);
        expect(json(run.stdout).findings.map((f) => f.file)).toEqual(["a.ts"]);
        expect(json(run.stdout).stats.files).toBe(1);
      }
    });

    it("a tracked path replaced by a FIFO or a socket: skipped with a warning in scan; read from the index in --staged", async () => {
      const key = makeKey();
      const repo = createRepo({ committed: { "pipe.ts": "x", "sock.ts": "y", "ok.ts": "z" } });
      rmSync(join(repo, "pipe.ts"));
      rmSync(join(repo, "sock.ts"));
      mkfifo(join(repo, "pipe.ts"));
      await socketAt(join(repo, "sock.ts"));
      const run = lumenguard(["scan", "--format", "json"], repo, { timeout: 10_000 });
      expect(run.status).toBe(0);
      const report = json(run.stdout);
      expect(report.warnings.map((w) => w.message).sort()).toEqual([
        "pipe.ts: not a regular file (a FIFO or socket); skipped",
        "sock.ts: not a regular file (a FIFO or socket); skipped",
      ]);
      expect(report.stats).toMatchObject({ files: 1, skipped: 2 });
      // --staged: the staged blob is what counts; the FIFO on disk is never opened for it.
      const other = createRepo({ committed: { "a.ts": "x" } });
      writeFileSync(join(other, "a.ts"), `k = "${key}"\n`);
      git(other, ["add", "a.ts"]);
      rmSync(join(other, "a.ts"));
      mkfifo(join(other, "a.ts"));
      const staged = lumenguard(["scan", "--staged", "--format", "json"], other, { timeout: 10_000 });
      expect(staged.status).toBe(1);
      expect(json(staged.stdout).findings.map((f) => f.file)).toEqual(["a.ts"]);
    });

    it("a FIFO given as an argument is a warning, not a hang", () => {
      const dir = createDir({ "a.ts": "" });
      mkfifo(join(dir, "pipe"));
      const run = lumenguard(["scan", "pipe", "a.ts"], dir, { timeout: 10_000 });
      expect(run.status).toBe(0);
      expect(run.stderr).toContain("pipe is not a regular file or folder");
    });

    it("only a FIFO given: nothing readable at all is exit 3, at once", () => {
      const dir = createDir();
      mkfifo(join(dir, "pipe"));
      const run = lumenguard(["scan", "pipe"], dir, { timeout: 10_000 });
      expect(run.status).toBe(3);
      expect(run.stderr).toContain("nothing readable was given");
    });
  });
});

describe("scale", () => {
  it("100,000 files under a 128-descriptor limit: every file read, no EMFILE", () => {
    const key = makeKey();
    // In memory when the machine has a tmpfs: 100,000 inodes on a busy disk take ten times longer.
    const dir = existsSync("/dev/shm") ? mkdtempSync("/dev/shm/lumenguard-test-") : createDir();
    try {
      // Written by a child node: the same loop inside the test worker runs ten times slower.
      const generate = `const fs = require("fs");
        for (let d = 0; d < 100; d++) {
          fs.mkdirSync("d" + d);
          for (let f = 0; f < 1000; f++) fs.writeFileSync("d" + d + "/f" + f + ".txt", d === 42 && f === 420 ? 'k = "' + process.env.KEY + '"\\n' : "line " + f + "\\n");
        }`;
      expect(spawnSync(process.execPath, ["-e", generate], { cwd: dir, env: { KEY: key }, stdio: "ignore" }).status).toBe(0);
      const check = (label: string) => {
        const run = shell("ulimit -n 128 && exec $LG scan --format json .", dir, { timeout: 60_000 });
        expect(run.stderr, label).not.toMatch(/EMFILE|ENFILE|too many open files/i);
        expect(run.status, label).toBe(1);
        const report = json(run.stdout);
        expect(report.stats.files, label).toBe(100_000);
        expect(report.stats.skipped, label).toBe(0);
        expect(where(report), label).toEqual(["d42/f420.txt:1:6"]);
      };
      check("walk");
      git(dir, ["init", "-q"]);
      check("git, untracked");
    } finally {
      // rm -rf is many times faster than the helper's recursive rmSync on 100,000 files.
      shell(`rm -rf '${dir}'`, "/");
    }
  }, 60_000);

  it("deep nesting: 200 levels are scanned; past PATH_MAX the missed folder is said, not skipped in silence", async () => {
    const key = makeKey();
    const shallow = createDir({ [`${Array.from({ length: 200 }, (_, i) => `d${i}`).join("/")}/leaf.ts`]: `k = "${key}"\n` });
    expect((await scanJson(shallow)).report.findings).toHaveLength(1);
    git(shallow, ["init", "-q"]);
    expect((await scanJson(shallow)).report.findings).toHaveLength(1);

    // 200 folders of 25 characters: 5,000+ bytes, longer than PATH_MAX (4096). Made with relative steps.
    const deep = createDir();
    try {
      await scanBeyondPathMax(deep, key);
    } finally {
      // Node's recursive rm works on whole paths and fails past PATH_MAX; rm -rf does not.
      shell("rm -rf d_________________________1 half", deep);
    }
  });
});

async function scanBeyondPathMax(deep: string, key: string): Promise<void> {
  // 200 folders of 27 characters: 5,400 bytes, longer than PATH_MAX (4096). No call can take
  // the whole path, so two halves are made apart and the second is renamed into the first.
  const level = (from: number) => Array.from({ length: 100 }, (_, i) => `d_________________________${from + i}`).join("/");
  mkdirSync(join(deep, level(1)), { recursive: true });
  writeFiles(join(deep, "half"), { [`${level(101)}/leaf.ts`]: `k = "${key}"\n` });
  renameSync(join(deep, "half/d_________________________101"), join(deep, level(1), "d_________________________101"));
  for (const label of ["walk", "git"]) {
    if (label === "git") git(deep, ["init", "-q"]);
    const { code, report } = await scanJson(deep);
    expect({ code, findings: where(report) }, label).toEqual({ code: 0, findings: [] });
    expect(report.warnings.map((w) => w.message).join("\n"), label).toMatch(label === "walk" ? /could not be read \(ENAMETOOLONG\)/ : /git ls-files could not read everything/);
  }
}
