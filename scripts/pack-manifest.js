// npm's "prepack" and "postpack" scripts: the package.json inside the tarball carries no
// "prepare" script.
//
// "prepare" builds lib/ in a development checkout and when npm installs lumenguard from its git
// source. A tarball already holds the build, and its files do not include scripts/: npm 11 lists
// a dependency's "prepare" as an install script whenever the dependency is not from the registry
// (a tarball, a folder, git), warns that it is "not yet covered by allowScripts" on every
// `npm install` of the tarball, and once allowed would run `node scripts/prepare.js`, which the
// package does not have. So `prepack` takes "prepare" out of package.json, keeping the file's
// exact bytes in package.json.unpacked, and `postpack` (npm runs it once the tarball is written)
// puts them back. A run cut short leaves package.json.unpacked: the next `npm pack` refuses to
// start until it is restored (`node scripts/pack-manifest.js restore`).
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = join(root, "package.json");
const kept = join(root, "package.json.unpacked");

const step = process.argv[2];
if (step === "strip") {
  const bytes = readFileSync(manifest);
  try {
    writeFileSync(kept, bytes, { flag: "wx" });
  } catch (error) {
    if (error.code !== "EEXIST") throw error;
    console.error("package.json.unpacked exists: an earlier npm pack was cut short, or one is running. Run `node scripts/pack-manifest.js restore`, then pack again.");
    process.exit(1);
  }
  const pkg = JSON.parse(bytes.toString("utf8"));
  delete pkg.scripts.prepare;
  const temp = `${manifest}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(pkg, null, 2)}\n`, { flag: "wx" });
  renameSync(temp, manifest);
} else if (step === "restore") {
  renameSync(kept, manifest);
} else {
  console.error("usage: node scripts/pack-manifest.js strip|restore");
  process.exit(2);
}
