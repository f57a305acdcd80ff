import { afterEach, describe, expect, it } from "vitest";
import { fingerprintSecret } from "../src/engine/fingerprint.js";
import { runCli } from "./helpers/cli.js";
import { scanText } from "./helpers/engine.js";
import { makeKey } from "./helpers/keys.js";
import { createDir } from "./helpers/repo.js";
import { startVerifyServer, type VerifyServer } from "./helpers/verify-server.js";

/**
 * A key written in pieces is one key. Where the pieces join for sure (base64 wrapped at a fixed
 * width, string literals joined by `+`, a backslash-newline) the whole key is reported, with its
 * own last four and fingerprint; where the key visibly goes on but cannot be joined for sure, the
 * match is reported as partial — no last four, no fingerprint claimed as the key's, and
 * `--verify` does not send it. A fragment is never reported as a key.
 */
const realKey = () => makeKey({ keyIdLength: 12, secretLength: 44 });

interface Seen {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  lastFour: string | undefined;
  fingerprint: string | undefined;
  partial: boolean;
}

function seen(path: string, text: string): Seen[] {
  return scanText(text, { path, facts: { git: "tracked" } })
    .findings.filter((finding) => finding.ruleId === "lumenfall-key")
    .map((finding) => ({
      line: finding.line,
      column: finding.column,
      endLine: finding.endLine,
      endColumn: finding.endColumn,
      lastFour: finding.secret?.lastFour,
      fingerprint: finding.secret?.fingerprint,
      partial: finding.secret?.partial === true,
    }));
}

function whole(key: string, line: number, column: number, endLine: number, endColumn: number): Seen {
  return { line, column, endLine, endColumn, lastFour: key.slice(-4), fingerprint: fingerprintSecret(key), partial: false };
}

