import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { copyOfCheckout, pathWithoutNode } from "./helpers/installs.js";
import { makeKey } from "./helpers/keys.js";
import { root } from "./helpers/process.js";
import { createDir, createRepo, git, withoutGitOverrides, writeFiles } from "./helpers/repo.js";

/**
 * action.yml's scan step, run as GitHub runs a composite `shell: bash` step
 * (`bash --noprofile --norc -eo pipefail FILE`, https://docs.github.com/actions/reference/workflows-and-actions/workflow-syntax#jobsjob_idstepsshell)
 * with the environment a runner gives it: GITHUB_ACTION_PATH (the action's checkout: here a copy
 * of this one, no node_modules, no lib/), GITHUB_WORKSPACE, the event payload, GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY, and the inputs as the step's `env:` maps them.
 */
interface Step {
  id?: string;
  run?: string;
  uses?: string;
  if?: string;
  env?: Record<string, string>;
}
const action = parseYaml(readFileSync(join(root, "action.yml"), "utf8")) as {
  inputs: Record<string, { default?: string }>;
  runs: { using: string; steps: Step[] };
};
const scanStep = action.runs.steps.find((step) => step.id === "scan") as Step;

// The action's checkout, shared by the tests: built once, by the first run.
const actionPath = join(mkdtempSync(join(tmpdir(), "lumenguard-action-")), "lumenguard");
afterAll(() => rmSync(join(actionPath, ".."), { recursive: true, force: true }));

interface StepRun {
  status: number | null;
  stdout: string;
  stderr: string;
  outputs: string;
  summary: string;
}

/** Runs the scan step in `workspace` for a pull_request event from `base` to `head`. */
function runStep(workspace: string, event: { base: string; head: string; headRepo?: string | null; baseRepo?: string }, inputs: Record<string, string> = {}, env: NodeJS.ProcessEnv = {}): StepRun {
  const runner = createDir();
  const files = { script: join(runner, "step.sh"), event: join(runner, "event.json"), output: join(runner, "output"), summary: join(runner, "summary.md") };
  writeFileSync(files.script, scanStep.run as string);
  const repo = (name: string | null | undefined) => (name === undefined ? {} : { repo: name === null ? null : { full_name: name } });
  writeFileSync(files.event, JSON.stringify({ pull_request: { number: 7, base: { sha: event.base, ref: "main", ...repo(event.baseRepo) }, head: { sha: event.head, ref: "feature", ...repo(event.headRepo) } } }));
  writeFileSync(files.output, "");
  writeFileSync(files.summary, "");
  const defaults = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [`INPUT_${name.toUpperCase().replaceAll("-", "_")}`, input.default ?? ""]));
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", files.script], {
    cwd: workspace,
    encoding: "utf8",
    timeout: 300_000,
    env: {
      ...withoutGitOverrides(process.env),
      CI: "true",
      GITHUB_ACTIONS: "true",
      GITHUB_ACTION_PATH: actionPath,
      GITHUB_WORKSPACE: workspace,
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: files.event,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_SHA: event.head,
      RUNNER_TEMP: runner,
      ...defaults,
      ...inputs,
      ...env,
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outputs: readFileSync(files.output, "utf8"), summary: readFileSync(files.summary, "utf8") };
}

/** A workspace as actions/checkout leaves it (full history), with a pull request from `base` to `head`. */
function pullRequest(files: Record<string, string>): { dir: string; base: string; head: string } {
  const dir = createRepo({ committed: { "README.md": "# app\n" } });
  const base = git(dir, ["rev-parse", "HEAD"]).trim();
  writeFiles(dir, files);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", "pull request"]);
  return { dir, base, head: git(dir, ["rev-parse", "HEAD"]).trim() };
}

describe("action.yml", () => {
  it("is a composite action whose script interpolates nothing: inputs arrive through env", () => {
    expect(action.runs.using).toBe("composite");
    for (const step of action.runs.steps) if (step.run !== undefined) expect(step.run).not.toContain("${{");
    for (const name of ["version", "format", "output", "fail-on", "args"]) {
      const variable = `INPUT_${name.toUpperCase().replaceAll("-", "_")}`;
      expect(scanStep.env?.[variable], name).toBe(`\${{ inputs.${name} }}`);
      expect(scanStep.run, name).toContain(`"$${variable}"`);
    }
    expect(action.inputs["version"]?.default).toBe("");
    expect(action.inputs["format"]?.default).toBe("sarif");
    expect(scanStep.run).not.toMatch(/\bnpx\b/);
  });
});

