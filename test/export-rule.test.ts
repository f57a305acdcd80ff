import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { shannonEntropy } from "../src/detectors/lumenfall/entropy.js";
import { findKeys } from "../src/detectors/lumenfall/find-keys.js";
import { exporters, type ExportFormat } from "../src/export/index.js";
import { runCli } from "./helpers/cli.js";
import { makeDotlessKey, makeKey, randomString } from "./helpers/keys.js";
import { root } from "./helpers/process.js";
import { createDir } from "./helpers/repo.js";

/**
 * `lumenguard export-rule`: each format parses, and its tool — secretlint itself, which runs
 * here; for gitleaks, TruffleHog and GitHub (Go binaries and a hosted service, which do not run
 * here) a model of how each applies the rule: regex, secret group, entropy, allowlist — finds a
 * generated key and none of the placeholders lumenguard itself ignores. Every test name says
 * which it is (RUN_BY): a model passing shows the exported rule means what we think under the
 * documented semantics, not that the tool accepts the file. Keys are made at run time.
 */

type Detect = (text: string) => string[] | Promise<string[]>;

/** A key lumenguard itself reports (a random one could, rarely, spell "fake" or "xxxx"). */
function realKey(make: () => string = makeKey): string {
  for (;;) {
    const key = make();
    const hits = findKeys(Buffer.from(`KEY="${key}"`));
    if (hits.length === 1 && hits[0]?.placeholder === null) return key;
  }
}

