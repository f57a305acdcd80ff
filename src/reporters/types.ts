import type { RuleMeta } from "../engine/rule.js";
import type { ScanResult, Severity } from "../types.js";

/** What a reporter may know besides the result. Reporters are pure: `(result, context) => string`. */
export interface ReportContext {
  color: boolean;
  failOn: Severity | "none";
  ruleMeta(id: string): RuleMeta | undefined;
  /** Every rule lumenguard knows, for formats that list them all (SARIF `tool.driver.rules`). */
  rules?: readonly RuleMeta[];
  /** lumenguard's version, for formats that name the tool (SARIF, GitLab). */
  toolVersion?: string;
  /** When the scan started, ISO 8601 in UTC (GitLab's `scan.start_time`). */
  startedAt?: string;
  /** HEAD of the scanned repository: GitLab's `commit.sha` for findings without a commit. */
  headSha?: string;
  /** The environment, read only (GitHub: a link to the run in the overflow line). */
  env?: Readonly<Record<string, string | undefined>>;
}

export type Reporter = (result: ScanResult, context: ReportContext) => string;