describe("action.yml run as GitHub runs it", () => {
  beforeAll(() => {
    mkdirSync(actionPath);
    copyOfCheckout(actionPath);
  });

  it("uses: OWNER/lumenguard@REF builds the checked-out source in GITHUB_ACTION_PATH and reports a pull request's key: exit-code 1, SARIF", () => {
    expect(existsSync(join(actionPath, "lib"))).toBe(false);
    const key = makeKey();
    const pr = pullRequest({ "src/app.ts": `export const key = "${key}";\n` });
    const step = runStep(pr.dir, pr);
    expect(step.stderr).toMatch(/lumenguard: built from the action's source in \d+ s/);
    expect(step.status, step.stderr).toBe(1);
    expect(step.outputs).toBe("exit-code=1\n");
    const sarif = JSON.parse(readFileSync(join(pr.dir, "lumenguard.sarif"), "utf8")) as { runs: Array<{ tool: { driver: { version: string } }; results: Array<{ ruleId: string }> }> };
    expect(sarif.runs[0]!.tool.driver.version).toBe(JSON.parse(readFileSync(join(root, "package.json"), "utf8")).version);
    expect(sarif.runs[0]!.results.map((result) => result.ruleId)).toContain("lumenfall-key");
    expect(step.stdout + step.stderr + readFileSync(join(pr.dir, "lumenguard.sarif"), "utf8")).not.toContain(key);
  }, 300_000);

  it("format github: annotations on stdout and the findings in the step summary; a clean pull request is exit-code 0", () => {
    const pr = pullRequest({ "src/app.ts": `export const key = "${makeKey()}";\n` });
    const step = runStep(pr.dir, pr, { INPUT_FORMAT: "github", INPUT_OUTPUT: "-", INPUT_UPLOAD_SARIF: "false" });
    expect(step.status).toBe(1);
    expect(step.stdout).toMatch(/^::error file=src\/app\.ts,line=1,/m);
    expect(step.summary).toContain("lumenfall-key");
    const clean = pullRequest({ "src/app.ts": "export const key = process.env.LUMENFALL_API_KEY;\n" });
    const cleanStep = runStep(clean.dir, clean);
    expect(cleanStep.status, cleanStep.stderr).toBe(0);
    expect(cleanStep.outputs).toBe("exit-code=0\n");
  }, 300_000);

  it("a pull request from a fork: the step says the SARIF upload is skipped, the upload step is told so, and the findings show as annotations", () => {
    const key = makeKey();
    const pr = pullRequest({ "src/app.ts": `export const key = "${key}";\n` });
    for (const headRepo of ["someone/app", null]) {
      const step = runStep(pr.dir, { ...pr, headRepo, baseRepo: "acme/app" });
      expect(step.status, step.stderr).toBe(1);
      expect(step.stdout).toMatch(/^::notice title=lumenguard::This pull request comes from a fork, whose token cannot upload SARIF/m);
      expect(step.stdout).toMatch(/^::error file=src\/app\.ts,line=1,/m);
      expect(step.outputs).toBe("upload-sarif=false\nexit-code=1\n");
      expect(existsSync(join(pr.dir, "lumenguard.sarif"))).toBe(true);
      expect(step.stdout + step.stderr).not.toContain(key);
    }
    // The upload step reads that output.
    const upload = action.runs.steps.find((candidate) => candidate.uses?.startsWith("github/codeql-action/upload-sarif")) as Step;
    expect(upload.if).toContain("steps.scan.outputs.upload-sarif != 'false'");
    // The same repository: no notice, the upload goes ahead.
    const own = runStep(pr.dir, { ...pr, headRepo: "acme/app", baseRepo: "acme/app" });
    expect(own.status).toBe(1);
    expect(own.stdout).not.toContain("::notice");
    expect(own.outputs).toBe("exit-code=1\n");
  }, 300_000);

  it("inputs are arguments, never shell: a hostile output name and args run nothing", () => {
    const pr = pullRequest({ "README.md": "# changed\n" });
    const named = runStep(pr.dir, pr, { INPUT_OUTPUT: "out $(touch pwned).sarif" });
    expect(named.status, named.stderr).toBe(0);
    expect(existsSync(join(pr.dir, "out $(touch pwned).sarif"))).toBe(true);
    const flagged = runStep(pr.dir, pr, { INPUT_ARGS: "--bogus-flag $(touch pwned)" });
    expect(flagged.status).toBe(2);
    expect(flagged.stderr).toContain("--bogus-flag");
    expect(existsSync(join(pr.dir, "pwned"))).toBe(false);
  }, 300_000);

  it("node missing from PATH: exit 3 with exit-code 3 and an error annotation, never 1", () => {
    const pr = pullRequest({ "README.md": "# changed\n" });
    const step = runStep(pr.dir, pr, {}, { PATH: pathWithoutNode() });
    expect(step.status).toBe(3);
    expect(step.outputs).toBe("exit-code=3\n");
    expect(step.stdout).toContain("::error title=lumenguard could not run::node is not on PATH");
  });

  it("a version that cannot be installed from npm is exit 3, never 1 (npm offline here: no registry call)", () => {
    const pr = pullRequest({ "README.md": "# changed\n" });
    const step = runStep(pr.dir, pr, { INPUT_VERSION: "0.0.0-does-not-exist" }, { npm_config_offline: "true", npm_config_cache: createDir() });
    expect(step.status).toBe(3);
    expect(step.outputs).toBe("exit-code=3\n");
    expect(step.stdout).toContain("npm could not install lumenguard@0.0.0-does-not-exist");
  }, 120_000);

  it("a build that fails, or a lumenguard that crashes, is exit 3", () => {
    const pr = pullRequest({ "README.md": "# changed\n" });
    const broken = createDir({ "package.json": "{ not json" });
    const failedBuild = runStep(pr.dir, pr, {}, { GITHUB_ACTION_PATH: broken });
    expect(failedBuild.status).toBe(3);
    expect(failedBuild.stdout).toContain("building lumenguard in the action's folder failed");
    const crashing = createDir({ "lib/cli.cjs": "", "bin/lumenguard.js": 'process.kill(process.pid, "SIGKILL");\n' });
    const crashed = runStep(pr.dir, pr, {}, { GITHUB_ACTION_PATH: crashing });
    expect(crashed.status).toBe(3);
    expect(crashed.outputs).toBe("exit-code=3\n");
    expect(crashed.stdout).toContain("lumenguard ended with exit status 137");
  }, 120_000);
});
