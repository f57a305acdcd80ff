import type { Finding, Severity } from "../types.js";
import { ciPath } from "./ci-path.js";
import { findingMessage, fixSteps } from "./render.js";
import { stableFindingIds, uuidFromHash } from "./stable-ids.js";
import type { ReportContext, Reporter } from "./types.js";

/**
 * GitLab's secret-detection report, at a pinned version of GitLab's security
 * report schemas, so the merge request widget and the vulnerability report show our findings.
 * `location.file` is from the repository root, where GitLab looks for it.
 * The fields GitLab's 15.x schema requires are checked in tests against
 * schema/gitlab-secret-detection-15.json. Never `raw_source_code_extract`: it would hold the key.
 */

export const GITLAB_SCHEMA_VERSION = "15.0.7";

/** When git is not there to say which commit was scanned (GitLab requires a sha). */
const NO_COMMIT = "0000000";

const SEVERITY: Record<Severity, "Critical" | "High" | "Medium" | "Low" | "Info"> = {
  critical: "Critical",
  high: "High",
  medium: "Medium",
  low: "Low",
  info: "Info",
};

const IDENTITY = "key id and last four as named in the description";

export const gitlabReporter: Reporter = (result, context) => {
  const ids = stableFindingIds(result.findings);
  const tool = { id: "lumenguard", name: "lumenguard", version: context.toolVersion ?? "0.0.0", vendor: { name: "lumenguard" } };
  const start = new Date(context.startedAt ?? 0);
  const end = new Date(start.getTime() + result.stats.durationMs);
  const report = {
    version: GITLAB_SCHEMA_VERSION,
    scan: {
      analyzer: tool,
      scanner: { ...tool, url: "https://www.npmjs.com/package/lumenguard" },
      type: "secret_detection",
      start_time: gitlabTime(start),
      end_time: gitlabTime(end),
      status: "success",
    },
    vulnerabilities: result.findings.map((finding, i) => vulnerability(finding, ids[i] as string, context)),
  };
  return `${JSON.stringify(report, null, 2)}\n`;
};

function vulnerability(finding: Finding, id: string, context: ReportContext) {
  const meta = context.ruleMeta(finding.ruleId);
  const commit = finding.commit
    ? { sha: finding.commit.sha, author: finding.commit.author, date: finding.commit.date }
    : { sha: context.headSha ?? NO_COMMIT };
  return {
    id: uuidFromHash(id),
    category: "secret_detection",
    name: meta?.practice ?? `Secret found by ${finding.ruleId}`,
    description: [
      findingMessage(finding, context) + (finding.encoding ? ` (written ${finding.encoding})` : "") + ".",
      finding.verified ? `--verify: the key is ${finding.verified}.` : "",
      meta?.why,
    ].filter(Boolean).join(" "),
    ...(meta ? { solution: fixSteps(meta.fix, IDENTITY).join(" ") } : {}),
    severity: SEVERITY[finding.severity],
    ...(finding.secret ? { confidence: finding.secret.confidence === "high" ? "High" : "Medium" } : {}),
    location: { file: ciPath(finding), start_line: finding.line, end_line: finding.endLine, commit },
    identifiers: [
      {
        type: "lumenguard_rule_id",
        name: `lumenguard rule ${finding.ruleId}`,
        value: finding.ruleId,
        ...(meta ? { url: meta.guideUrl } : {}),
      },
    ],
  };
}

/** GitLab's schema wants `YYYY-MM-DDTHH:MM:SS`: UTC, no fraction and no `Z`. */
function gitlabTime(date: Date): string {
  return date.toISOString().slice(0, 19);
}
