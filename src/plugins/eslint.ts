import { readFileSync } from "node:fs";
import { ruleById } from "../../rules/index.js";
import { GUIDE_URL } from "../../rules/support/guide.js";
import { PLACEHOLDER_MESSAGE_ID } from "../engine/apply-rules.js";
import type { Finding } from "../types.js";
import { eslintLocation, eslintMessage, LineStarts, type EslintPosition, type SourceTextLike } from "./eslint-report.js";
import { scanLintedText, type TextScan } from "./eslint-scan.js";

/**
 * `lumenguard/eslint`: a flat-config ESLint plugin (https://eslint.org/docs/latest/extend/plugins)
 * that shows lumenguard's findings in the editor as you type. Each ESLint rule reports the
 * findings of one lumenguard rule; the file's text is scanned once per lint pass, by the same
 * configuration resolver, scanning loop, engine and rules as `lumenguard scan FILE`
 * (./eslint-scan.ts): the same `lumenguard.config.json`, the same inline `lumenguard-allow`,
 * placeholders silent. No rule offers a fix or a suggestion: `eslint --fix` never edits a key.
 *
 * ```js
 * // eslint.config.js
 * import lumenguard from "lumenguard/eslint";
 * export default [lumenguard.configs.recommended];
 * ```
 *
 * ESLint's types are not imported: the shapes below are the parts the plugin uses, and ESLint's
 * `ESLint.Plugin` and `Linter.Config` types accept the objects as they are (a test type-checks
 * an `eslint.config.ts` that uses them).
 */

/**
 * The parts of ESLint's rule context the plugin reads (ESLint 9 and later). ESLint's types allow
 * a language whose source is binary, without `text`: there the rules report nothing.
 */
export interface EslintContextLike {
  filename: string;
  physicalFilename: string;
  cwd: string;
  /** ESLint's `SourceCode`: its `text` and `getLocFromIndex` are read when the language has them. */
  sourceCode: object;
  report(problem: { loc: { start: EslintPosition; end: EslintPosition }; messageId: string; data: Record<string, string> }): void;
}

export interface EslintRule {
  meta: {
    type: "problem";
    docs: { description: string; url: string; recommended: boolean };
    messages: Record<string, string>;
    schema: [];
  };
  create(context: EslintContextLike): { Program(): void };
}

export interface LumenguardEslintPlugin {
  meta: { name: string; version: string };
  rules: Record<EslintRuleName, EslintRule>;
  configs: { recommended: { name: string; plugins: { lumenguard: LumenguardEslintPlugin }; rules: Record<`lumenguard/${EslintRuleName}`, "error"> } };
}

/** The lumenguard rules that can fire on code an editor shows (the others are about env files, history or build output). */
const CODE_RULES = ["lumenfall-key", "public-env-prefix", "browser-sdk-key"] as const;
/** Reports the config's `customPatterns`, whatever their ids. */
const CUSTOM_PATTERNS = "custom-patterns";
export type EslintRuleName = (typeof CODE_RULES)[number] | typeof CUSTOM_PATTERNS;

/** One scan per linted text: every rule of the plugin reads the same result (ESLint hands all rules one SourceCode per pass). */
const scans = new WeakMap<object, TextScan>();

function scanOf(context: EslintContextLike, text: string): TextScan {
  let scan = scans.get(context.sourceCode);
  if (!scan) {
    scan = scanLintedText({ text, filename: context.filename, physicalFilename: context.physicalFilename, cwd: context.cwd });
    scans.set(context.sourceCode, scan);
  }
  return scan;
}

/** An ESLint rule reporting the findings that `owns` accepts, with each finding's own message id. */
function eslintRule(description: string, url: string, messageIds: readonly string[], owns: (finding: Finding, scan: TextScan) => boolean): EslintRule {
  return {
    meta: {
      type: "problem",
      docs: { description, url, recommended: true },
      // The text is rendered by lumenguard (eslint-report.ts); the message id stays the rule's own, so results can be matched exactly.
      messages: Object.fromEntries([...messageIds, PLACEHOLDER_MESSAGE_ID].map((id) => [id, "{{message}}"])),
      schema: [],
    },
    create(context) {
      return {
        Program() {
          const source = context.sourceCode as Partial<SourceTextLike>;
          if (typeof source.text !== "string" || typeof source.getLocFromIndex !== "function") return;
          const text = { text: source.text, getLocFromIndex: source.getLocFromIndex.bind(source) };
          const scan = scanOf(context, text.text);
          const lines = new LineStarts(text.text);
          for (const finding of scan.findings) {
            if (!owns(finding, scan)) continue;
            context.report({ loc: eslintLocation(finding, text, lines), messageId: finding.messageId, data: { message: eslintMessage(finding, scan) } });
          }
        },
      };
    },
  };
}

function builtInRule(id: (typeof CODE_RULES)[number]): EslintRule {
  const meta = ruleById(id)!.meta;
  return eslintRule(`${meta.practice}: ${meta.why}`, meta.guideUrl, Object.keys(meta.messages), (finding) => finding.ruleId === id);
}

/** A finding of a config `customPatterns` entry: its rule is the config's, not a built-in one. */
function isCustomPattern(finding: Finding): boolean {
  return ruleById(finding.ruleId) === undefined;
}

const plugin: LumenguardEslintPlugin = {
  meta: { name: "lumenguard", version: packageVersion() },
  rules: {
    "lumenfall-key": builtInRule("lumenfall-key"),
    "public-env-prefix": builtInRule("public-env-prefix"),
    "browser-sdk-key": builtInRule("browser-sdk-key"),
    [CUSTOM_PATTERNS]: eslintRule("Other providers' secrets, as lumenguard.config.json's customPatterns describe them", GUIDE_URL, ["found"], isCustomPattern),
  },
  configs: {} as LumenguardEslintPlugin["configs"],
};

plugin.configs.recommended = {
  name: "lumenguard/recommended",
  plugins: { lumenguard: plugin },
  rules: {
    "lumenguard/lumenfall-key": "error",
    "lumenguard/public-env-prefix": "error",
    "lumenguard/browser-sdk-key": "error",
    "lumenguard/custom-patterns": "error",
  },
};

export default plugin;

/** The version of the lumenguard package this module belongs to (lib/src/plugins/ when installed, src/plugins/ in tests). */
function packageVersion(): string {
  for (const up of ["../../../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "lumenguard" && pkg.version) return pkg.version;
    } catch {
      // not there: try the next level
    }
  }
  return "unknown";
}
