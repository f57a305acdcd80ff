import type { RuleMeta } from "../engine/rule.js";
import type { Finding, Severity } from "../types.js";
import { ciOriginalPath, ciPath } from "./ci-path.js";
import { findingMessage, fixSteps } from "./render.js";
import { keptResults, notifications } from "./sarif-limits.js";
import { stableFindingIds } from "./stable-ids.js";
import type { ReportContext, Reporter } from "./types.js";

/**
 * SARIF 2.1.0 for GitHub code scanning. Every rule is listed with
 * the guide's practice, why and fix, so an alert explains itself; results carry the finding's
 * message (the key redacted) and a position, never a snippet: the validator test in
 * test/sarif-validator.test.ts runs Microsoft's official validator on what this writes.
 * Files are named from the repository root, as code scanning places alerts.
 * Within GitHub code scanning's limits: see sarif-limits.ts.
 */

const SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI = "https://www.npmjs.com/package/lumenguard";
const FINGERPRINT_KEY = "lumenguard/v1";

type Level = "error" | "warning" | "note";

const LEVEL: Record<Severity, Level> = { critical: "error", high: "error", medium: "warning", low: "note", info: "note" };

/** GitHub sorts alerts by this number (0.1–10): critical ≥ 9, high ≥ 7, medium ≥ 4. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "1.0" };

const IDENTITY = "find it by the key id and last four named in the alert";

export const sarifReporter: Reporter = (result, context) => {
  const metas = ruleList(result.findings, context);
  const index = new Map(metas.map((meta, i) => [meta.id, i]));
  const ids = stableFindingIds(result.findings);
  const log = {
    $schema: SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "lumenguard",
            ...(context.toolVersion ? { version: context.toolVersion, semanticVersion: context.toolVersion } : {}),
            informationUri: INFORMATION_URI,
            rules: metas.map(ruleDescriptor),
          },
        },
        invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications(result) }],
        // Our columns count UTF-16 code units (README "Output"), as JavaScript strings do.
        columnKind: "utf16CodeUnits",
        results: keptResults(result.findings).map((i) => sarifResult(result.findings[i]!, index.get(result.findings[i]!.ruleId) ?? 0, ids[i] as string, context)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};

/** The registry's rules, then any rule a finding names that the registry lacks (custom patterns). */
function ruleList(findings: readonly Finding[], context: ReportContext): RuleMeta[] {
  const metas = [...(context.rules ?? [])];
  const known = new Set(metas.map((meta) => meta.id));
  for (const finding of findings) {
    if (known.has(finding.ruleId)) continue;
    known.add(finding.ruleId);
    metas.push(context.ruleMeta(finding.ruleId) ?? fallbackMeta(finding));
  }
  return metas;
}

function fallbackMeta(finding: Finding): RuleMeta {
  return {
    id: finding.ruleId,
    severity: finding.severity,
    practice: "Never commit API keys to version control",
    guideUrl: "https://docs.lumenfall.ai/authentication#security-best-practices",
    why: "A secret in the repository can be read by everyone who can read the repository and its history.",
    fix: ["Revoke the secret with its provider and issue a new one.", "Keep the new one in an ignored .env file and read it on the server."],
    messages: {},
    appliesTo: { scopes: [] },
    revokeUrl: null,
  };
}

function ruleDescriptor(meta: RuleMeta) {
  const steps = fixSteps(meta.fix, IDENTITY);
  return {
    id: meta.id,
    name: pascalCase(meta.id),
    shortDescription: { text: meta.practice },
    fullDescription: { text: `${meta.practice}. ${meta.why}` },
    help: {
      text: [`${meta.practice}.`, meta.why, "", "Fix:", ...steps.map((step, i) => `${i + 1}. ${step}`), "", meta.guideUrl].join("\n"),
      markdown: [
        `**${meta.practice}.** ${meta.why}`,
        "",
        "**Fix**",
        "",
        ...steps.map((step, i) => `${i + 1}. ${step}`),
        "",
        `[${meta.practice}](${meta.guideUrl})`,
      ].join("\n"),
    },
    helpUri: meta.guideUrl,
    defaultConfiguration: { level: LEVEL[meta.severity] },
    properties: {
      tags: ["security", "secrets", "lumenfall", `external/cwe/cwe-798`],
      precision: "high",
      "security-severity": SECURITY_SEVERITY[meta.severity],
    },
  };
}

function sarifResult(finding: Finding, ruleIndex: number, id: string, context: ReportContext) {
  const properties: Record<string, unknown> = { severity: finding.severity, source: finding.source };
  if (finding.secret) properties["secret"] = { redacted: finding.secret.redacted, keyId: finding.secret.keyId, lastFour: finding.secret.lastFour, confidence: finding.secret.confidence, ...(finding.secret.partial ? { partial: true } : {}) };
  if (finding.encoding) properties["encoding"] = finding.encoding;
  if (finding.placeholder) properties["placeholder"] = finding.placeholder;
  if (finding.commit) properties["commit"] = finding.commit;
  if (finding.verified) properties["verified"] = finding.verified;
  return {
    ruleId: finding.ruleId,
    ruleIndex,
    level: LEVEL[finding.severity],
    message: { text: findingMessage(finding, context) },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: toUriReference(ciPath(finding)) },
          region: { startLine: finding.line, startColumn: finding.column, endLine: finding.endLine, endColumn: finding.endColumn },
        },
      },
    ],
    ...(finding.original
      ? {
          relatedLocations: [
            {
              id: 1,
              message: { text: "Where the bundled key came from (through the source map)." },
              physicalLocation: {
                artifactLocation: { uri: toUriReference(ciOriginalPath(finding) ?? finding.original.file) },
                region: { startLine: finding.original.line, startColumn: finding.original.column },
              },
            },
          ],
        }
      : {}),
    partialFingerprints: { [FINGERPRINT_KEY]: id },
    properties,
  };
}

/**
 * A path as an RFC 3986 reference: relative paths stay relative references,
 * segment by segment percent-encoded (spaces, `%`, `#`, `?`, non-ASCII), with a `:` in the
 * first segment encoded too — else `a:b.txt` would read as scheme `a`. Absolute paths become
 * `file:` URIs.
 */
export function toUriReference(path: string): string {
  const segments = path.split("/").map(encodeSegment);
  if (path.startsWith("/")) return `file://${segments.join("/")}`;
  if (/^[A-Za-z]:\//.test(path)) return `file:///${segments.join("/")}`;
  if (segments[0] !== undefined) segments[0] = segments[0].replaceAll(":", "%3A");
  return segments.join("/");
}

/** RFC 3986 pchar: unreserved, sub-delims, `:` and `@` stay; every other UTF-8 byte is escaped. */
function encodeSegment(segment: string): string {
  let out = "";
  for (const byte of Buffer.from(segment, "utf8")) {
    const char = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~!$&'()*+,;=:@]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function pascalCase(id: string): string {
  return id.replace(/(^|[-_\s]+)([a-zA-Z0-9])/g, (_, __, char: string) => char.toUpperCase());
}
