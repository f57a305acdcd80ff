import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";
import { createDir } from "./helpers/repo.js";

/**
 * The public samples (../shared/samples, copied under test/fixtures/samples, which the repo's
 * own config ignores): every positive is found, nothing in a negative is.
 */
const roots = [join(import.meta.dirname, "fixtures/samples"), join(import.meta.dirname, "../../shared/samples")].filter(existsSync);

describe.each(roots)("samples in %s", (root) => {
  const list = (kind: string) => readdirSync(join(root, kind)).map((name) => join(root, kind, name));
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
