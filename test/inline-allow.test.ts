import { describe, expect, it } from "vitest";
import type { FileFacts } from "../src/engine/rule.js";
import { runCli } from "./helpers/cli.js";
import { scanText } from "./helpers/engine.js";
import { makeKey, randomString } from "./helpers/keys.js";
import { createRepo } from "./helpers/repo.js";

/**
 * Inline allow markers cover only the finding they were written for: in a comment of the
 * file's type (never in a string, never in JSON), the nearest finding before the marker on its
 * line (else the one after), or — from a comment-alone line — the first finding on the next line.
 */
const ACME = { customPatterns: [{ id: "acme-token", regex: "acme_[A-Za-z0-9]{32}", keywords: ["acme_"] }] };
const acme = () => `acme_${randomString(32)}`;
const scan = (path: string, code: string, facts: Partial<Omit<FileFacts, "path">> = { git: "tracked" }, chunkSize?: number) => {
  const { findings, outcome } = scanText(code, { path, facts, config: ACME, ...(chunkSize ? { chunkSize } : {}) });
  return {
    reported: findings.map((f) => `${f.ruleId}@${f.line}:${f.column}`),
    allowed: outcome.suppressed.map((s) => `${s.ruleId}@${s.line}:${s.column}${s.reason ? ` (${s.reason})` : ""}`),
  };
};

describe("a marker covers the key it was written for", () => {
  it("a marker after code on a line does not reach the next line", () => {
    const [k1, k2] = [makeKey(), makeKey()];
    expect(scan("b.js", `const f="${k1}"; // lumenguard-allow: fixture\nconst prod="${k2}";\n`)).toEqual({
      reported: ["lumenfall-key@2:13"],
      allowed: ["lumenfall-key@1:10 (fixture)"],
    });
  });

  it("on a minified line it covers the nearest key before it, not one thousands of columns away", () => {
    const [k1, k2] = [makeKey(), makeKey()];
    const code = `var f="${k1}"/* lumenguard-allow: fixture */;${"x=1;".repeat(700)}var p="${k2}";\n`;
    const k2Column = code.indexOf(k2) + 1;
    expect(scan("app.min.js", code)).toEqual({ reported: [`lumenfall-key@1:${k2Column}`], allowed: ["lumenfall-key@1:8 (fixture)"] });
  });

  it("with no key before it on its line, it covers the nearest one after it", () => {
    const [k1, k2] = [makeKey(), makeKey()];
    const code = `/* lumenguard-allow */ a("${k1}", "${k2}");\n`;
    expect(scan("a.ts", code)).toEqual({ reported: [`lumenfall-key@1:${code.indexOf(k2) + 1}`], allowed: ["lumenfall-key@1:27"] });
  });

  it("between two keys, the one before wins", () => {
    const [k1, k2] = [makeKey(), makeKey()];
    const code = `a = "${k1}" /* lumenguard-allow */ + "${k2}";\n`;
    expect(scan("a.ts", code).reported).toEqual([`lumenfall-key@1:${code.indexOf(k2) + 1}`]);
  });

  it("a comment-alone line covers the first key on the next line only", () => {
    const [k1, k2, k3] = [makeKey(), makeKey(), makeKey()];
    const code = `// lumenguard-allow: fixtures\nconst a = ["${k1}", "${k2}"];\nconst b = "${k3}";\n`;
    expect(scan("a.ts", code)).toEqual({
      reported: [`lumenfall-key@2:${code.split("\n")[1]!.indexOf(k2) + 1}`, "lumenfall-key@3:12"],
      allowed: ["lumenfall-key@2:13 (fixtures)"],
    });
  });

  it("a line with code and a marker is not a marker for the line below", () => {
    const key = makeKey();
    expect(scan("a.ts", `f(); // lumenguard-allow\nconst k = "${key}";\n`).reported).toEqual(["lumenfall-key@2:12"]);
    expect(scan("a.ts", `/* lumenguard-allow */ f();\nconst k = "${key}";\n`).reported).toEqual(["lumenfall-key@2:12"]);
  });

  it("a block comment's continuation line is a comment alone", () => {
    const key = makeKey();
    const code = `/**\n * lumenguard-allow: documented test key\n */\nconst k = "${key}";\n`;
    expect(scan("a.ts", code).reported).toEqual(["lumenfall-key@4:12"]);
    const next = `/**\n * Test key.\n * lumenguard-allow: documented test key */\nconst k = "${key}";\n`;
    expect(scan("a.ts", next)).toEqual({ reported: [], allowed: ["lumenfall-key@4:12 (documented test key)"] });
  });

  it("only the line directly above counts", () => {
    const key = makeKey();
    expect(scan("a.ts", `// lumenguard-allow\n\nconst k = "${key}";\n`).reported).toEqual(["lumenfall-key@3:12"]);
  });
});

