import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "vite";
import webpack from "webpack";
import { describe, expect, it } from "vitest";
import { scan } from "../src/index.js";
import lumenguard from "../src/plugins/vite.js";
import LumenguardWebpackPlugin from "../src/plugins/webpack.js";
import { runCli } from "./helpers/cli.js";
import { makeKey, randomString } from "./helpers/keys.js";
import { root as projectRoot } from "./helpers/process.js";
import { createDir, createRepo, git, processEnv, writeFiles } from "./helpers/repo.js";

/**
 * Bugs of the first build that the one-source, one-loop design makes impossible, each on real
 * repositories and real builds: a custom pattern applies in every mode a Lumenfall key rule does,
 * a cross-file rule concludes in every mode, the plugins load config through the CLI's resolver,
 * and the API takes exactly one mode.
 */
const CUSTOM = { customPatterns: [{ id: "acme-token", regex: "acme_[A-Za-z0-9]{32}", keywords: ["acme_"], severity: "high" }] };
const token = () => `acme_${randomString(32)}`;
const env = processEnv();

const ids = async (argv: string[], cwd: string) => {
  const { code, stdout, stderr } = await runCli([...argv, "--format", "json"], { cwd, env });
  expect(stderr).not.toContain("internal error");
  return { code, findings: (JSON.parse(stdout).findings as Array<{ ruleId: string; file: string; line: number }>).map((f) => `${f.ruleId}@${f.file}:${f.line}`) };
};

describe("a custom pattern applies wherever the Lumenfall key rules do", () => {
  it("working tree, staged, history, client output: the same secret is found in each", async () => {
    const secret = token();
    const repo = createRepo({ committed: { "lumenguard.config.json": JSON.stringify(CUSTOM) } });
    writeFiles(repo, { "a.py": `t = "${secret}"\n` });
    expect(await ids(["scan"], repo)).toEqual({ code: 1, findings: ["acme-token@a.py:1"] });
    git(repo, ["add", "a.py"]);
    expect(await ids(["scan", "--staged"], repo)).toEqual({ code: 1, findings: ["acme-token@a.py:1"] });
    git(repo, ["commit", "-q", "-m", "a"]);
    git(repo, ["rm", "-q", "a.py"]);
    git(repo, ["commit", "-q", "-m", "rm"]);
    expect(await ids(["scan", "--history"], repo)).toEqual({ code: 1, findings: ["acme-token@a.py:1"] });
    writeFiles(repo, { "public/t.js": `var t="${token()}";\n` });
    expect(await ids(["scan", "--bundles", "public"], repo)).toEqual({ code: 1, findings: ["acme-token@public/t.js:1"] });
  });

  it("through lumenguard/vite and lumenguard/webpack, in a real build", async () => {
    const dir = createDir({
      "lumenguard.config.json": JSON.stringify(CUSTOM),
      "index.html": '<!doctype html><script type="module" src="/src/main.js"></script>\n',
      "src/main.js": `console.log(${JSON.stringify(token())});\n`,
    });
    const viteError = await build({ root: dir, configFile: false, logLevel: "silent", build: { outDir: "dist", sourcemap: true }, plugins: [lumenguard()] }).then(
      () => null,
      (error: Error) => error,
    );
    expect(String(viteError?.message)).toMatch(/acme-token, high\]/);
    const stats = await new Promise<webpack.Stats>((resolve, reject) =>
      webpack({ context: dir, mode: "production", entry: "./src/main.js", output: { path: join(dir, "out") }, plugins: [new LumenguardWebpackPlugin()] }, (error, result) => (error ? reject(error) : resolve(result!))),
    );
    expect(stats.compilation.errors.map((error) => error.message).join("\n")).toMatch(/acme-token, high\]/);
  });
});

