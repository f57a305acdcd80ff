// Bundles the CLI and the scanning worker into one file each (lib/cli.js, lib/disk-worker.js).
// Loading ~30 ES modules costs Node ~25 ms more than one file, and the pre-commit hook pays
// start-up on every commit (target: under 1.5x `node -e 0`). The programmatic API stays
// unbundled in lib/src/ with its type declarations.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const common = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Loaded on demand only (config globs, directory walks, the config validator's helpers).
  external: ["ajv", "safe-regex2", "fflate", "@jridgewell/trace-mapping", "yaml"],
  logLevel: "warning",
  legalComments: "none",
  minifyWhitespace: true,
  minifySyntax: true,
};
await build({ ...common, entryPoints: [join(root, "lib/src/cli/run.js")], outfile: join(root, "lib/cli.js") });
await build({ ...common, entryPoints: [join(root, "lib/src/sources/disk-worker.js")], outfile: join(root, "lib/disk-worker.js") });
