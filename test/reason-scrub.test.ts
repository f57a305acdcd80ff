import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { planScan, resolveConfig } from "../src/config/resolve-config.js";
import { runCli } from "./helpers/cli.js";
import { scanText } from "./helpers/engine.js";
import { makeKey, randomString } from "./helpers/keys.js";
import { createDir } from "./helpers/repo.js";

/**
 * An allow reason (and a snippet) is text from the file, echoed into reports. Whatever shape the
 * key scrubber looks for, the engine knows the secrets of the file: any text equal to one of
 * them — the secret without `lmnfl_` and the key id, the key with its dot as `&#46;`, in hex, in
 * base64, percent-escaped — is cut before it reaches a report.
 */
const secretOf = (key: string) => key.slice(key.indexOf(".") + 1);
const hex = (text: string) => Buffer.from(text).toString("hex");
const forms = (key: string) => {
  const secret = secretOf(key);
  return [secret, hex(secret), hex(secret).toUpperCase(), hex(key), Buffer.from(secret).toString("base64").slice(0, 40), secret.slice(0, 20)];
};

describe("allow reasons and snippets never echo a secret of the file", () => {
  it("through the CLI, in every report format", async () => {
    const [k1, k2, k3, k4, k5] = [makeKey({ secretLength: 44 }), makeKey({ secretLength: 44 }), makeKey({ secretLength: 44 }), makeKey({ secretLength: 44 }), makeKey({ secretLength: 44 })];
    const percent = (text: string) => [...text].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");
    const dir = createDir({
      "a.js": `const k = "${k1}"; // lumenguard-allow: fixture, secret ${secretOf(k1)}\n`,
      "b.js": `const j = "${k2}"; // lumenguard-allow: fixture ${k2.replace(".", "&#46;")}\n`,
      "c.js": `const h = "${k3}"; // lumenguard-allow: fixture, hex ${hex(k3)} and ${hex(secretOf(k3)).toUpperCase()}\n`,
      "d.js": `const b = "${k4}"; // lumenguard-allow: base64 ${Buffer.from(secretOf(k4)).toString("base64")}\n`,
      "e.js": `const p = "${k5}"; // lumenguard-allow: escaped ${percent(secretOf(k5))}\n`,
    });
    const outputs: string[] = [];
    const out = createDir();
    for (const format of ["json", "sarif", "html", "text", "compact", "junit", "gitlab", "github"]) {
      const { stdout, stderr } = await runCli(["scan", ".", "--format", format, "--output", join(out, `report.${format}`)], { cwd: dir });
      outputs.push(readFileSync(join(out, `report.${format}`), "utf8"), stdout, stderr);
    }
    const json = JSON.parse(outputs[0]!) as { suppressed: Array<{ file: string; reason?: string }> };
    expect([...new Set(json.suppressed.map((s) => s.file))].sort()).toEqual(["a.js", "b.js", "c.js", "d.js", "e.js"]);
    // The reason's words stay; the secret goes.
    expect(json.suppressed.find((s) => s.file === "a.js")?.reason).toBe("fixture, secret \u2026");
    const all = outputs.join("\n");
    for (const key of [k1, k2, k3, k4, k5]) for (const form of forms(key)) expect(all.includes(form), form).toBe(false);
    expect(all).not.toContain(percent(secretOf(k5)).slice(0, 30));
  });

  it("a custom pattern's secret in a reason or a snippet is cut too", async () => {
    const acme = `acme_${randomString(32)}`;
    const key = makeKey({ secretLength: 44 });
    const dir = createDir({
      "lumenguard.config.json": JSON.stringify({ customPatterns: [{ id: "acme-token", regex: "acme_[A-Za-z0-9]{32}", keywords: ["acme_"] }] }),
      "a.js": `const t = "${acme}"; // lumenguard-allow: fixture ${acme} and ${Buffer.from(acme).toString("base64")}\n`,
      "b.js": `const k = "${key}"; // lumenguard-allow: fixture, also ${acme.slice(5)}\nconst t = "${acme}";\n`,
    });
    const outputs: string[] = [];
    for (const format of ["json", "text", "html", "sarif"]) {
      const { stdout, stderr } = await runCli(["scan", ".", "--format", format], { cwd: dir });
      outputs.push(stdout, stderr);
    }
    const json = JSON.parse(outputs[0]!) as { findings: Array<{ file: string; ruleId: string; snippet?: string }>; suppressed: Array<{ file: string; reason?: string }> };
    expect([...new Set(json.suppressed.map((s) => s.file))].sort()).toEqual(["a.js", "b.js"]);
    // The copy quoted in a.js's reason is another occurrence: a finding, shown redacted.
    expect(json.findings.map((f) => f.file).sort()).toEqual(["a.js", "b.js"]);
    const all = outputs.join("\n");
    for (const form of [acme, acme.slice(5), acme.slice(5, 25), Buffer.from(acme).toString("base64").slice(0, 40), secretOf(key)]) expect(all.includes(form), form).toBe(false);
  });

  it("the engine's scrubber for echoed text redacts custom-pattern secrets as well as Lumenfall keys", () => {
    const acme = `acme_${randomString(32)}`;
    const key = makeKey();
    const resolved = resolveConfig({ startDir: "/", config: { customPatterns: [{ id: "acme-token", regex: "acme_[A-Za-z0-9]{32}", keywords: ["acme_"] }] } });
    const scrubbed = planScan(resolved).scrub(`fixture \u2026 ${acme} and ${key}`);
    expect(scrubbed).not.toContain(acme.slice(5));
    expect(scrubbed).not.toContain(secretOf(key));
    expect(scrubbed).toBe(`fixture \u2026 acme\u2026${acme.slice(-4)} and ${key.slice(0, key.indexOf(".") + 1)}\u2026${key.slice(-4)}`);
  });

  it("a snippet never shows a short secret of another key on the line", () => {
    const [long, short] = [makeKey({ secretLength: 40 }), makeKey({ secretLength: 17 })];
    const { findings } = scanText(`a="${long}" ${secretOf(short)} b="${short}"\n`, { path: "x.txt", facts: { git: "tracked" } });
    expect(findings).toHaveLength(2);
    for (const finding of findings) expect(finding.snippet ?? "").not.toContain(secretOf(short));
  });
});
