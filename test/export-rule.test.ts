import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { shannonEntropy } from "../src/detectors/lumenfall/entropy.js";
import { findKeys } from "../src/detectors/lumenfall/find-keys.js";
import { exporters, type ExportFormat } from "../src/export/index.js";
import { runCli } from "./helpers/cli.js";
import { makeDotlessKey, makeKey, randomString } from "./helpers/keys.js";
import { createDir } from "./helpers/repo.js";

/**
 * `lumenguard export-rule`: each format parses, and a small model of how its
 * tool applies it — regex, secret group, entropy, allowlist — finds a generated key and none
 * of the placeholders lumenguard itself ignores. Keys are made at run time.
 */

type Detect = (text: string) => string[];

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

/** secretlint's RegExp-like strings: `/source/flags`, with `g` and `u` added. */
function regexpLike(text: string): RegExp {
  const match = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (!match) throw new Error(`${text} is not a RegExp-like string`);
  return new RegExp(match[1] as string, `${match[2]}gu`);
}

function secretlintDetector(text: string): Detect {
  const config = JSON.parse(text) as { rules: { id: string; options: { patterns: { name: string; pattern: string }[]; allows: string[] } }[] };
  const rule = config.rules.find((candidate) => candidate.id === "@secretlint/secretlint-rule-pattern");
  if (!rule) throw new Error("no secretlint-rule-pattern entry");
  return (input) =>
    rule.options.patterns.flatMap((pattern) =>
      [...input.matchAll(regexpLike(pattern.pattern))]
        .map((match) => match[0])
        .filter((found) => !rule.options.allows.some((allow) => regexpLike(allow).test(found))),
    );
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

const detectors: Record<ExportFormat, (text: string) => Detect> = {
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
    `shown as ${key}...`,
    `shown as ${key}****`,
  ];
}

describe.each(Object.keys(exporters) as ExportFormat[])("export-rule --format %s", (format) => {
  const output = exporters[format]();
  const detect = detectors[format](output);

  it("finds a generated key in context", () => {
    const key = realKey();
    expect(detect(`KEY="${key}"`)).toEqual([key]);
    expect(detect(`LUMENFALL_API_KEY=${key}\nOTHER=1`)).toEqual([key]);
    expect(detect(key)).toEqual([key]);
    expect(detect(`use ${key}.`)).toEqual([key]);
  });

  it("finds a key after a percent or backslash escape (URL query strings, JSON text)", () => {
    const key = realKey();
    expect(detect(`https://example.invalid/?q=%22${key}%22`)).toEqual([key]);
    expect(detect(`{"text":"line\\n${key}"}`)).toEqual([key]);
  });

  it("finds the dotless form", () => {
    const key = realKey(makeDotlessKey);
    expect(detect(`KEY="${key}"`)).toEqual([key]);
  });

  it("reports no placeholder", () => {
    for (const text of placeholders()) expect(detect(text), text).toEqual([]);
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

  it("gitleaks: a [[rules]] entry per form with boundaries, secretGroup, keywords, entropy and an allowlist", () => {
    const config = parseToml(exporters.gitleaks()) as unknown as { rules: GitleaksRule[] };
    expect(config.rules.map((rule) => rule.id)).toEqual(["lumenfall-api-key", "lumenfall-api-key-dotless"]);
    for (const rule of config.rules) {
      expect(rule).toMatchObject({ secretGroup: 1, keywords: ["lmnfl_"] });
      expect(rule.regex.startsWith("(?:^|[^A-Za-z0-9_]")).toBe(true);
      const allow = rule.allowlist.regexes.map((regex) => re2(regex));
      for (const placeholder of ["lmnfl_YOUR_KEY.abcdefghijklmnopqr", "lmnfl_abc123.xyz789XyZ0123456789ab", "lmnfl_k3y.xxxx_Ab12Cd34Ef56Gh", "lmnfl_Sample0123456789abcdefgh"]) {
        expect(allow.some((regex) => regex.test(placeholder)), placeholder).toBe(true);
      }
      expect(allow.some((regex) => regex.test(realKey()))).toBe(false);
    }
  });

  it("gitleaks: masked keys (… and •) are not keys either", () => {
    const detect = gitleaksDetector(exporters.gitleaks());
    const key = realKey();
    expect(detect(`${key}\u2026`)).toEqual([]);
    expect(detect(`${key}\u2022\u2022`)).toEqual([]);
  });

  it("gitleaks and trufflehog: a low-entropy secret is not a key", () => {
    for (const format of ["gitleaks", "trufflehog"] as const) {
      expect(detectors[format](exporters[format]())("KEY=lmnfl_abc124.aaaaaaaaaaaaaaaaaaaa"), format).toEqual([]);
    }
  });

  it("github: one pattern per form, with every field GitHub's form has", () => {
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

describe("action.yml", () => {
  interface Step {
    id?: string;
    run?: string;
    uses?: string;
    if?: string;
    env?: Record<string, string>;
  }
  const action = parseYaml(readFileSync(new URL("../action.yml", import.meta.url), "utf8")) as {
    inputs: Record<string, { default?: string }>;
    runs: { using: string; steps: Step[] };
  };
  const scanStep = action.runs.steps.find((step) => step.id === "scan") as Step;

  it("is a composite action whose scripts interpolate nothing: inputs arrive through env", () => {
    expect(action.runs.using).toBe("composite");
    for (const step of action.runs.steps) if (step.run !== undefined) expect(step.run).not.toContain("${{");
    for (const name of ["version", "format", "output", "fail-on", "args"]) {
      const variable = `INPUT_${name.toUpperCase().replaceAll("-", "_")}`;
      expect(scanStep.env?.[variable], name).toBe(`\${{ inputs.${name} }}`);
      expect(scanStep.run, name).toContain(`"$${variable}"`);
    }
    expect(action.inputs["format"]?.default).toBe("sarif");
    expect(action.inputs["output"]?.default).toBe("lumenguard.sarif");
  });

  it("runs lumenguard ci from npm with the inputs as separate, unexpanded arguments", () => {
    const dir = createDir({ "bin/npx": '#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done > "$ARGS_FILE"\n' });
    chmodSync(join(dir, "bin/npx"), 0o755);
    const env = {
      PATH: `${join(dir, "bin")}:${process.env["PATH"] ?? ""}`,
      ARGS_FILE: join(dir, "args"),
      GITHUB_OUTPUT: join(dir, "github-output"),
      GITHUB_ACTION_PATH: dir,
      INPUT_VERSION: "0.1.0",
      INPUT_FORMAT: "sarif",
      INPUT_OUTPUT: "out dir/$(touch pwned).sarif",
      INPUT_FAIL_ON: "high",
      INPUT_ARGS: "--range origin/main..HEAD $(touch pwned)",
    };
    // How GitHub runs `shell: bash` steps.
    execFileSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", scanStep.run as string], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
    expect(readFileSync(join(dir, "args"), "utf8").split("\n").slice(0, -1)).toEqual([
      "--yes",
      "lumenguard@0.1.0",
      "ci",
      "--format",
      "sarif",
      "--output",
      "out dir/$(touch pwned).sarif",
      "--fail-on",
      "high",
      "--range",
      "origin/main..HEAD",
      "$(touch",
      "pwned)",
    ]);
    expect(existsSync(join(dir, "pwned"))).toBe(false);
    expect(readFileSync(join(dir, "github-output"), "utf8")).toBe("exit-code=0\n");
  });
});
