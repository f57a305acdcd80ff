// Bundles the CLI (lib/cli.js, the chunk of everything it imports statically, and the chunks it
// imports on demand: lib/chunk-*.js) and the scanning worker (lib/disk-worker.js, one file). The
// programmatic API stays unbundled in lib/src/ with its type declarations.
//
// Why a bundle: loading ~30 ES modules costs Node ~25 ms more than one file, and the pre-commit
// hook pays start-up on every commit (target: under 1.5x `node -e 0`).
//
// Why split it: Node 20 has no compile cache (module.enableCompileCache is 22.1+), so every run
// parses and compiles all the code it imports. Measured here (Node 20, 2 cores): importing the
// single 390 KB bundle took ~23 ms of CPU, of which module evaluation was ~4 ms (2 of them Ajv's
// runtime helper, see build-config-validator.js) and the rest parsing and compiling — about
// proportional to size (full minification, 25 % smaller, saved ~1 ms). Most of that code is never
// run by `scan --staged`: other commands, other sources, other reporters. The source imports
// those with import() where they are dispatched (src/cli/run.ts, src/scan.ts,
// src/reporters/formats.ts), and each becomes its own chunk, read only when that import() runs.
//
// esbuild's splitting puts each module in a chunk named by the set of entry points (dynamic
// import targets included) that reach it, so the modules the CLI imports statically would be
// spread over dozens of small chunks by which lazy module also uses them — and loading 29 files
// cost more than the one big bundle. So the build runs twice: the first pass finds the CLI's
// static module graph (dynamic imports left out), and the second makes every other module of
// ours import that whole graph (a side-effect import of a virtual module listing it), so every
// entry reaches all of it and esbuild emits it as one chunk. At run time those imports do nothing:
// a lazy chunk is only ever imported after lib/cli.js, which has already evaluated that chunk.
//
// Chunks sit beside lib/cli.js, not in a subfolder: code that finds files from its own module
// URL (the worker next to it, the package root above it) works from any chunk. package.json
// ships lib/ whole, chunks included (a test installs the packed tarball and runs the hooks).
import { readFileSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lib = join(root, "lib");
const cliEntry = join(lib, "src/cli/run.js");
const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Loaded on demand only (config globs, directory walks, the config validator's helpers).
  external: ["picomatch", "ignore", "ajv", "safe-regex2", "fflate", "@jridgewell/trace-mapping", "yaml"],
  logLevel: "warning",
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
};

/** Absolute paths of the modules lib/cli.js loads before any import() runs. */
async function staticGraph(entry) {
  const result = await build({
    ...common,
    entryPoints: [entry],
    write: false,
    outdir: lib,
    metafile: true,
    plugins: [{ name: "static-only", setup: (b) => b.onResolve({ filter: /.*/ }, (args) => (args.kind === "dynamic-import" ? { path: args.path, external: true } : undefined)) }],
  });
  return new Set(Object.keys(result.metafile.inputs).map((path) => resolve(root, path)));
}

/** Makes each of our modules outside `core` import all of `core`, so esbuild keeps `core` in one chunk. */
function oneCoreChunk(core) {
  const barrel = [...core].map((path) => `import ${JSON.stringify(path)};`).join("\n");
  return {
    name: "one-core-chunk",
    setup(b) {
      b.onResolve({ filter: /^lumenguard-cli-core$/ }, () => ({ path: "lumenguard-cli-core", namespace: "core" }));
      b.onLoad({ filter: /.*/, namespace: "core" }, () => ({ contents: barrel, resolveDir: root, loader: "js" }));
      b.onLoad({ filter: /\.js$/ }, (args) => {
        if (core.has(args.path) || !args.path.startsWith(lib + "/")) return undefined;
        return { contents: `import "lumenguard-cli-core";\n${readFileSync(args.path, "utf8")}`, loader: "js", resolveDir: dirname(args.path) };
      });
    },
  };
}

// Chunks of an earlier build would stay behind (their names carry a content hash).
for (const name of readdirSync(lib)) if (/^chunk-.*\.js$/.test(name)) rmSync(join(lib, name));
await build({
  ...common,
  entryPoints: { cli: cliEntry },
  outdir: lib,
  splitting: true,
  chunkNames: "chunk-[hash]",
  plugins: [oneCoreChunk(await staticGraph(cliEntry))],
});
await build({ ...common, entryPoints: [join(lib, "src/sources/disk-worker.js")], outfile: join(lib, "disk-worker.js") });
