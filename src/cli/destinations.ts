import { resolve } from "node:path";
import { isDirectory } from "../files.js";
import type { CliStream } from "./io.js";

/**
 * What the CLI decides once about where a report goes: whether it is coloured, and from which
 * folder its file names are shown. Reporters only follow these decisions (ReportContext).
 */

export interface ColorFlags {
  color?: boolean | undefined;
  "no-color"?: boolean | undefined;
}

export interface ModeFlags {
  staged?: boolean | undefined;
  history?: boolean | undefined;
  "pre-push"?: boolean | undefined;
}

/**
 * Whether a report written to `stream` is coloured: --no-color, then --color, then NO_COLOR (any
 * non-empty value: off, https://no-color.org/), then FORCE_COLOR (on unless "0" or "false"),
 * else only when the stream is a terminal and TERM is not "dumb".
 */
export function useColor(stream: CliStream, values: ColorFlags, env: NodeJS.ProcessEnv): boolean {
  if (values["no-color"]) return false;
  if (values.color) return true;
  if (env["NO_COLOR"] !== undefined && env["NO_COLOR"] !== "") return false;
  if (env["FORCE_COLOR"] !== undefined) return env["FORCE_COLOR"] !== "0" && env["FORCE_COLOR"] !== "false";
  return stream.isTTY === true && env["TERM"] !== "dumb";
}

/**
 * The scan root as the user typed it, when findings are named from it rather than from the
 * current directory: one folder given to a working-tree scan (or `--pack`'s folder). Text and
 * compact reports put it in front of each file, so names open from where the command ran.
 */
export function scanRootAsGiven(command: string, paths: readonly string[], values: ModeFlags, cwd: string): string | undefined {
  if (command !== "scan" || paths.length !== 1 || paths[0] === "-" || values.staged || values.history || values["pre-push"]) return undefined;
  const root = paths[0]!;
  return isDirectory(resolve(cwd, root)) ? root : undefined;
}