describe("a marker must be in a comment of the file's type", () => {
  it("never inside a string", () => {
    const key = makeKey();
    expect(scan("d.py", `m = "no lumenguard-allow here"; k = "${key}"\n`).reported).toEqual(["lumenfall-key@1:38"]);
    expect(scan("d.ts", `const m = 'lumenguard-allow'; const k = "${key}";\n`).reported).toEqual(["lumenfall-key@1:42"]);
    expect(scan("d.ts", `const m = \`// lumenguard-allow\`; const k = "${key}";\n`).reported).toEqual(["lumenfall-key@1:45"]);
    // A comment opener inside a string opens nothing.
    expect(scan("d.ts", `const u = "http://x"; k = "${key}"; m = "// lumenguard-allow";\n`).reported).toEqual(["lumenfall-key@1:28"]);
  });

  const cases: Array<[string, string, boolean]> = [
    ["a.py", "# lumenguard-allow", true],
    ["a.py", "// lumenguard-allow", false],
    ["a.rb", "# lumenguard-allow", true],
    ["config.yaml", "# lumenguard-allow", true],
    ["a.toml", "# lumenguard-allow", true],
    [".env.local", "# lumenguard-allow", true],
    ["Dockerfile", "# lumenguard-allow", true],
    ["a.ts", "# lumenguard-allow", false],
    ["a.go", "// lumenguard-allow", true],
    ["a.css", "/* lumenguard-allow */", true],
    ["a.css", "// lumenguard-allow", false],
    ["q.sql", "-- lumenguard-allow", true],
    ["q.sql", "# lumenguard-allow", false],
    ["a.lua", "-- lumenguard-allow", true],
    ["index.html", "<!-- lumenguard-allow -->", true],
    ["README.md", "<!-- lumenguard-allow -->", true],
    ["README.md", "# lumenguard-allow", false],
    ["a.ini", "; lumenguard-allow", true],
    ["a.vue", "<!-- lumenguard-allow -->", true],
    ["notes.txt", "# lumenguard-allow", true],
    ["notes.txt", "// lumenguard-allow", true],
    ["notes.txt", "-- lumenguard-allow", false],
    ["app.js.gz.txt", "// lumenguard-allow", true],
    ["settings.json", "// lumenguard-allow", false],
    ["app.js.map", "// lumenguard-allow", false],
  ];
  it.each(cases)("%s: `%s` above the key allows it: %s", (path, comment, allowed) => {
    const key = makeKey();
    const facts = path.startsWith(".env") ? { scope: "repository" as const, git: "untracked" as const } : { git: "tracked" as const };
    const keyFindings = scanText(`${comment}\nk = "${key}"\n`, { path, facts }).findings.filter((f) => f.ruleId === "lumenfall-key");
    expect(keyFindings.length).toBe(allowed ? 0 : 1);
  });

  it("JSON has no inline allow: a marker in a string value is data", () => {
    const key = makeKey();
    expect(scan("config.json", `{"_comment": "// lumenguard-allow", "k": "${key}"}\n`).reported).toHaveLength(1);
  });

  it("the reason ends where the comment does, in every comment syntax", () => {
    const key = makeKey();
    expect(scan("a.html", `<p data-k="${key}"></p> <!-- lumenguard-allow: doc sample -->\n`).allowed).toEqual(["lumenfall-key@1:12 (doc sample)"]);
    expect(scan("a.sql", `-- lumenguard-allow: seed data\nINSERT INTO k VALUES ('${key}');\n`).allowed).toEqual(["lumenfall-key@2:24 (seed data)"]);
  });
});