describe("pieces that join for sure are one key", () => {
  it("string literals joined by +, on one line or across lines, in either quote", () => {
    const key = realKey();
    const [a, b] = [key.slice(0, 40), key.slice(40)];
    expect(seen("a.js", `const KEY = "${a}" +\n  "${b}";\n`)).toEqual([whole(key, 1, 14, 2, 4 + b.length)]);
    expect(seen("a.ts", `const KEY = '${a}'\n  + '${b}';\n`)).toEqual([whole(key, 1, 14, 2, 6 + b.length)]);
    expect(seen("a.js", `k = \`${a}\` + \`${b}\`;\n`)).toEqual([whole(key, 1, 6, 1, 6 + key.length + 5)]);
    // Split in the key id, before the dot, and right after it.
    const dot = key.indexOf(".");
    for (const at of [9, dot, dot + 1]) {
      expect(seen("a.java", `String k = "${key.slice(0, at)}" +\n    "${key.slice(at)}";\n`)[0], `split at ${at}`).toMatchObject({ lastFour: key.slice(-4), fingerprint: fingerprintSecret(key) });
    }
  });

  it("a backslash-newline inside a shell or JavaScript string", () => {
    const key = realKey();
    expect(seen("a.sh", `export KEY="${key.slice(0, 40)}\\\n${key.slice(40)}"\n`)).toEqual([whole(key, 1, 13, 2, key.length - 40 + 1)]);
    expect(seen("a.js", `const k = "${key.slice(0, 30)}\\\n${key.slice(30)}";\n`)).toEqual([whole(key, 1, 12, 2, key.length - 30 + 1)]);
  });

  it("adjacent literals in Python and C, `.` in PHP, an escaped line break in a YAML double-quoted scalar", () => {
    const key = realKey();
    const [a, b] = [key.slice(0, 33), key.slice(33)];
    expect(seen("settings.py", `KEY = (\n    "${a}"\n    "${b}"\n)\n`)).toEqual([whole(key, 2, 6, 3, 6 + b.length)]);
    expect(seen("key.h", `#define KEY "${a}" "${b}"\n`)).toEqual([whole(key, 1, 14, 1, 14 + key.length + 3)]);
    expect(seen("config.php", `$key = '${a}' .\n  '${b}';\n`)).toEqual([whole(key, 1, 9, 2, 4 + b.length)]);
    expect(seen("values.yaml", `api:\n  key: "${a}\\\n    ${b}"\n`)).toEqual([whole(key, 2, 9, 3, 5 + b.length)]);
  });

  it("a backslash-newline between adjacent literals (Python, Ruby), touching quoted words in shell, || in SQL, a comment or parentheses between joined literals", () => {
    const key = realKey();
    // Split inside the secret's first characters: the first piece alone is too short to be a key.
    const cut = key.indexOf(".") + 7;
    const [a, b] = [key.slice(0, cut), key.slice(cut)];
    for (const [path, text] of [
      ["settings.py", `API_KEY = "${a}" \\
    "${b}"
`],
      ["settings.rb", `API_KEY = "${a}" \\
    "${b}"
`],
      ["deploy.sh", `export LUMENFALL_API_KEY="${a}""${b}"
`],
      ["seed.sql", `INSERT INTO cfg VALUES ('${a}' || '${b}');
`],
      ["comment.js", `const k = "${a}" /* part 2 */ + "${b}";
`],
      ["parens.ts", `const k = ("${a}") + ("${b}");
`],
    ] as const) {
      const found = seen(path, text);
      expect(found, path).toHaveLength(1);
      expect(found[0], path).toMatchObject({ partial: false, lastFour: key.slice(-4), fingerprint: fingerprintSecret(key) });
    }
  });

  it("a whole key passed on its own is never joined to what follows a closing parenthesis", () => {
    const key = realKey();
    expect(seen("a.js", `const url = use("${key}") + "Suffix";\n`)).toEqual([whole(key, 1, 18, 1, 18 + key.length)]);
  });

  it("base64 wrapped at 76 columns (GNU base64) or 64 (openssl, PEM): the key across the wrap, whatever its alignment", () => {
    let straddling = 0;
    for (const width of [76, 64]) {
      for (let pad = 0; pad < 80; pad++) {
        const key = realKey();
        const env = `${"#".repeat(pad)}\nNODE_ENV=production\nLUMENFALL_API_KEY=${key}\nPORT=3000\n`;
        const wrapped = Buffer.from(env).toString("base64").replace(new RegExp(`(.{${width}})`, "g"), "$1\n");
        const found = seen("env.b64", wrapped);
        // Where the key's base64 starts and ends (characters of the unwrapped text), and where `lmnfl_`'s ends.
        const at = env.indexOf(key);
        const [first, prefixLast, last] = [Math.floor((at * 4) / 3), Math.ceil(((at + 6) * 4) / 3) - 1, Math.ceil(((at + key.length) * 4) / 3) - 1];
        const row = (char: number) => Math.floor(char / width);
        const label = `width ${width}, pad ${pad}`;
        if (row(first) !== row(prefixLast)) {
          // `lmnfl_` itself broken by the wrap is not found (README, Limits) — and never as a fragment.
          expect(found, label).toEqual([]);
          continue;
        }
        expect(found, label).toHaveLength(1);
        expect(found[0], label).toMatchObject({ line: row(first) + 1, endLine: row(last) + 1, lastFour: key.slice(-4), fingerprint: fingerprintSecret(key), partial: false });
        if (row(first) !== row(last)) straddling++;
      }
    }
    // Most of these keys straddle a wrap: every one of them was joined.
    expect(straddling).toBeGreaterThan(100);
  });

  it("base64 cut by a line break that is not a fixed-width wrap is a partial key", () => {
    const key = realKey();
    const encoded = Buffer.from(`LUMENFALL_API_KEY=${key}\n`).toString("base64");
    // A line whose width is no whole number of quads: not a wrap a tool makes.
    const text = `${encoded.slice(0, 78)}\n${encoded.slice(78)}\n`;
    const found = seen("env.b64", text);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ partial: true, lastFour: "" });
  });
});

