import { Readable } from "node:stream";
import { run } from "../../src/cli/run.js";
import { withoutGitOverrides } from "./repo.js";

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as a function. */
export async function runCli(
  argv: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; stdin?: string | Buffer; tty?: boolean },
): Promise<CliOutcome> {
  let stdout = "";
  let stderr = "";
  const env = { ...withoutGitOverrides(process.env), NO_COLOR: undefined, FORCE_COLOR: undefined, ...options.env };
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];
  const code = await run(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: options.tty ?? false },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: options.tty ?? false },
    stdin: options.stdin === undefined ? undefined : Readable.from([Buffer.from(options.stdin)]),
    cwd: options.cwd,
    env,
  });
  return { code, stdout, stderr };
}
