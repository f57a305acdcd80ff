import { defineRule } from "../src/engine/rule.js";
import { GUIDE_URL } from "./support/guide.js";

/**
 * A change under review cannot switch off the scan that reviews it. In `lumenguard ci` for a
 * pull request, merge request or merge queue entry, the configuration and baseline come from
 * the commit the change is proposed against; what the change does to them is shown to the
 * reviewer here, and takes effect once it is merged. A `lumenguard-allow` marker the change
 * adds still allows what it covers (that is how a team accepts a fixture), and is shown here too,
 * with its reason, at the place it hides. This rule is not found in file content: the `ci`
 * source reports it (it applies to no scope of the engine).
 */
export default defineRule({
  meta: {
    id: "scan-settings-changed",
    severity: "info",
    practice: "Never commit API keys to version control",
    guideUrl: GUIDE_URL,
    why: "A pull request that edits lumenguard's settings (ignore globs, failOn, rules, the baseline) or writes a lumenguard-allow next to its own key could otherwise hide that key from the check that reviews it.",
    fix: [
      "Review this change to lumenguard's settings as you would review code: a new ignore glob, a lower failOn or a new baseline entry hides findings.",
      "It applies once the change is merged; until then the scan uses the settings of the base commit.",
      "A lumenguard-allow the change adds hides a finding now: check that what it hides is a placeholder or a fixture, never a real key, and that its reason says so.",
    ],
    messages: {
      config: "This change edits lumenguard's configuration ({{fields}}); the scan used the version of {{base}}, and the edit applies once merged",
      baseline: "This change edits the baseline ({{added}} entries added, {{removed}} removed); the scan used the version of {{base}}, and the edit applies once merged",
      inlineAllow: "This change adds a lumenguard-allow that hides a {{rule}} finding here (reason: {{reason}}); {{base}} has no such allow, so review what it hides",
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
