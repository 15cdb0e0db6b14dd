/**
 * The embeddable `<streaming-chat>` element: one self-contained ES module at
 * `dist/embed/streaming-chat.js` (Svelte, socket.io-client, marked, DOMPurify bundled). Components
 * inject their CSS at runtime, which lands in the element's shadow root. Runs after the app build,
 * which empties `dist/` (and copies `public/embed/demo.html`), so it must not empty anything itself.
 */
import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/**
 * @tokencast/protocol builds its zod schemas at import time; the element never validates, but a
 * bundler must assume calls have side effects and would keep zod (a third of the bundle). Schema
 * builders are pure: `z` and the protocol's schemas that others are derived from (`x.optional()`).
 * Only unused calls are dropped, so a schema the element did use would stay. tests/embed.test.ts
 * fails if zod comes back (e.g. a new derived schema in the protocol: add its name here).
 */
const PURE_SCHEMA_BUILDERS = [
  "z",
  "titleSchema",
  "modelSchema",
  "systemPromptSchema",
  "displayTextSchema",
  "questionTextSchema",
];

export default defineConfig({
  root,
  plugins: [svelte({ compilerOptions: { css: "injected" } })],
  publicDir: false,
  // Library mode leaves process.env alone; the bundle runs in browsers, so settle it here.
  define: { "process.env.NODE_ENV": JSON.stringify("production") },
  build: {
    outDir: "dist/embed",
    emptyOutDir: false,
    target: "es2022",
    minify: true,
    copyPublicDir: false,
    rolldownOptions: {
      treeshake: { manualPureFunctions: PURE_SCHEMA_BUILDERS },
      // Library mode keeps whitespace and comments for re-bundling; this file goes straight to browsers.
      output: { minify: true, comments: false },
    },
    lib: {
      entry: "src/elements/streaming-chat.ts",
      formats: ["es"],
      fileName: () => "streaming-chat.js",
    },
  },
});
