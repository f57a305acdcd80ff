import { defineConfig } from "vite";

export default defineConfig({
  server: {
    port: 5173,
    // The browser only ever talks to our own API; the server holds the Lumenfall key.
    proxy: { "/api": "http://localhost:3000" },
  },
  build: {
    outDir: "dist",
    sourcemap: true,
  },
});
