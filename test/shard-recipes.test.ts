import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import Ajv from "ajv";
import picomatch from "picomatch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { npmInstall, packedLumenguard } from "./helpers/installs.js";
import { lumenguard } from "./helpers/process.js";
import { recipe } from "./helpers/readme.js";
import { git, writeFiles, type FileTree } from "./helpers/repo.js";
import { expectValidSarif } from "./helpers/sarif-validator.js";
import { seededKeys } from "./helpers/seeded.js";

/**
 * The README's sharded-scan recipes — the GitHub Actions workflow (`shard-github-actions`) and
 * the GitLab CI jobs (`shard-gitlab-ci`) — run as the CI would run them: the YAML is parsed,
 * each job runs in its own fresh clone of a real repository (as deep as its checkout asks for)
 * whose devDependency is lumenguard's packed tarball, every `run:` / `script:` line runs as
 * written in bash with the variables the runner gives (`matrix.*`, `strategy.job-total`,
 * `CI_NODE_INDEX`, `CI_NODE_TOTAL`), and artifacts pass between jobs as upload-artifact /
 * download-artifact and GitLab's `artifacts:` + `needs:` pass them. The merged SARIF must pass
 * Microsoft's validator and the GitLab report its schema, and both must be what one whole
 * `scan --history` writes.
 *
 * Only what a runner does itself is done here: `actions/checkout` is a `git clone`,
 * `actions/setup-node` finds Node on PATH, the artifact actions copy files, `upload-sarif`
 * hands the file to the validator. Any other action or expression fails the test.
 */

let root: string;
let origin: string;
let runs = 0;

function commit(dir: string, files: FileTree, message: string): void {
  writeFiles(dir, files);
  git(dir, ["add", "-A"]);
  git(dir, ["commit", "-q", "-m", message]);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "lumenguard-ci-recipes-"));
  copyFileSync(packedLumenguard(), join(root, "lumenguard.tgz"));
  origin = join(root, "origin");
  git(root, ["init", "-q", "-b", "main", origin]);
  git(origin, ["config", "commit.gpgsign", "false"]);
  const [k1, k2, k3] = seededKeys(31, 3) as [string, string, string];
  commit(origin, { "README.md": "# app\n", ".gitignore": "node_modules/\n", "lumenguard.config.json": "{}\n" }, "init");
  commit(origin, { "src/config.ts": `export const key = "${k1}";\n`, ".env.production": `LUMENFALL_API_KEY=${k2}\n` }, "config");
  commit(origin, { "src/config.ts": `// from the environment soon\nexport const key = "${k1}";\n`, ".env.staging": `LUMENFALL_API_KEY=${k2}\n` }, "staging");
  commit(origin, { "src/config.ts": "export const key = process.env.LUMENFALL_API_KEY;\n", "docs/setup.md": `Use ${k3}\n` }, "read the key from the environment");
  for (let i = 0; i < 12; i++) commit(origin, { [`src/module-${i}.ts`]: `export const m${i} = ${i};\n` }, `module ${i}`);
  // lumenguard is the project's devDependency, from the packed tarball beside every clone.
  npmInstall(origin, ["-D", "../lumenguard.tgz"], { CI: "true" });
  commit(origin, {}, "lumenguard");
}, 240_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A fresh folder for one job. */
function workspace(name: string): string {
  const dir = join(root, `${name}-${++runs}`);
  mkdirSync(dir);
  return dir;
}

/** Runs one shell script as the runner does (bash, -e, -o pipefail) in `cwd`. */
function bash(script: string, cwd: string, env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const result = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], {
    cwd,
    env: { PATH: process.env["PATH"], HOME: process.env["HOME"], CI: "true", NO_COLOR: "1", npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false", ...env },
    encoding: "utf8",
    timeout: 180_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Files under `dir` (relative, `/`-separated) that `pattern` matches. */
function glob(dir: string, pattern: string): string[] {
  const matches = picomatch(pattern, { dot: true });
  const found: string[] = [];
  const visit = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name);
      if (name === "node_modules" || name === ".git") continue;
      if (statSync(path).isDirectory()) visit(path);
      else if (matches(relative(dir, path))) found.push(relative(dir, path));
    }
  };
  visit(dir);
  return found.sort();
}