describe("pieces that cannot be joined for sure are a partial key", () => {
  const partial = (text: string, path: string) => {
    const found = seen(path, text);
    expect(found, text).toHaveLength(1);
    expect(found[0]!.partial, text).toBe(true);
    expect(found[0]!.lastFour, text).toBe("");
    return found[0]!;
  };

  it("a YAML folded or plain multi-line scalar, a wrapped line of text, a literal joined to a variable", () => {
    const key = realKey();
    const [a, b] = [key.slice(0, 40), key.slice(40)];
    for (const [path, text] of [
      ["values.yaml", `api:\n  key: >-\n    ${a}\n    ${b}\n`],
      ["values.yaml", `key: ${a}\n  ${b}\n`],
      ["notes.txt", `Use this key:\n${a}\n${b}\n`],
      ["a.js", `const k = "${a}" + suffix;\n`],
      ["a.sh", `export KEY=${a}\\\n    ${b}\n`],
    ] as const) {
      const found = partial(text, path);
      // Never the key's fingerprint, nor the fragment's own as if it were a key.
      expect(found.fingerprint).not.toBe(fingerprintSecret(key));
      expect(found.fingerprint).not.toBe(fingerprintSecret(a));
    }
  });

  it("a key at the end of a line followed by other code, prose or another key is whole", () => {
    const [k1, k2] = [realKey(), realKey()];
    expect(seen(".env.example", `LUMENFALL_API_KEY=${k1}\nOTHER_VAR=1\n`)).toEqual([whole(k1, 1, 19, 1, 19 + k1.length)]);
    expect(seen("notes.md", `the key is ${k1}\nand it is revoked\n`)).toEqual([whole(k1, 1, 12, 1, 12 + k1.length)]);
    expect(seen("keys.txt", `${k1}\n${k2}\n`)).toEqual([whole(k1, 1, 1, 1, 1 + k1.length), whole(k2, 2, 1, 2, 1 + k2.length)]);
    expect(seen("a.js", `const k = "${k1}" + "\\n";\n`)).toEqual([whole(k1, 1, 12, 1, 12 + k1.length)]);
  });

  it("base64 of a key at the end of a line followed by the next entry of a map (a Kubernetes Secret's data) is whole", () => {
    for (const key of [realKey(), makeKey(), makeKey({ keyIdLength: 10, secretLength: 41 })]) {
      const encoded = Buffer.from(key).toString("base64");
      const yaml = `apiVersion: v1\nkind: Secret\ndata:\n  LUMENFALL_API_KEY: ${encoded}\n  DATABASE_HOST: ${Buffer.from("db.internal").toString("base64")}\n`;
      const json = `{\n  "LUMENFALL_API_KEY": "${encoded}",\n  "DATABASE_HOST": "ZGIuaW50ZXJuYWw="\n}\n`;
      for (const [path, text] of [["secret.yaml", yaml], ["secret.json", json]] as const) {
        const found = seen(path, text);
        expect(found, `${path} ${key.length}`).toHaveLength(1);
        expect(found[0], `${path} ${key.length}`).toMatchObject({ partial: false, lastFour: key.slice(-4), fingerprint: fingerprintSecret(key) });
      }
    }
  });
});

describe("through the CLI, with --verify against a stand-in of the API that knows only the whole key", () => {
  let server: VerifyServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("joined keys verify live and stay under --only-live; a partial key is never sent, and says why", async () => {
    const key = realKey();
    server = await startVerifyServer((sent) => ({ status: sent === key ? 200 : 401 }));
    const env = `NODE_ENV=production\nDATABASE_URL=postgres://db/app\nLUMENFALL_API_KEY=${key}\nPORT=3000\n`;
    const wrapped = Buffer.from(env).toString("base64").replace(/(.{76})/g, "$1\n");
    const dir = createDir({
      "env.b64": `${wrapped}\n`,
      "a.js": `const KEY = "${key.slice(0, 40)}" +\n  "${key.slice(40)}";\n`,
      "a.sh": `export KEY="${key.slice(0, 40)}\\\n${key.slice(40)}"\n`,
      "folded.yaml": `api:\n  key: >-\n    ${key.slice(0, 40)}\n    ${key.slice(40)}\n`,
    });
    const verifyEnv = { LUMENGUARD_VERIFY_URL: server.url };
    const report = await runCli(["scan", ".", "--verify", "--format", "json"], { cwd: dir, env: verifyEnv });
    const json = JSON.parse(report.stdout) as { findings: Array<{ file: string; verified?: string; secret: { lastFour: string; fingerprint: string; partial?: true; redacted: string } }>; warnings: Array<{ code: string; message: string }> };
    const byFile = Object.fromEntries(json.findings.map((f) => [f.file, f]));
    for (const file of ["a.js", "a.sh", "env.b64"]) {
      expect(byFile[file], file).toMatchObject({ verified: "live", secret: { lastFour: key.slice(-4), fingerprint: fingerprintSecret(key) } });
    }
    expect(byFile["folded.yaml"]).toMatchObject({ verified: "unknown", secret: { lastFour: "", partial: true, redacted: `${key.slice(0, key.indexOf("."))}.\u2026(partial)` } });
    expect(json.warnings.filter((w) => w.code === "verify-partial").map((w) => w.message)).toEqual([expect.stringMatching(/could not verify key id \w+: partial key .*folded\.yaml:3/)]);
    // One request, for the whole key; the fragment never left the machine.
    expect(server.authorizations).toEqual([`Bearer ${key}`]);
    expect(report.stdout + report.stderr).not.toContain(key.slice(7, 40));

    const onlyLive = await runCli(["scan", ".", "--only-live", "--format", "json"], { cwd: dir, env: verifyEnv });
    expect(onlyLive.code).toBe(1);
    // A partial key cannot be verified: kept (as if live), never left out.
    expect((JSON.parse(onlyLive.stdout) as { findings: Array<{ file: string }> }).findings.map((f) => f.file).sort()).toEqual(["a.js", "a.sh", "env.b64", "folded.yaml"]);
    expect(onlyLive.stderr).toContain("1 of them partial keys, which cannot be verified");

    const text = await runCli(["scan", "folded.yaml"], { cwd: dir });
    expect(text.stdout).toContain("found only in part: last four unknown");
  });
});