describe("positioned findings of text rules follow the same scope", () => {
  it("a comment-alone marker covers the next line's finding of each rule, not the variable after it", () => {
    const [k1, k2] = [makeKey(), makeKey()];
    const code = `# lumenguard-allow: demo only\nVITE_LUMENFALL_API_KEY=${k1}\nNEXT_PUBLIC_LUMENFALL_KEY=${k2}\n`;
    const { reported, allowed } = scan(".env.production", code, { scope: "repository", git: "tracked" });
    expect(allowed.sort()).toEqual(["lumenfall-key@2:24 (demo only)", "public-env-prefix@2:1 (demo only)"]);
    // The tracked env file itself is about the file (line 1, no place): never allowed inline.
    expect(reported).toEqual(["dotenv-tracked@1:1", "public-env-prefix@3:1", "lumenfall-key@3:27"]);
  });

  it("a marker after a reader in code covers it, and only it", () => {
    const code = "const a = import.meta.env.VITE_LUMENFALL_API_KEY; // lumenguard-allow: demo\nconst b = import.meta.env.VITE_LUMENFALL_TOKEN;\n";
    const { reported, allowed } = scan("src/a.ts", code);
    expect(allowed).toEqual(["public-env-prefix@1:27 (demo)"]);
    expect(reported).toEqual(["public-env-prefix@2:27"]);
  });
});

describe("files read in chunks", () => {
  it("finds the marker on the line above a key in a later chunk; on a long line, only markers within 64 KiB of the key are read", () => {
    const [k1, k2] = [makeKey(), makeKey()];
    const filler = `${"let x = 1;\n".repeat(9000)}`;
    const code = `${filler}// lumenguard-allow: later\nconst k = "${k1}";\n${"y".repeat(200_000)} /* lumenguard-allow */ ${"z".repeat(200_000)} "${k2}"\n`;
    for (const chunkSize of [4096, 65_536, code.length]) {
      const { reported, allowed } = scan("big.ts", code, { git: "tracked" }, chunkSize);
      expect(allowed, `chunks of ${chunkSize}`).toEqual(["lumenfall-key@9002:12 (later)"]);
      expect(reported, `chunks of ${chunkSize}`).toEqual([`lumenfall-key@9003:${code.split("\n")[9002]!.indexOf(k2) + 1}`]);
    }
  });
});

describe("through the CLI on a real repository", () => {
  it("in history, an allowed key is listed once among the allowed, beside a finding in the same blob", async () => {
    const [allowed, leaked] = [makeKey(), makeKey()];
    const repo = createRepo({ committed: { "a.ts": `const a = "${allowed}"; // lumenguard-allow: test\nconst b = "${leaked}";\n` } });
    const { stdout } = await runCli(["scan", "--history", "--format", "json"], { cwd: repo });
    const report = JSON.parse(stdout) as { findings: Array<{ line: number }>; suppressed: Array<{ line: number; reason?: string }>; stats: { suppressed: number } };
    expect(report.findings.map((f) => f.line)).toEqual([2]);
    expect(report.suppressed.map((s) => `${s.line} ${s.reason}`)).toEqual(["1 test"]);
    expect(report.stats.suppressed).toBe(1);
  });

  it("reports exactly the keys no marker was written for", async () => {
    const [k1, k2, k3, k4, k5] = [makeKey(), makeKey(), makeKey(), makeKey(), makeKey()];
    const repo = createRepo({
      staged: {
        "b.js": `const f="${k1}"; // lumenguard-allow: fixture\nconst prod="${k2}";\n`,
        "app.min.js": `var f="${k3}"/* lumenguard-allow: fixture */;${"x=1;".repeat(700)}var p="${k4}";\n`,
        "d.py": `m = "no lumenguard-allow here"; k = "${k5}"\n`,
      },
    });
    const { code, stdout } = await runCli(["scan", "--format", "json"], { cwd: repo });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { findings: Array<{ file: string; line: number }>; suppressed: Array<{ file: string; line: number; reason?: string }> };
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toEqual(["app.min.js:1", "b.js:2", "d.py:1"]);
    expect(report.suppressed.map((s) => `${s.file}:${s.line} ${s.reason}`)).toEqual(["app.min.js:1 fixture", "b.js:1 fixture"]);
  });
});

