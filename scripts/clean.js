// Removes lib/ before a build, so a module deleted from src/ cannot linger in what ships.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

rmSync(join(dirname(fileURLToPath(import.meta.url)), "..", "lib"), { recursive: true, force: true });
