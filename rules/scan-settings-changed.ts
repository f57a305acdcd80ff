import { defineRule } from "../src/engine/rule.js";
import { GUIDE_URL } from "./support/guide.js";

/**
 * A change under review cannot switch off the scan that reviews it. In `lumenguard ci` for a
 * pull request, merge request or merge queue entry, the configuration and baseline come from
 * the commit the change is proposed against; what the change does to them is shown to the
 * reviewer here, and takes effect once it is merged. This rule is not found in file content:
 * the `ci` source reports it (it applies to no scope of the engine).
 */
export default defineRule({
  meta: {
    id: "scan-settings-changed",
    severity: "info",
    practice: "Never commit API keys to version control",
    guideUrl: GUIDE_URL,
    why: "A pull request that edits lumenguard's settings (ignore globs, failOn, rules, the baseline) could otherwise hide its own keys from the check that reviews it.",
    fix: [
      "Review this change to lumenguard's settings as you would review code: a new ignore glob, a lower failOn or a new baseline entry hides findings.",
      "It applies once the change is merged; until then the scan uses the settings of the base commit.",
    ],
    messages: {
      config: "This change edits lumenguard's configuration ({{fields}}); the scan used the version of {{base}}, and the edit applies once merged",
      baseline: "This change edits the baseline ({{added}} entries added, {{removed}} removed); the scan used the version of {{base}}, and the edit applies once merged",
    },
    appliesTo: { scopes: [] },
    revokeUrl: null,
  },
  defaultOptions: {},
  check() {
    // Reported by the ci source, which compares the change's settings with its base.
  },
  examples: {
    valid: [{ code: '{ "ignore": ["**"], "failOn": "none" }', path: "lumenguard.config.json", note: "file content alone never shows a change" }],
    invalid: [],
  },
});
