// `npm run demo`: scans the bundled example app, which leaks on purpose, and prints the real
// report. The scan exits 1 because it finds keys; the demo succeeds when that happens.
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
console.error("$ lumenguard scan examples/demo-app\n");
const { status } = spawnSync(process.execPath, [join(root, "bin/lumenguard.js"), "scan", "examples/demo-app"], { cwd: root, stdio: "inherit" });
if (status === 1) {
  console.error("\nThe demo app leaks on purpose (see examples/demo-app/EXPECTED.md): exit 1 is lumenguard doing its job.");
  process.exit(0);
}
console.error(`\nExpected the demo scan to find keys and exit 1; it exited ${status}.`);
process.exit(1);
