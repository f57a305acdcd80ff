import { jsonReporter } from "./json.js";
import { textReporter } from "./text.js";
import type { Reporter } from "./types.js";

export type { ReportContext, Reporter } from "./types.js";

/** Every output format, in one registry (STYLE). */
export const reporters: Readonly<Record<string, Reporter>> = {
  text: textReporter,
  json: jsonReporter,
};

export const FORMATS = Object.keys(reporters);