describe("one marker, one secret: another secret beside it is not covered, whatever rule reports it", () => {
  it("a key and another provider's token on one line: the marker covers the one it sits next to", () => {
    const [key, token] = [makeKey(), acme()];
    const a = `const acme = "${token}"; const k = "${key}"; // lumenguard-allow: the lumenfall fixture\n`;
    expect(scan("a.js", a)).toEqual({ reported: ["acme-token@1:15"], allowed: [`lumenfall-key@1:${a.indexOf(key) + 1} (the lumenfall fixture)`] });
    const b = `// lumenguard-allow: the lumenfall fixture\nconst k = "${key}", acme = "${token}";\n`;
    expect(scan("b.js", b)).toEqual({ reported: [`acme-token@2:${b.split("\n")[1]!.indexOf(token) + 1}`], allowed: ["lumenfall-key@2:12 (the lumenfall fixture)"] });
    const c = `/* lumenguard-allow */ t = "${token}"; k = "${key}";\n`;
    expect(scan("c.ts", c)).toEqual({ reported: [`lumenfall-key@1:${c.indexOf(key) + 1}`], allowed: ["acme-token@1:29"] });
  });

  it("the same key under two rules at one place is one secret: both findings are covered", () => {
    const key = makeKey();
    const { allowed, reported } = scan(".env.production", `VITE_LUMENFALL_API_KEY=${key} # lumenguard-allow: demo\n`, { scope: "repository", git: "tracked" });
    expect(allowed.sort()).toEqual(["lumenfall-key@1:24 (demo)", "public-env-prefix@1:1 (demo)"]);
    expect(reported).toEqual(["dotenv-tracked@1:1"]);
  });

  it("a marker covers a key only within 200 columns of its comment: on a minified line, not one 5,000 columns away", () => {
    const key = makeKey();
    const far = `var q=1;/* lumenguard-allow: fixture */var z="${"x".repeat(5000)}";var p="${key}";\n`;
    expect(scan("app.min.js", far)).toEqual({ reported: [`lumenfall-key@1:${far.indexOf(key) + 1}`], allowed: [] });
    const near = `var q=1;/* lumenguard-allow: fixture */var p="${key}";${"x".repeat(5000)}\n`;
    expect(scan("app.min.js", near).allowed).toEqual([`lumenfall-key@1:${near.indexOf(key) + 1} (fixture)`]);
    const before = `var p="${key}";${" ".repeat(190)}// lumenguard-allow\n`;
    expect(scan("a.js", before).allowed).toEqual(["lumenfall-key@1:8"]);
    const tooFar = `var p="${key}";${" ".repeat(210)}// lumenguard-allow\n`;
    expect(scan("a.js", tooFar).allowed).toEqual([]);
  });
});

describe("a marker counts only where the file type has a comment", () => {
  const reportedIn = (path: string, code: string) => scan(path, code).reported;

  it("never inside a word, a URL or a markup attribute", () => {
    const key = makeKey();
    // A shell comment starts a word; YAML's `#` needs white space before it.
    expect(reportedIn("deploy.sh", `curl -s https://docs.example.com/#lumenguard-allow; export LUMENFALL_API_KEY=${key}\n`)).toHaveLength(1);
    expect(reportedIn("a.yaml", `link: https://docs.example.com/x#lumenguard-allow k=${key}\n`)).toHaveLength(1);
    expect(reportedIn("notes.txt", `See http://docs.example.com/lumenguard-allow then use ${key}\n`)).toHaveLength(1);
    expect(reportedIn("page.html", `<p title="<!-- lumenguard-allow -->">${key}</p>\n`)).toHaveLength(1);
    expect(reportedIn("settings.env", `NOTE=see#lumenguard-allow LUMENFALL_API_KEY=${key}\n`)).toHaveLength(1);
    // The same markers in comments do count.
    expect(reportedIn("deploy.sh", `export LUMENFALL_API_KEY=${key} # lumenguard-allow\n`)).toEqual([]);
    expect(reportedIn("deploy.sh", `export K=${key};# lumenguard-allow\n`)).toEqual([]);
    expect(reportedIn("a.yaml", `k: ${key} # lumenguard-allow\n`)).toEqual([]);
    expect(reportedIn("notes.txt", `use ${key} // lumenguard-allow\n`)).toEqual([]);
    expect(reportedIn("page.html", `<p title="x">${key}</p> <!-- lumenguard-allow -->\n`)).toEqual([]);
  });

  it("the marker is the comment's first word, and a whole word", () => {
    const key = makeKey();
    expect(reportedIn("a.py", `k = "${key}"  # TODO: check whether lumenguard-allowlist supports this\n`)).toHaveLength(1);
    expect(reportedIn("b.py", `k = "${key}"  # NOT lumenguard-allow: this one is real\n`)).toHaveLength(1);
    expect(reportedIn("c.py", `k = "${key}"  # lumenguard-allowlist\n`)).toHaveLength(1);
    expect(reportedIn("d.py", `k = "${key}"  # lumenguard-allow-all\n`)).toHaveLength(1);
    for (const comment of ["# lumenguard-allow", "#lumenguard-allow", "## lumenguard-allow: doc", "# lumenguard-allow:why"]) expect(reportedIn("e.py", `k = "${key}"  ${comment}\n`), comment).toEqual([]);
    for (const comment of ["/** lumenguard-allow */", "/*lumenguard-allow*/", "/// lumenguard-allow", "//! lumenguard-allow: doc"]) expect(reportedIn("f.ts", `k = "${key}"; ${comment}\n`), comment).toEqual([]);
  });

  it("a marker inside a string that runs over lines is text, not a comment for the next line", () => {
    const key = makeKey();
    expect(reportedIn("a.py", `DOC = """\n# lumenguard-allow: shown in the docs\n"""\nk = "${key}"\n`)).toHaveLength(1);
    expect(reportedIn("a.py", `DOC = """\n# lumenguard-allow: shown in the docs\nk = "${key}"\n"""\n`)).toHaveLength(1);
    expect(reportedIn("a.py", `DOC = '''\n# lumenguard-allow\n${key}\n'''\n`)).toHaveLength(1);
    expect(reportedIn("a.js", `const help = \`\n// lumenguard-allow: example\nconst k = "${key}";\n\`;\n`)).toHaveLength(1);
    expect(reportedIn("a.sh", `echo "\n# lumenguard-allow\n${key}"\n`)).toHaveLength(1);
    // After the string closes, comments are comments again.
    expect(reportedIn("a.py", `DOC = """text"""\n# lumenguard-allow: fixture\nk = "${key}"\n`)).toEqual([]);
    // A block comment that runs over lines is a comment on each of them.
    expect(reportedIn("a.ts", `/*\n  The key of the docs.\n  lumenguard-allow: fixture */\nconst k = "${key}";\n`)).toEqual([]);
    expect(reportedIn("a.html", `<!--\n  The key of the docs.\n  lumenguard-allow: fixture -->\n<p>${key}</p>\n`)).toEqual([]);
    // Its closing line alone is no marker for the line below.
    expect(reportedIn("a.ts", `/*\n  lumenguard-allow: fixture\n*/\nconst k = "${key}";\n`)).toHaveLength(1);
  });
});

