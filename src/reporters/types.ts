import type { RuleMeta } from "../engine/rule.js";
import type { ScanResult, Severity } from "../types.js";

/** What a reporter may know besides the result. Reporters are pure: `(result, context) => string`. */
export interface ReportContext {
  color: boolean;
  failOn: Severity | "none";
  ruleMeta(id: string): RuleMeta | undefined;
}

export type Reporter = (result: ScanResult, context: ReportContext) => string;