describe("a rule that looks across files concludes in every mode", () => {
  const SHARED = "shared-key-across-environments";
  const files = (key: string) => ({ ".env.development": `LUMENFALL_API_KEY=${key}\n`, ".env.production": `LUMENFALL_API_KEY=${key}\n` });

  it("staged, history, npm pack: both files of the shared key are named", async () => {
    const key = makeKey();
    const repo = createRepo({ committed: { "package.json": JSON.stringify({ name: "p", version: "1.0.0" }) } });
    writeFiles(repo, files(key));
    git(repo, ["add", "-f", ".env.development", ".env.production"]);
    const shared = (found: string[]) => found.filter((id) => id.startsWith(SHARED));
    expect(shared((await ids(["scan", "--staged"], repo)).findings)).toEqual([`${SHARED}@.env.development:1`, `${SHARED}@.env.production:1`]);
    git(repo, ["commit", "-q", "-m", "env"]);
    expect(shared((await ids(["scan", "--history"], repo)).findings)).toEqual([`${SHARED}@.env.development:1`, `${SHARED}@.env.production:1`]);
    expect(shared((await ids(["scan", "--pack"], repo)).findings)).toEqual([`${SHARED}@.env.development:1`, `${SHARED}@.env.production:1`]);
  });

  it("in a bundler's emitted files", async () => {
    const key = makeKey();
    const dir = createDir({ "index.html": '<!doctype html><script type="module" src="/src/main.js"></script>\n', "src/main.js": "console.log(1);\n" });
    const warnings: string[] = [];
    const emitConfigs = {
      name: "emit-configs",
      generateBundle(this: { emitFile(file: object): void }) {
        this.emitFile({ type: "asset", fileName: "deploy/production/config.json", source: JSON.stringify({ apiKey: key }) });
        this.emitFile({ type: "asset", fileName: "deploy/staging/config.json", source: JSON.stringify({ apiKey: key }) });
      },
    };
    await build({
      root: dir,
      configFile: false,
      logLevel: "silent",
      build: { outDir: "dist", rollupOptions: { onwarn: (warning) => void warnings.push(warning.message) } },
      plugins: [emitConfigs, lumenguard({ failOnFindings: false })],
    });
    const shared = warnings.filter((message) => message.includes(`[${SHARED},`));
    expect(shared.map((message) => /lumenguard:\s+(\S+)\s/.exec(message)?.[1])).toEqual(["deploy/production/config.json:1:12", "deploy/staging/config.json:1:12"]);
  });

  it("in webpack's emitted assets (a real webpack build)", async () => {
    const key = makeKey();
    const dir = createDir({ "src/main.js": "console.log(1);\n" });
    // Adds the two configs as assets before lumenguard's ANALYSE stage, as a copy plugin would.
    const emitConfigs = {
      apply(compiler: webpack.Compiler) {
        compiler.hooks.thisCompilation.tap("emit-configs", (compilation) => {
          compilation.hooks.processAssets.tap({ name: "emit-configs", stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
            for (const place of ["production", "staging"]) {
              compilation.emitAsset(`deploy/${place}/config.json`, new webpack.sources.RawSource(JSON.stringify({ apiKey: key })));
            }
          });
        });
      },
    };
    const stats = await new Promise<webpack.Stats>((resolve, reject) => {
      const compiler = webpack({
        context: dir,
        mode: "production",
        entry: "./src/main.js",
        output: { path: join(dir, "dist") },
        plugins: [emitConfigs, new LumenguardWebpackPlugin({ failOnFindings: false })],
        infrastructureLogging: { level: "none" },
      });
      compiler.run((error, result) => {
        compiler.close(() => undefined);
        if (error || !result) reject(error ?? new Error("no stats"));
        else resolve(result);
      });
    });
    expect(stats.hasErrors()).toBe(false);
    const warnings = stats.compilation.warnings.map((warning) => warning.message);
    const shared = warnings.filter((message) => message.includes(`[${SHARED},`));
    expect(shared.map((message) => /lumenguard:\s+(\S+)\s/.exec(message)?.[1])).toEqual(["deploy/production/config.json:1:12", "deploy/staging/config.json:1:12"]);
    expect(warnings.join("\n")).not.toContain(key);
  });
});

describe("one configuration resolver", () => {
  it("a custom pattern that takes a rule's id is refused by the CLI and by both plugins, naming the field", async () => {
    const config = { customPatterns: [{ id: "lumenfall-key", regex: "x{3}", keywords: ["xxx"] }] };
    const dir = createDir({ "lumenguard.config.json": JSON.stringify(config), "index.html": '<!doctype html><script type="module" src="/src/main.js"></script>\n', "src/main.js": "console.log(1);\n" });
    const cli = await runCli(["scan"], { cwd: dir, env });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('"customPatterns[0].id"');
    const viteError = await build({ root: dir, configFile: false, logLevel: "silent", build: { outDir: "dist" }, plugins: [lumenguard()] }).then(
      () => null,
      (error: Error) => error,
    );
    expect(String(viteError?.message)).toContain('"customPatterns[0].id" "lumenfall-key" is already the id of a rule');
    const stats = await new Promise<webpack.Stats>((resolve, reject) =>
      webpack({ context: dir, mode: "production", entry: "./src/main.js", output: { path: join(dir, "out") }, plugins: [new LumenguardWebpackPlugin()] }, (error, result) => (error ? reject(error) : resolve(result!))),
    ).catch((error: Error) => error);
    const messages = stats instanceof Error ? stats.message : stats.compilation.errors.map((error) => error.message).join("\n");
    expect(messages).toContain('"customPatterns[0].id" "lumenfall-key" is already the id of a rule');
  });
});

describe("the engine changes no process-wide state", () => {
  it("scanning with custom patterns through the plugin API leaves V8's flags as they were", () => {
    const dir = createDir({ "lumenguard.config.json": JSON.stringify(CUSTOM) });
    const script = `
      const { scanEmittedFiles } = await import(${JSON.stringify(join(projectRoot, "lib/src/plugins/gate.js"))});
      await scanEmittedFiles([{ fileName: "a.js", contents: "x = 'acme_${"A".repeat(32)}'" }], { root: ${JSON.stringify(dir)}, outDir: ${JSON.stringify(join(dir, "dist"))} });
      let linear = true;
      try { new RegExp("a", "l"); } catch { linear = false; }
      console.log(linear ? "linear-engine-on" : "untouched");`;
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("untouched");
  });
});

describe("the API takes exactly one mode", () => {
  it("options of the old shape (two modes at once) are refused, not silently read as one", async () => {
    const repo = createRepo({ committed: { "a.ts": "" } });
    await expect(scan({ cwd: repo, env, staged: true, history: true } as never)).rejects.toThrow(/unknown option "staged".*mode/);
  });

  it("a pack scan says it was one", async () => {
    const dir = createDir({ "package.json": JSON.stringify({ name: "p", version: "1.0.0" }), "index.js": "" });
    writeFileSync(join(dir, "index.js"), "module.exports = 1;\n");
    expect((await scan({ cwd: dir, env, mode: { kind: "pack" } })).mode).toBe("pack");
  });
});