describe("through the CLI on real files", () => {
  it("the tester's cases: another rule's secret, not in a comment, far away, a marker-like word", async () => {
    const [k1, k2, k3, k4, k5, k6, k7, k8, k9] = Array.from({ length: 9 }, () => makeKey());
    const [t1, t2] = [acme(), acme()];
    const dir = createRepo({
      untracked: {
        "lumenguard.config.json": JSON.stringify(ACME),
        "a.js": `const acme = "${t1}"; const k = "${k1}"; // lumenguard-allow: the lumenfall fixture\n`,
        "b.js": `// lumenguard-allow: the lumenfall fixture\nconst k = "${k2}", acme = "${t2}";\n`,
        "deploy.sh": `curl -s https://docs.example.com/#lumenguard-allow; export LUMENFALL_API_KEY=${k3}\n`,
        "a.yaml": `link: https://docs.example.com/x#lumenguard-allow k=${k4}\n`,
        "notes.txt": `See http://docs.example.com/lumenguard-allow then use ${k5}\n`,
        "page.html": `<p title="<!-- lumenguard-allow -->">${k6}</p>\n`,
        "app.min.js": `var q=1;/* lumenguard-allow: fixture */var z="${"x".repeat(5000)}";var p="${k7}";\n`,
        "c.py": `k = "${k8}"  # TODO: check whether lumenguard-allowlist supports this\n`,
        "d.py": `k = "${k9}"  # NOT lumenguard-allow: this one is real\n`,
      },
    });
    const { code, stdout } = await runCli(["scan", ".", "--format", "json"], { cwd: dir });
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { findings: Array<{ file: string; ruleId: string }>; suppressed: Array<{ file: string; ruleId: string; reason?: string }> };
    expect(report.findings.map((f) => `${f.file} ${f.ruleId}`).sort()).toEqual(
      ["a.js acme-token", "a.yaml lumenfall-key", "app.min.js lumenfall-key", "b.js acme-token", "c.py lumenfall-key", "d.py lumenfall-key", "deploy.sh lumenfall-key", "notes.txt lumenfall-key", "page.html lumenfall-key"].sort(),
    );
    expect(report.suppressed.map((s) => `${s.file} ${s.ruleId} ${s.reason}`).sort()).toEqual(["a.js lumenfall-key the lumenfall fixture", "b.js lumenfall-key the lumenfall fixture"]);
  });
});
