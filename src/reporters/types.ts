import type { RuleMeta } from "../engine/rule.js";
import type { ScanResult, Severity } from "../types.js";

/** What a reporter may know besides the result. Reporters are pure: `(result, context) => string`. */
export interface ReportContext {
  /** Colour the text report with SGR sequences: decided by the CLI for the report's destination. */
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
  /**
   * The scan root as the user gave it (`packages/web` for `scan packages/web`), for the reports a
   * person reads at the terminal: text and compact show files from the current directory.
   */
  pathBase?: string;
  /** Files this run writes its reports to, relative to the current directory: where a capped output says the rest is. */
  reportFiles?: readonly string[];
  /** The environment, read only (GitHub: a link to the run in the overflow line). */
  env?: Readonly<Record<string, string | undefined>>;
}

export type Reporter = (result: ScanResult, context: ReportContext) => string;
