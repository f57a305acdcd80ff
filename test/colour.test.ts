import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../src/cli/run.js";
import { painter } from "../src/reporters/ansi.js";
import { withoutGitOverrides, createDir } from "./helpers/repo.js";
import { seededKeys } from "./helpers/seeded.js";

/**
 * Colour follows the report's destination: decided once by the CLI from --color / --no-color,
 * NO_COLOR, FORCE_COLOR and whether that destination is a terminal; the text reporter writes
 * plain SGR sequences from that decision and nothing else, so the exact output is known.
 */

const ESC = "\u001b[";
const [KEY] = seededKeys(2024, 1) as [string];
const ID = KEY.slice(6, KEY.indexOf("."));
const LAST4 = KEY.slice(-4);

/** Runs the CLI in-process with stdout and stderr each a terminal or not. */
async function cli(argv: string[], options: { stdoutTTY: boolean; stderrTTY: boolean; env?: NodeJS.ProcessEnv; cwd: string }) {
  let stdout = "";
  let stderr = "";
  const env: NodeJS.ProcessEnv = { ...withoutGitOverrides(process.env), TERM: "xterm-256color", ...options.env };
  for (const name of ["NO_COLOR", "FORCE_COLOR"]) if (!(options.env && name in options.env)) delete env[name];
  const code = await run(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk), isTTY: options.stdoutTTY },
    stderr: { write: (chunk: string) => (stderr += chunk), isTTY: options.stderrTTY },
    cwd: options.cwd,
    env,
  });
  return { code, stdout: stdout.replace(/ in \d+ ms/, " in N ms"), stderr: stderr.replace(/ in \d+ ms/, " in N ms") };
}

const project = () => createDir({ "src/app.ts": `\nconst k = "${KEY}";\n` });

/** The whole text report, coloured, as it must be byte for byte. */
function colouredReport(): string {
  const [b, nb, red, grey, fg] = [`${ESC}1m`, `${ESC}22m`, `${ESC}31m`, `${ESC}90m`, `${ESC}39m`];
  const redacted = `lmnfl_${ID}.…${LAST4}`;
  return [
    `${b}src/app.ts:2:12${nb}  ${red}${b}CRITICAL${nb}${fg}  lumenfall-key`,
    `  Lumenfall API key ${redacted} is hard-coded here`,
    `  ${grey}│${fg} const k = "${redacted}";`,
    `  ${grey}→${fg} revoke ${redacted} (key id ${ID}, last four ${LAST4}) at https://lumenfall.ai/app/api_keys`,
    "",
    `${b}lumenfall-key${nb}: Never commit API keys to version control (https://docs.lumenfall.ai/authentication#security-best-practices)`,
  ].join("\n");
}

describe("painter", () => {
  it("writes SGR open and close codes, nested in order, and nothing when off", () => {
    const paint = painter(true);
    expect(paint("bold", "x")).toBe(`${ESC}1mx${ESC}22m`);
    expect(paint(["red", "bold"], "x")).toBe(`${ESC}31m${ESC}1mx${ESC}22m${ESC}39m`);
    expect(paint("gray", "x")).toBe(`${ESC}90mx${ESC}39m`);
    expect(painter(false)(["red", "bold"], "x")).toBe("x");
  });
});

describe("the CLI decides colour per destination", () => {
  it("FORCE_COLOR with stdout not a terminal: the exact coloured report", async () => {
    const { code, stdout } = await cli(["scan", "."], { cwd: project(), stdoutTTY: false, stderrTTY: false, env: { FORCE_COLOR: "1" } });
    expect(code).toBe(1);
    expect(stdout.startsWith(`${colouredReport()}\n`)).toBe(true);
    expect(stdout.endsWith(`${ESC}31m${ESC}1m✖${ESC}22m${ESC}39m 1 finding (1 critical) · 1 file, ${Buffer.byteLength(`\nconst k = "${KEY}";\n`)} B scanned in N ms\n`)).toBe(true);
  });

  it.each([
    ["a terminal", { stdoutTTY: true, stderrTTY: true }, [], {}, true],
    ["not a terminal", { stdoutTTY: false, stderrTTY: true }, [], {}, false],
    ["--color, not a terminal", { stdoutTTY: false, stderrTTY: false }, ["--color"], {}, true],
    ["--no-color on a terminal", { stdoutTTY: true, stderrTTY: true }, ["--no-color"], {}, false],
    ["--no-color beats FORCE_COLOR", { stdoutTTY: true, stderrTTY: true }, ["--no-color"], { FORCE_COLOR: "1" }, false],
    ["NO_COLOR on a terminal", { stdoutTTY: true, stderrTTY: true }, [], { NO_COLOR: "1" }, false],
    ["NO_COLOR empty is not set", { stdoutTTY: true, stderrTTY: true }, [], { NO_COLOR: "" }, true],
    ["FORCE_COLOR=0 on a terminal", { stdoutTTY: true, stderrTTY: true }, [], { FORCE_COLOR: "0" }, false],
    ["TERM=dumb on a terminal", { stdoutTTY: true, stderrTTY: true }, [], { TERM: "dumb" }, false],
  ] as const)("text report on stdout, %s", async (_, tty, flags, env, coloured) => {
    const { stdout } = await cli(["scan", ".", ...flags], { cwd: project(), ...tty, env });
    if (coloured) expect(stdout.startsWith(`${colouredReport()}\n`)).toBe(true);
    else {
      expect(stdout).not.toContain(ESC);
      expect(stdout.startsWith("src/app.ts:2:12  CRITICAL  lumenfall-key\n")).toBe(true);
    }
  });

  it("a report file is never coloured; the summary on a terminal's stderr is", async () => {
    const dir = project();
    const { stdout, stderr } = await cli(["scan", ".", "--output", "report.txt"], { cwd: dir, stdoutTTY: false, stderrTTY: true, env: { FORCE_COLOR: "1" } });
    expect(stdout).toBe("");
    expect(readFileSync(join(dir, "report.txt"), "utf8")).not.toContain(ESC);
    expect(stderr).toMatch(new RegExp(`^${ESC.replace("[", "\\[")}31m`));
  });

  it("stdout a terminal, stderr not: the report is coloured, the summary on stderr is not", async () => {
    const { stdout, stderr } = await cli(["scan", ".", "--report", "text=-", "--report", "json=out.json"], { cwd: project(), stdoutTTY: true, stderrTTY: false });
    expect(stdout.startsWith(`${colouredReport()}\n`)).toBe(true);
    expect(stderr).not.toContain(ESC);
  });
});
