import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { environmentOfPath, workflowEnvironments } from "../rules/shared-key-across-environments.js";
import { runCli } from "./helpers/cli.js";
import { makeKey } from "./helpers/keys.js";
import { createRepo, writeFiles } from "./helpers/repo.js";

/** shared-key-across-environments: compared by fingerprint only, in every mode. */
type Finding = { ruleId: string; file: string; line: number; message: string };
const shared = async (cwd: string) => {
  const outcome = await runCli(["scan", "--format", "json"], { cwd });
  return (JSON.parse(outcome.stdout).findings as Finding[]).filter((f) => f.ruleId === "shared-key-across-environments");
};

describe("shared-key-across-environments", () => {
  it("infers environments from file names and deploy layouts", () => {
    expect(environmentOfPath(".env.production")).toBe("production");
    expect(environmentOfPath("apps/web/.env.prod")).toBe("production");
    expect(environmentOfPath(".env.development.local")).toBe("development");
    expect(environmentOfPath(".env.dev")).toBe("development");
    expect(environmentOfPath(".env.staging")).toBe("staging");
    expect(environmentOfPath(".env.test")).toBe("test");
    expect(environmentOfPath(".env.local")).toBe("local");
    expect(environmentOfPath(".env")).toBeNull();
    expect(environmentOfPath(".env.example")).toBeNull();
    expect(environmentOfPath("docker-compose.prod.yml")).toBe("production");
    expect(environmentOfPath("deploy/k8s/overlays/staging/secret.yaml")).toBe("staging");
    expect(environmentOfPath("src/production.ts")).toBeNull();
  });

  it("reads each workflow job's environment and the lines it spans, at any indentation and in flow style", () => {
    const workflow = "on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: production\n    env:\n      K: x\n  preview:\n    environment:\n      name: staging\n    env:\n      K: y\n";
    expect(workflowEnvironments(workflow)).toEqual([
      { environment: "production", fromLine: 3, toLine: 7 },
      { environment: "staging", fromLine: 8, toLine: 12 },
    ]);
    const fourSpaces = "jobs:\n    ship:\n        environment: { name: prod }\n        steps: []\n";
    expect(workflowEnvironments(fourSpaces)).toEqual([{ environment: "production", fromLine: 2, toLine: 4 }]);
    expect(workflowEnvironments("jobs: [unclosed\n")).toEqual([]);
  });

  it("the same key in .env.development and .env.production: reported at the key in each, naming the other", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { ".gitignore": ".env*\n" } });
    writeFiles(repo, { ".env.development": `A=1\nLUMENFALL_API_KEY=${key}\n`, ".env.production": `LUMENFALL_API_KEY=${key}\n`, ".env.test": `LUMENFALL_API_KEY=${makeKey()}\n` });
    const findings = await shared(repo);
    expect(findings.map((f) => [f.file, f.line])).toEqual([
      [".env.development", 2],
      [".env.production", 1],
    ]);
    expect(findings[0]?.message).toContain("development and production; also in .env.production");
  });

  it("ignored env files are read whatever the case of their names (.ENV.Production beside .env.development)", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { ".gitignore": ".env*\n.ENV*\n" } });
    writeFiles(repo, { ".env.development": `LUMENFALL_API_KEY=${key}\n`, "web/.ENV.Production": `LUMENFALL_API_KEY=${key}\n` });
    expect((await shared(repo)).map((f) => f.file)).toEqual([".env.development", "web/.ENV.Production"]);
  });

  it("scanning a package folder reads its ignored env files too (from a subfolder, and with cwd there)", async () => {
    const key = makeKey();
    // Nothing of packages/web is committed yet (git's icase pathspec found nothing there).
    const repo = createRepo({ committed: { ".gitignore": ".env*\n", "README.md": "x\n" } });
    writeFiles(repo, { "packages/web/src/a.js": "x\n", "packages/web/.env.development": `LUMENFALL_API_KEY=${key}\n`, "packages/web/.ENV.production": `LUMENFALL_API_KEY=${key}\n` });
    const files = async (args: string[], cwd: string) => {
      const outcome = await runCli(["scan", ...args, "--format", "json"], { cwd });
      return (JSON.parse(outcome.stdout).findings as Finding[]).filter((f) => f.ruleId === "shared-key-across-environments").map((f) => f.file);
    };
    expect(await files(["packages/web"], repo)).toEqual([".ENV.production", ".env.development"]);
    expect(await files([], join(repo, "packages/web"))).toEqual([".ENV.production", ".env.development"]);
  });

  it("an inline allow covers the finding at its key, as for any other rule", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { ".gitignore": ".env*\n" } });
    writeFiles(repo, {
      ".env.development": `LUMENFALL_API_KEY=${key}\n`,
      ".env.production": `# lumenguard-allow: the shared sandbox key, on purpose\nLUMENFALL_API_KEY=${key}\n`,
      ".env.staging": `LUMENFALL_API_KEY=${key} # lumenguard-allow\n`,
    });
    const outcome = await runCli(["scan", "--format", "json"], { cwd: repo });
    const report = JSON.parse(outcome.stdout) as { findings: Finding[]; suppressed: Array<{ ruleId: string; file: string; line: number; reason?: string }> };
    expect(report.findings.filter((f) => f.ruleId === "shared-key-across-environments").map((f) => [f.file, f.line])).toEqual([[".env.development", 1]]);
    expect(report.suppressed.filter((s) => s.ruleId === "shared-key-across-environments").map((s) => [s.file, s.line, s.reason])).toEqual([
      [".env.production", 2, "the shared sandbox key, on purpose"],
      [".env.staging", 1, undefined],
    ]);
  });

  it("different keys per environment: no finding", async () => {
    const repo = createRepo({ committed: { ".gitignore": ".env*\n" } });
    writeFiles(repo, { ".env.development": `K=${makeKey()}\n`, ".env.production": `K=${makeKey()}\n` });
    expect(await shared(repo)).toEqual([]);
  });

  it("a key shared between a workflow's production job and a compose file for staging", async () => {
    const key = makeKey();
    const repo = createRepo({
      committed: {
        ".github/workflows/deploy.yml": `on: push\njobs:\n  deploy:\n    environment: production\n    env:\n      LUMENFALL_API_KEY: ${key}\n`,
        "docker-compose.staging.yml": `services:\n  api:\n    environment:\n      LUMENFALL_API_KEY: ${key}\n`,
      },
    });
    expect((await shared(repo)).map((f) => f.file)).toEqual([".github/workflows/deploy.yml", "docker-compose.staging.yml"]);
  });
});