/** What one whole history scan of the origin writes in `format` (made once per format). */
function wholeScan(format: string): string {
  const file = join(root, `whole.${format}`);
  if (!existsSync(file)) expect(lumenguard(["scan", "--history", "--format", format, "--output", file], origin).status).toBe(1);
  return readFileSync(file, "utf8");
}

describe("GitHub Actions: a matrix of shard jobs, one merge job, SARIF to code scanning", () => {
  interface Step {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, unknown>;
    if?: string;
  }
  type Context = { matrix: Record<string, unknown>; strategy: Record<string, number> };

  /** `${{ … }}` with the only expressions the recipe may use: matrix values and the strategy's job total and index. */
  function evaluate(text: unknown, context: Context): string {
    return String(text).replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_, expression: string) => {
      const matrix = /^matrix\.([\w-]+)$/.exec(expression);
      if (matrix && matrix[1]! in context.matrix) return String(context.matrix[matrix[1]!]);
      const strategy = /^strategy\.(job-total|job-index)$/.exec(expression);
      if (strategy) return String(context.strategy[strategy[1]!]);
      throw new Error(`the recipe uses an expression this test does not evaluate: ${expression}`);
    });
  }

  /** Runs a job's steps in a fresh clone; returns each `run:` step's outcome and what upload-sarif was given. */
  function runJob(steps: Step[], context: Context, artifacts: string): { runs: Array<{ script: string; status: number | null; output: string }>; sarif: string[] } {
    const dir = workspace("github");
    const result = { runs: [] as Array<{ script: string; status: number | null; output: string }>, sarif: [] as string[] };
    let failed = false;
    for (const step of steps) {
      if (step.if !== undefined && step.if.trim() !== "always()") throw new Error(`unsupported if: ${step.if}`);
      if (failed && step.if === undefined) continue;
      const input = (name: string) => (step.with?.[name] === undefined ? undefined : evaluate(step.with[name], context));
      if (step.run !== undefined) {
        const env = Object.fromEntries(Object.entries(step.env ?? {}).map(([name, value]) => [name, evaluate(value, context)]));
        const outcome = bash(step.run, dir, { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: dir, RUNNER_TEMP: join(dir, "..", "tmp"), ...env });
        result.runs.push({ script: step.run, ...outcome });
        if (outcome.status !== 0) failed = true;
      } else if (step.uses === "actions/checkout@v4") {
        const depth = Number(input("fetch-depth") ?? "1");
        const clone = depth === 0 ? ["clone", "-q", "--no-local", origin, dir] : ["clone", "-q", `--depth=${depth}`, `file://${origin}`, dir];
        git(root, clone);
      } else if (step.uses === "actions/setup-node@v4") {
        expect(input("node-version")).toBe("20");
      } else if (step.uses === "actions/upload-artifact@v4") {
        const files = glob(dir, input("path")!);
        if (files.length === 0 && input("if-no-files-found") === "error") throw new Error(`upload-artifact: no file matches ${input("path")}`);
        const target = join(artifacts, input("name")!);
        mkdirSync(target, { recursive: true });
        for (const file of files) copyFileSync(join(dir, file), join(target, basename(file)));
      } else if (step.uses === "actions/download-artifact@v4") {
        const matches = picomatch(input("pattern") ?? "*");
        const target = join(dir, input("path") ?? ".");
        for (const name of readdirSync(artifacts).filter((artifact) => matches(artifact))) {
          cpSync(join(artifacts, name), input("merge-multiple") === "true" ? target : join(target, name), { recursive: true });
        }
      } else if (step.uses === "github/codeql-action/upload-sarif@v3") {
        result.sarif.push(join(dir, input("sarif_file")!));
      } else {
        throw new Error(`unsupported action: ${step.uses}`);
      }
    }
    return result;
  }

  it("shard-github-actions: every shard job passes, the merge job fails on the findings and uploads the whole scan's SARIF", () => {
    const workflow = parse(recipe("shard-github-actions")) as { jobs: Record<string, { steps: Step[]; needs?: string; strategy?: { matrix: Record<string, unknown[]> } }> };
    const shardJob = workflow.jobs["shard"]!;
    const mergeJob = workflow.jobs["merge"]!;
    expect(mergeJob.needs).toBe("shard");
    const values = shardJob.strategy!.matrix["shard"]!;
    expect(values).toEqual([1, 2, 3, 4]);
    const artifacts = join(root, "github-artifacts");
    mkdirSync(artifacts);
    values.forEach((value, index) => {
      const job = runJob(shardJob.steps, { matrix: { shard: value }, strategy: { "job-total": values.length, "job-index": index } }, artifacts);
      for (const run of job.runs) expect(run.status, `shard ${value}: ${run.script}\n${run.output}`).toBe(0);
    });
    expect(readdirSync(artifacts).sort()).toEqual(["lumenguard-shard-1", "lumenguard-shard-2", "lumenguard-shard-3", "lumenguard-shard-4"]);
    const merge = runJob(mergeJob.steps, { matrix: {}, strategy: { "job-total": 1, "job-index": 0 } }, artifacts);
    const last = merge.runs[merge.runs.length - 1]!;
    expect(last.script).toContain("lumenguard merge");
    expect(last.status, last.output).toBe(1);
    expect(last.output).toMatch(/findings \(\d+ critical, \d+ medium\)/);
    expect(merge.sarif).toHaveLength(1);
    expectValidSarif(merge.sarif[0]!);
    expect(readFileSync(merge.sarif[0]!, "utf8")).toBe(wholeScan("sarif"));
  }, 300_000);
});

