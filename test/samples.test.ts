import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { root } from "./helpers/process.js";
import { createDir } from "./helpers/repo.js";

/**
 * The public samples: every positive is found, nothing in a negative is. The copy under
 * test/fixtures/samples (which the repo's own config ignores) always runs. A newer set of the
 * same samples may be kept outside the repository: the folder named by LUMENGUARD_SAMPLES_DIR,
 * or else `shared/samples` in the folder that holds this checkout. When that folder is absent,
 * its tests are skipped, with the reason in their name.
 */
const outside = process.env.LUMENGUARD_SAMPLES_DIR ?? join(dirname(root), "shared", "samples");
const roots = [join(import.meta.dirname, "fixtures/samples"), outside];

if (!existsSync(outside)) {
  describe("samples outside the repository", () => {
    it.skip(`SKIPPED: no folder at ${outside} (set LUMENGUARD_SAMPLES_DIR to one with positive/ and negative/)`, () => {});
  });
}

describe.each(roots.filter(existsSync))("samples in %s", (samples) => {
  const list = (kind: string) => readdirSync(join(samples, kind)).map((name) => join(samples, kind, name));
  // Defaults, not this repository's config (which ignores the fixture copies).
  const cwd = () => createDir({ "lumenguard.config.json": "{}" });

  it.each(list("positive"))("finds the key in %s", async (file) => {
    const { code, stdout } = await runCli(["scan", file, "--format", "json"], { cwd: cwd() });
    expect(code).toBe(1);
    expect(JSON.parse(stdout).findings).toEqual([expect.objectContaining({ ruleId: "lumenfall-key", severity: "critical" })]);
  });

  it.each(list("negative"))("flags nothing in %s", async (file) => {
    const { code, stdout } = await runCli(["scan", file, "--format", "json"], { cwd: cwd() });
    expect(code).toBe(0);
    expect(JSON.parse(stdout).findings).toEqual([]);
  });
});
