import { existsSync } from "node:fs";
import { join } from "node:path";
import { build, type Rollup } from "vite";
import webpack, { type Stats } from "webpack";
import { describe, expect, it } from "vitest";
import lumenguard from "../src/plugins/vite.js";
import LumenguardWebpackPlugin from "../src/plugins/webpack.js";
import { keyIdOf, makeKey } from "./helpers/keys.js";
import { createDir, writeFiles } from "./helpers/repo.js";

/**
 * The bundler gates, run in real builds: Vite (Rolldown) through its
 * JS API and webpack through its Node API, on tiny apps whose key is made at test time.
 */
const INDEX_HTML = '<!doctype html><html><body><script type="module" src="/src/main.js"></script></body></html>\n';
const MAIN_JS = 'import { config } from "./config.js";\nfetch(config.url, { headers: { Authorization: `Bearer ${config.key}` } });\n';

function app(key: string | null): string {
  return createDir({
    "package.json": JSON.stringify({ name: "app", private: true, type: "module" }),
    "index.html": INDEX_HTML,
    "src/main.js": MAIN_JS,
    "src/config.js": `export const config = {\n  url: "/api/chat",\n  key: ${key === null ? "window.localStorage.getItem('k')" : JSON.stringify(key)},\n};\n`,
  });
}

async function viteBuild(root: string, plugin: ReturnType<typeof lumenguard>, warnings: string[] = [], extra: { assetsInlineLimit?: number; publicDir?: string | false } = {}): Promise<void> {
  await build({
    root,
    configFile: false,
    logLevel: "silent",
    mode: "production",
    ...(extra.publicDir === undefined ? {} : { publicDir: extra.publicDir }),
    build: {
      outDir: "dist",
      sourcemap: true,
      ...(extra.assetsInlineLimit === undefined ? {} : { assetsInlineLimit: extra.assetsInlineLimit }),
      rollupOptions: { onwarn: (warning: Rollup.RollupLog) => void warnings.push(warning.message) },
    },
    plugins: [plugin],
  });
}

/** The redacted form of a key, as every message names it. */
const redacted = (key: string) => `lmnfl_${keyIdOf(key)}.…${key.slice(-4)}`;

const failureOf = (promise: Promise<unknown>) => promise.then(() => null, (error: Error) => error);

