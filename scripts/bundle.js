// Bundles the command line into CommonJS files that bin/lumenguard.js requires: lib/cli.cjs, the
// chunk of everything it loads before any import() runs (lib/cli-core-*.cjs), and one chunk per
// part loaded on demand (lib/<name>-*.cjs); and the scanning worker into lib/disk-worker.js. The
// programmatic API stays unbundled ES modules in lib/src/ with its type declarations.
//
// The pre-commit hook starts the CLI on every commit (target: `scan --staged` within 1.5x
// `node -e 0`), and Node 20 has no compile cache (module.enableCompileCache is 22.1+), so every
// run parses, compiles and links all the code it loads. Measured on the 2-core machine here, CPU
// time over `node -e 0` (medians of 25 runs):
//   - one 390 KB ES module bundle: +23 ms to import (+26 ms with the entry's ESM loader);
//   - only what `scan --staged` needs, 225 KB: ~7.5 ms of it compiling, +19.6 ms as an ES module,
//     +13.5 ms as a CommonJS file: Node's ESM loader (resolution, linking, module records) costs
//     ~6 ms more than require() for the same code, and `node -e 0` pays neither;
//   - full identifier minification (25 % smaller) saved ~1 ms: parsing is not the whole cost.
// So the CLI is CommonJS (bin/package.json makes bin/lumenguard.js a CommonJS script, so no ES
// module is loaded at all on the hook's path), and the parts `scan --staged` never runs —
// other commands, other sources, other reporters — are import()ed where they are dispatched
// (src/cli/run.ts, src/scan.ts, src/reporters/formats.ts) and split into their own chunks.
//
// Why rolldown (https://rolldown.rs): esbuild splits only ES module output, and it puts each
// module in a chunk named by the set of entry points (import() targets included) that reach it,
// so the CLI's static graph came out as ~30 small chunks by which lazy module also used each
// part — and loading them cost more than the one big file. rolldown splits CommonJS output too,
// and its `$initial` tag groups every module the entry loads statically into one chunk. The worker
// stays one ES module file built by esbuild, as before: it is not on the hook's path.
//
// Chunks sit beside lib/cli.cjs, not in a subfolder: code that finds files from its own module
// URL (the worker next to it, the package root above it) works from any chunk; rolldown turns
// `import.meta.url` into the chunk file's URL. package.json ships lib/ whole, chunks included
// (a test installs the packed tarball and runs the hooks through it).
import { readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { rolldown } from "rolldown";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const lib = join(root, "lib");
// Loaded on demand only, from node_modules (config globs, directory walks, the config
// validator's helpers, archives, source maps, YAML).
const external = ["ajv", "safe-regex2", "fflate", "@jridgewell/trace-mapping", "yaml"];

// Files of an earlier build would stay behind (chunk names carry a content hash).
for (const name of readdirSync(lib)) if (name.endsWith(".cjs")) rmSync(join(lib, name));

const cli = await rolldown({
  input: { cli: join(lib, "src/cli/run.js") },
  platform: "node",
  external: (id) => id.startsWith("node:") || external.some((name) => id === name || id.startsWith(`${name}/`)),
  logLevel: "warn",
});
await cli.write({
  dir: lib,
  format: "cjs",
  entryFileNames: "[name].cjs",
  chunkFileNames: "[name]-[hash].cjs",
  codeSplitting: { groups: [{ name: "cli-core", tags: ["$initial"] }] },
  // Whitespace only: names stay readable in a LUMENGUARD_DEBUG stack trace.
  minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
  comments: { legal: false, annotation: false, jsdoc: false },
});
await cli.close();

await build({
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external,
  logLevel: "warning",
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
  entryPoints: [join(lib, "src/sources/disk-worker.js")],
  outfile: join(lib, "disk-worker.js"),
});
