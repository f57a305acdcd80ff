import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    alias: [
      {
        // Generated at build time into lib/ (scripts/build-config-validator.js); `npm test` builds first.
        find: /^(?:\.|\.\.\/config)\/validate-(config|baseline|server|report)\.generated\.js$/,
        replacement: fileURLToPath(new URL("./lib/src/config/validate-$1.generated.js", import.meta.url)),
      },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