describe("lumenguard/vite", () => {
  it("fails the build, naming the chunk, the redacted key and the source line", async () => {
    const key = makeKey();
    const root = app(key);
    const error = await failureOf(viteBuild(root, lumenguard()));
    expect(error).not.toBeNull();
    const message = String(error?.message);
    expect(message).toMatch(/assets\/index-[\w-]+\.js:1:\d+ \(from src\/config\.js:3:9\)/);
    expect(message).toContain(`lmnfl_${keyIdOf(key)}.…${key.slice(-4)}`);
    expect(message).toContain("[client-bundle-key, critical]");
    expect(message).not.toContain(key);
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  it("prints a source name that holds a key and terminal escapes only scrubbed and escaped", async () => {
    const key = makeKey();
    const named = makeKey();
    const root = app(null);
    const source = `c\u001b[8A\u202e-${named}.js`;
    writeFiles(root, { [`src/${source}`]: `export const config = {\n  url: "/api/chat",\n  key: ${JSON.stringify(key)},\n};\n`, "src/main.js": MAIN_JS.replace("./config.js", `./${source}`) });
    const error = await failureOf(viteBuild(root, lumenguard()));
    const message = String(error?.message);
    expect(message).toContain(`lmnfl_${keyIdOf(key)}.…${key.slice(-4)}`);
    expect(message).toContain(`lmnfl_${keyIdOf(named)}.…${named.slice(-4)}`);
    for (const planted of [key, named]) expect(message).not.toContain(planted.slice(planted.indexOf(".") + 1));
    // The bundler wraps our message in its own colour codes when its output is a terminal or CI
    // asks for colour; what lumenguard wrote runs from "lumenguard:" to the stack trace.
    const ours = message.slice(message.indexOf("lumenguard:"), message.search(/\n\s+at /) >>> 0);
    expect(ours).toContain("client code");
    expect(ours).not.toMatch(/[\u001b\u202e]/);
    expect(ours).toContain("\\x1b[8A");
  });

  it("lets a clean app build", async () => {
    const root = app(null);
    await viteBuild(root, lumenguard());
    expect(existsSync(join(root, "dist/index.html"))).toBe(true);
  });

  it("failOnFindings: false warns instead, and the build finishes", async () => {
    const key = makeKey();
    const root = app(key);
    const warnings: string[] = [];
    await viteBuild(root, lumenguard({ failOnFindings: false }), warnings);
    const ours = warnings.filter((warning) => warning.includes("lumenguard:"));
    // The chunk and its map (whose sourcesContent holds a copy of the source).
    expect(ours.length).toBe(2);
    expect(ours.join("\n")).toMatch(/assets\/index-[\w-]+\.js:1:\d+ \(from src\/config\.js:3:9\)/);
    expect(ours.join("\n")).not.toContain(key);
    expect(existsSync(join(root, "dist/index.html"))).toBe(true);
  });

  it("honours the config's ignore globs, matched against the output path", async () => {
    const root = app(makeKey());
    writeFiles(root, { "lumenguard.config.json": JSON.stringify({ ignore: ["dist/**"] }) });
    await viteBuild(root, lumenguard());
    expect(existsSync(join(root, "dist/index.html"))).toBe(true);
  });

  it("a key in the public/ folder (copied into the output as it is) fails the build before anything is written", async () => {
    const key = makeKey();
    const nested = makeKey();
    const root = app(null);
    writeFiles(root, { "public/config.js": `window.CFG = { key: "${key}" };\n`, "public/data/settings.json": `{ "key": "${nested}" }\n`, "public/robots.txt": "User-agent: *\n" });
    const error = await failureOf(viteBuild(root, lumenguard()));
    const message = String(error?.message);
    expect(message).toContain("files of the public folder public/, which Vite copies into the output as they are");
    expect(message).toMatch(/^ {2}config\.js:1:\d+ .*\[client-bundle-key, critical\]$/m);
    expect(message).toMatch(/^ {2}data\/settings\.json:1:\d+ /m);
    expect(message).toContain(redacted(key));
    expect(message).not.toContain(key);
    expect(existsSync(join(root, "dist"))).toBe(false);
    // publicDir: false copies nothing, so nothing there is scanned: the app builds.
    await viteBuild(root, lumenguard(), [], { publicDir: false });
    expect(existsSync(join(root, "dist/index.html"))).toBe(true);
    expect(existsSync(join(root, "dist/config.js"))).toBe(false);
  });

  it("a key in an emitted asset (.svg, .txt, .webmanifest, .json, .html) fails the build, naming the asset", async () => {
    const keys = { svg: makeKey(), txt: makeKey(), manifest: makeKey(), json: makeKey(), html: makeKey() };
    const root = app(null);
    writeFiles(root, {
      "index.html": INDEX_HTML.replace("<body>", `<body><!-- ${keys.html} -->`),
      "src/logo.svg": `<svg xmlns="http://www.w3.org/2000/svg"><desc>${keys.svg}</desc></svg>\n`,
      "src/notes.txt": `key=${keys.txt}\n`,
      "src/site.webmanifest": `{ "name": "app", "key": "${keys.manifest}" }\n`,
      "src/data.json": `{ "key": "${keys.json}" }\n`,
      "src/main.js": 'import logo from "./logo.svg";\nimport notes from "./notes.txt?url";\nimport manifest from "./site.webmanifest?url";\nimport data from "./data.json?url";\nconsole.log(logo, notes, manifest, data);\n',
    });
    const error = await failureOf(viteBuild(root, lumenguard(), [], { assetsInlineLimit: 0 }));
    const message = String(error?.message);
    expect(message).toMatch(/^ {2}assets\/logo-[\w-]+\.svg:1:\d+ /m);
    expect(message).toMatch(/^ {2}assets\/notes-[\w-]+\.txt:1:\d+ /m);
    expect(message).toMatch(/^ {2}assets\/site-[\w-]+\.webmanifest:1:\d+ /m);
    expect(message).toMatch(/^ {2}assets\/data-[\w-]+\.json:1:\d+ /m);
    expect(message).toMatch(/^ {2}index\.html:\d+:\d+ /m);
    for (const key of Object.values(keys)) {
      expect(message).toContain(redacted(key));
      expect(message).not.toContain(key);
    }
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  it("an asset inlined into the chunk (a data URL, ?raw) fails the build through the chunk", async () => {
    const keys = { svg: makeKey(), raw: makeKey() };
    const root = app(null);
    writeFiles(root, {
      "src/logo.svg": `<svg xmlns="http://www.w3.org/2000/svg"><desc>${keys.svg}</desc></svg>\n`,
      "src/notes.txt": `key=${keys.raw}\n`,
      "src/main.js": 'import logo from "./logo.svg";\nimport notes from "./notes.txt?raw";\nconsole.log(logo, notes);\n',
    });
    const error = await failureOf(viteBuild(root, lumenguard()));
    const message = String(error?.message);
    for (const key of Object.values(keys)) expect(message).toContain(redacted(key));
    expect(message).toMatch(/assets\/index-[\w-]+\.js:1:\d+/);
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  it("honours failOn: a critical finding below a none threshold only warns", async () => {
    const root = app(makeKey());
    const warnings: string[] = [];
    await viteBuild(root, lumenguard({ failOn: "none" }), warnings);
    expect(warnings.filter((warning) => warning.includes("client-bundle-key")).length).toBe(2);
  });
});

function webpackBuild(root: string, plugin: LumenguardWebpackPlugin, mode: "production" | "development" = "production", rules: Array<{ test: RegExp; type: string }> = []): Promise<Stats> {
  const compiler = webpack({
    mode,
    module: { rules },
    context: root,
    entry: "./src/main.js",
    devtool: "source-map",
    output: { path: join(root, "dist"), filename: "assets/[name].[contenthash:8].js" },
    plugins: [plugin],
    infrastructureLogging: { level: "none" },
  });
  return new Promise((resolve, reject) =>
    compiler.run((error, stats) => {
      compiler.close(() => undefined);
      if (error || !stats) reject(error ?? new Error("no stats"));
      else resolve(stats);
    }),
  );
}

describe("lumenguard/webpack", () => {
  it("adds a build error naming the asset and the original source, never the key", async () => {
    const key = makeKey();
    const root = app(key);
    const stats = await webpackBuild(root, new LumenguardWebpackPlugin());
    expect(stats.hasErrors()).toBe(true);
    const text = stats.toString({ colors: false });
    // Terser inlines the config object's value where it is used: the map may name either line.
    expect(text).toMatch(/assets\/main\.[0-9a-f]{8}\.js:1:\d+ \(from src\/(?:config\.js:3|main\.js:2):\d+\)/);
    expect(text).toContain(`lmnfl_${keyIdOf(key)}.…${key.slice(-4)}`);
    expect(text).not.toContain(key);
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  it("asset modules: a key in an asset/resource file, or in asset/source or asset/inline content, fails the build", async () => {
    const keys = { resource: makeKey(), source: makeKey(), inline: makeKey() };
    const root = app(null);
    writeFiles(root, {
      "src/notes.txt": `key=${keys.resource}\n`,
      "src/readme.md": `key=${keys.source}\n`,
      "src/logo.svg": `<svg xmlns="http://www.w3.org/2000/svg"><desc>${keys.inline}</desc></svg>\n`,
      "src/main.js": 'import readme from "./readme.md";\nimport logo from "./logo.svg";\nconst notes = new URL("./notes.txt", import.meta.url);\nconsole.log(readme, logo, notes);\n',
    });
    const rules = [
      { test: /\.txt$/, type: "asset/resource" },
      { test: /\.md$/, type: "asset/source" },
      { test: /\.svg$/, type: "asset/inline" },
    ];
    const stats = await webpackBuild(root, new LumenguardWebpackPlugin(), "production", rules);
    expect(stats.hasErrors()).toBe(true);
    const text = stats.toString({ colors: false });
    expect(text).toMatch(/^ {2}[0-9a-f]+\.txt:1:\d+ /m);
    for (const key of Object.values(keys)) {
      expect(text).toContain(redacted(key));
      expect(text).not.toContain(key);
    }
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  it("keeps a development build from writing the key too", async () => {
    const root = app(makeKey());
    const stats = await webpackBuild(root, new LumenguardWebpackPlugin(), "development");
    expect(stats.hasErrors()).toBe(true);
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  it("lets a clean app build, and failOnFindings: false warns", async () => {
    const clean = await webpackBuild(app(null), new LumenguardWebpackPlugin());
    expect(clean.hasErrors()).toBe(false);
    expect(clean.hasWarnings()).toBe(false);
    const root = app(makeKey());
    const warned = await webpackBuild(root, new LumenguardWebpackPlugin({ failOnFindings: false }));
    expect(warned.hasErrors()).toBe(false);
    expect(warned.toJson({ all: false, warnings: true }).warnings?.map((warning) => warning.message).join("\n")).toMatch(/client-bundle-key/);
    expect(existsSync(join(root, "dist"))).toBe(true);
  });
});