describe("GitLab CI: parallel shard jobs, one merge job, the secret-detection report", () => {
  interface Job {
    parallel?: number;
    variables?: Record<string, string>;
    needs?: string[];
    script: string[];
    artifacts?: { paths?: string[]; when?: string; reports?: Record<string, string> };
  }

  /** Runs a job in a fresh clone (`GIT_DEPTH` deep; GitLab's default is 20), after extracting `inputs`' artifacts into it. */
  function runJob(job: Job, variables: Record<string, string>, inputs: string[]): { dir: string; status: number | null; output: string } {
    const dir = workspace("gitlab");
    const depth = Number(job.variables?.["GIT_DEPTH"] ?? "20");
    git(root, depth === 0 ? ["clone", "-q", "--no-local", origin, dir] : ["clone", "-q", `--depth=${depth}`, `file://${origin}`, dir]);
    for (const input of inputs) cpSync(input, dir, { recursive: true });
    const outcome = bash(job.script.join("\n"), dir, { GITLAB_CI: "true", CI_PROJECT_DIR: dir, ...job.variables, ...variables });
    return { dir, ...outcome };
  }

  /** A job's `artifacts:paths` as GitLab collects them: the matching files, at the same paths, in a folder of their own. */
  function collect(job: Job, dir: string): string {
    const saved = workspace("gitlab-artifacts");
    for (const pattern of job.artifacts?.paths ?? []) {
      for (const file of glob(dir, pattern)) {
        mkdirSync(join(saved, file, ".."), { recursive: true });
        copyFileSync(join(dir, file), join(saved, file));
      }
    }
    return saved;
  }

  it("shard-gitlab-ci: four parallel shards, the merge job fails on the findings and writes the whole scan's report", () => {
    const pipeline = parse(recipe("shard-gitlab-ci")) as Record<string, Job>;
    const shardJob = pipeline["lumenguard-shard"]!;
    const mergeJob = pipeline["lumenguard-history"]!;
    expect(mergeJob.needs).toEqual(["lumenguard-shard"]);
    expect(shardJob.parallel).toBe(4);
    const saved: string[] = [];
    for (let index = 1; index <= shardJob.parallel!; index++) {
      const job = runJob(shardJob, { CI_NODE_INDEX: String(index), CI_NODE_TOTAL: String(shardJob.parallel) }, []);
      expect(job.status, `shard ${index}: ${job.output}`).toBe(0);
      saved.push(collect(shardJob, job.dir));
    }
    expect(saved.map((dir) => glob(dir, "**"))).toEqual([1, 2, 3, 4].map((index) => [`lumenguard-shard-${index}.json`]));
    const merge = runJob(mergeJob, {}, saved);
    expect(merge.status, merge.output).toBe(1);
    expect(mergeJob.artifacts?.when).toBe("always");
    const report = readFileSync(join(merge.dir, mergeJob.artifacts!.reports!["secret_detection"]!), "utf8");
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, "../schema/gitlab-secret-detection-15.json"), "utf8"));
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    expect(validate(JSON.parse(report)), JSON.stringify(validate.errors)).toBe(true);
    const timeless = (text: string) => text.replace(/"(start|end)_time": "[^"]+"/g, '"$1_time": "T"');
    expect(timeless(report)).toBe(timeless(wholeScan("gitlab")));
  }, 300_000);
});