/** RE2 to JavaScript: a leading `(?i)` becomes the `i` flag; nothing else may need translating. */
function re2(source: string, flags = ""): RegExp {
  const caseless = source.startsWith("(?i)");
  const body = caseless ? source.slice(4) : source;
  expect(body, "RE2 has no lookaround, named groups or inline flags past the start").not.toMatch(/\(\?(?!:)/);
  return new RegExp(body, `${flags}${caseless ? "i" : ""}`);
}

interface GitleaksRule {
  id: string;
  regex: string;
  secretGroup: number;
  entropy: number;
  keywords: string[];
  allowlist: { regexes: string[] };
}

function gitleaksDetector(text: string): Detect {
  const config = parseToml(text) as unknown as { rules: GitleaksRule[] };
  return (input) =>
    config.rules.flatMap((rule) => {
      if (!rule.keywords.some((keyword) => input.toLowerCase().includes(keyword))) return [];
      return [...input.matchAll(re2(rule.regex, "g"))]
        .map((match) => match[rule.secretGroup] as string)
        .filter((secret) => shannonEntropy(secret) >= rule.entropy)
        .filter((secret) => !rule.allowlist.regexes.some((regex) => re2(regex).test(secret)));
    });
}

interface TrufflehogDetector {
  name: string;
  keywords: string[];
  regex: Record<string, string>;
  entropy?: number;
  exclude_regexes_match?: string[];
  validations?: Record<string, { contains_digit?: boolean; contains_lowercase?: boolean; contains_uppercase?: boolean }>;
}

function trufflehogDetector(text: string): Detect {
  const config = parseYaml(text) as { detectors: TrufflehogDetector[] };
  return (input) =>
    config.detectors.flatMap((detector) => {
      if (!detector.keywords.some((keyword) => input.toLowerCase().includes(keyword.toLowerCase()))) return [];
      return Object.entries(detector.regex).flatMap(([name, regex]) =>
        [...input.matchAll(re2(regex, "g"))]
          .filter((match) => !(detector.exclude_regexes_match ?? []).some((exclude) => re2(exclude).test(match[0])))
          .map((match) => match[1] ?? match[0])
          .filter((token) => shannonEntropy(token) >= (detector.entropy ?? 0))
          .filter((token) => {
            const rules = detector.validations?.[name] ?? {};
            return (!rules.contains_digit || /[0-9]/.test(token)) && (!rules.contains_lowercase || /[a-z]/.test(token)) && (!rules.contains_uppercase || /[A-Z]/.test(token));
          }),
      );
    });
}

/**
 * secretlint itself (npm `secretlint` and `@secretlint/secretlint-rule-pattern`), run in-process
 * through its Node API on the exported `.secretlintrc.json`: what it reports is what a team
 * running secretlint with our rule would see.
 */
async function secretlintDetector(text: string): Promise<Detect> {
  // Not createDir(): that folder is removed after each test, and the engine reads it for all of them.
  const dir = mkdtempSync(join(tmpdir(), "lumenguard-secretlint-"));
  writeFileSync(join(dir, ".secretlintrc.json"), text);
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  const { createEngine } = await import("@secretlint/node");
  const engine = await createEngine({ configFilePath: join(dir, ".secretlintrc.json"), cwd: root, formatter: "json", maskSecrets: false, color: false });
  return async (input) => {
    const { output } = await engine.executeOnContent({ content: input, filePath: join(dir, "input.txt") });
    const [result] = JSON.parse(output) as Array<{ messages: Array<{ range: [number, number] }> }>;
    return (result?.messages ?? []).map((message) => input.slice(message.range[0], message.range[1]));
  };
}

interface GithubPattern {
  name: string;
  fields: Map<string, string[]>;
}

/** The Markdown: `## name` sections of `**Field**` + a fenced block. */
export function parseGithubPatterns(text: string): GithubPattern[] {
  return text
    .split(/^## /m)
    .slice(1)
    .map((section) => {
      const fields = new Map<string, string[]>();
      for (const [, name, value] of section.matchAll(/^\*\*([^*]+)\*\*\n\n```text\n(.*)\n```$/gm)) {
        fields.set(name as string, [...(fields.get(name as string) ?? []), value as string]);
      }
      return { name: section.split("\n")[0] as string, fields };
    });
}

/** Hyperscan to JavaScript: `\A` and `\z` are `^` and `$` without the `m` flag. */
function hyperscan(source: string): string {
  expect(source, "Hyperscan takes no lookaround or inline flags").not.toMatch(/\(\?/);
  return source.replace(/(?<!\\)\\A/g, "^").replace(/(?<!\\)\\z/g, "$");
}

function githubDetector(text: string): Detect {
  const patterns = parseGithubPatterns(text);
  return (input) =>
    patterns.flatMap(({ fields }) => {
      const one = (name: string) => hyperscan(fields.get(name)?.[0] ?? "");
      const regex = new RegExp(`(?:${one("Before secret")})(${one("Secret format")})(?:${one("After secret")})`, "g");
      const must = (fields.get("Additional match requirements: Must match") ?? []).map((source) => new RegExp(hyperscan(source)));
      const mustNot = (fields.get("Additional match requirements: Must not match") ?? []).map((source) => new RegExp(hyperscan(source)));
      return [...input.matchAll(regex)]
        .map((match) => match[1] as string)
        .filter((secret) => must.every((regex) => regex.test(secret)) && !mustNot.some((regex) => regex.test(secret)));
    });
}

const detectors: Record<ExportFormat, (text: string) => Detect | Promise<Detect>> = {
  gitleaks: gitleaksDetector,
  trufflehog: trufflehogDetector,
  secretlint: secretlintDetector,
  github: githubDetector,
};

/** Strings no exported rule may report: the placeholders and non-matches lumenguard ignores. */
function placeholders(): string[] {
  const key = realKey();
  const secret = randomString(24, "ABCDEFGHJKMNPQRTUVWZabcdhjkmnqrtuvwz2345678");
  return [
    "LUMENFALL_API_KEY=lmnfl_your_api_key",
    'apiKey: "lmnfl_abc123.xyz789"',
    "const key = 'lmnfl_...'",
    `x${key}`,
    `x${realKey(makeDotlessKey)}`,
    "Authorization: Bearer lmnfl_<key_id>.<secret>",
    "KEY=lmnfl_${ID}.${SECRET}",
    "KEY=lmnfl_test",
    // Placeholder words as whole tokens: lumenguard never drops a random secret for a word it spells.
    `KEY=lmnfl_Your_KeyId.${secret}`,
    `KEY=lmnfl_Ab3.EXAMPLE_${secret}`,
    `KEY=lmnfl_k9.${secret}`,
    `KEY=lmnfl_abc123.xyz789${secret}`,
    `KEY=lmnfl_${secret}_Redacted`,
    // Masked: what shows of the secret is shorter than a whole one (lumenguard: under 32 characters).
    `shown as ${key.slice(0, key.indexOf(".") + 21)}...`,
    `shown as ${key.slice(0, key.indexOf(".") + 21)}****`,
  ];
}

/** What applies each format's rule in these tests: the tool itself where it runs here, else a model of it. */
const RUN_BY: Record<ExportFormat, string> = {
  gitleaks: "a model of gitleaks' rule semantics (RE2 regex, secretGroup, entropy, allowlist), not gitleaks itself",
  trufflehog: "a model of TruffleHog's custom-detector semantics (regex, entropy, exclusions, validations), not TruffleHog itself",
  secretlint: "secretlint itself",
  github: "a model of GitHub's custom-pattern matching (Hyperscan regex, before/after, must/must-not), not GitHub itself",
};

describe.each((Object.keys(exporters) as ExportFormat[]).map((format) => [format, RUN_BY[format]] as const))("export-rule --format %s, applied by %s", (format) => {
  const output = exporters[format]();
  const ready = detectors[format](output);
  const detect = async (text: string) => (await ready)(text);

  it("finds a generated key in context", async () => {
    const key = realKey();
    expect(await detect(`KEY="${key}"`)).toEqual([key]);
    expect(await detect(`LUMENFALL_API_KEY=${key}\nOTHER=1`)).toEqual([key]);
    expect(await detect(key)).toEqual([key]);
    expect(await detect(`use ${key}.`)).toEqual([key]);
  });

  it("finds a key after a percent or backslash escape (URL query strings, JSON text)", async () => {
    const key = realKey();
    expect(await detect(`https://example.invalid/?q=%22${key}%22`)).toEqual([key]);
    expect(await detect(`{"text":"line\\n${key}"}`)).toEqual([key]);
  });

  it("finds the dotless form", async () => {
    const key = realKey(makeDotlessKey);
    expect(await detect(`KEY="${key}"`)).toEqual([key]);
  });

  it("reports no placeholder", async () => {
    for (const text of placeholders()) expect(await detect(text), text).toEqual([]);
  });

  it("is printed on stdout by the CLI", async () => {
    const outcome = await runCli(["export-rule", "--format", format], { cwd: createDir() });
    expect(outcome).toEqual({ code: 0, stdout: output, stderr: "" });
  });
});

describe("export-rule formats", () => {
  it("agrees with lumenguard on every placeholder", () => {
    for (const text of placeholders()) {
      expect(findKeys(Buffer.from(text)).filter((hit) => hit.placeholder === null), text).toEqual([]);
    }
  });

  it("gitleaks: a [[rules]] entry per form with boundaries, secretGroup, keywords, entropy and an allowlist (the file's shape; its allowlist regexes run in JavaScript, not in gitleaks)", () => {
    const config = parseToml(exporters.gitleaks()) as unknown as { rules: GitleaksRule[] };
    expect(config.rules.map((rule) => rule.id)).toEqual(["lumenfall-api-key", "lumenfall-api-key-dotless"]);
    for (const rule of config.rules) {
      expect(rule).toMatchObject({ secretGroup: 1, keywords: ["lmnfl_"] });
      expect(rule.regex.startsWith("(?:^|[^A-Za-z0-9_]")).toBe(true);
      const allow = rule.allowlist.regexes.map((regex) => re2(regex));
      for (const placeholder of ["lmnfl_YOUR_KEY.abcdefghijklmnopqr", "lmnfl_abc123.xyz789XyZ0123456789ab", "lmnfl_k3y.xxxx_Ab12Cd34Ef56Gh", "lmnfl_Sample_0123456789abcdefgh"]) {
        expect(allow.some((regex) => regex.test(placeholder)), placeholder).toBe(true);
      }
      expect(allow.some((regex) => regex.test(realKey()))).toBe(false);
    }
  });

  it("every format reports each of 3,000 random keys lumenguard reports, placeholder words they spell inside included (secretlint itself; gitleaks, TruffleHog and GitHub through models of their matching, not the tools)", async () => {
    const keys: string[] = [];
    // Keys that spell a placeholder word inside a random secret are the ones a substring allowlist drops.
    const words = ["your", "fake", "xxxx", "Sample", "EXAMPLE", "dummy"];
    for (let i = 0; keys.length < 3_000; i++) {
      const base = i % 2 === 0 ? makeKey() : makeDotlessKey();
      const word = words[i % words.length] as string;
      const at = base.length - 12;
      const key = i % 3 === 0 ? base : `${base.slice(0, at)}${word}${base.slice(at + word.length)}`;
      const hits = findKeys(Buffer.from(`KEY="${key}"`));
      if (hits.length === 1 && hits[0]?.placeholder === null && hits[0].key === key) keys.push(key);
    }
    for (const format of Object.keys(exporters) as ExportFormat[]) {
      const detect = await detectors[format](exporters[format]());
      const found = new Set(await detect(keys.map((key) => `KEY="${key}"`).join("\n")));
      expect(keys.filter((key) => !found.has(key)), format).toEqual([]);
    }
  }, 120_000);

  it("gitleaks: masked keys (… and •) are not keys either (a model of gitleaks' regex and allowlist semantics, not gitleaks itself)", () => {
    const detect = gitleaksDetector(exporters.gitleaks());
    const key = realKey();
    expect(detect(`${key}\u2026`)).toEqual([]);
    expect(detect(`${key}\u2022\u2022`)).toEqual([]);
  });

  it("gitleaks and trufflehog: a low-entropy secret is not a key (models of their entropy checks, not the tools themselves)", () => {
    for (const format of ["gitleaks", "trufflehog"] as const) {
      expect(detectors[format](exporters[format]())("KEY=lmnfl_abc124.aaaaaaaaaaaaaaaaaaaa"), format).toEqual([]);
    }
  });

  it("github: one pattern per form, with every field GitHub's form has (the file's shape, not GitHub itself)", () => {
    const patterns = parseGithubPatterns(exporters.github());
    expect(patterns.map((pattern) => pattern.name)).toEqual(["Lumenfall API key", "Lumenfall API key (dotless)"]);
    for (const { fields } of patterns) {
      for (const name of ["Pattern name", "Secret format", "Before secret", "After secret"]) expect(fields.get(name), name).toHaveLength(1);
      expect(fields.get("Additional match requirements: Must not match")?.length).toBeGreaterThan(0);
    }
    expect(exporters.github()).toContain("**Test string**");
  });

  it("refuses a missing or unknown format and paths (exit 2)", async () => {
    const cwd = createDir();
    const missing = await runCli(["export-rule"], { cwd });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("gitleaks, trufflehog, secretlint, github");
    expect((await runCli(["export-rule", "--format", "sarif"], { cwd })).code).toBe(2);
    expect((await runCli(["export-rule", "--format", "gitleaks", "out.toml"], { cwd })).code).toBe(2);
  });
});
