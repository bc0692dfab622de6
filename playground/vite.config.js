import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// The wasm package is built by scripts/build-wasm.sh into crates/policy-wasm/pkg.
const pkg = fileURLToPath(new URL("../crates/policy-wasm/pkg/policy_wasm.js", import.meta.url));

export default defineConfig({
  base: "./",
  resolve: { alias: { "policy-wasm": pkg } },
  server: { host: "127.0.0.1", port: 8080, fs: { allow: [".", "../crates/policy-wasm/pkg"] } },
  preview: { host: "127.0.0.1", port: 8080 },
  build: { target: "es2022", chunkSizeWarningLimit: 2000 },
});
