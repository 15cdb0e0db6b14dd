import { fileURLToPath } from "node:url";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

/** The web app. The server serves `dist/` and falls back to `dist/index.html` for `/r/*`. */
export default defineConfig({
  root,
  base: "/",
  plugins: [svelte()],
  build: { outDir: "dist", emptyOutDir: true, target: "es2022" },
  server: {
    proxy: { "/socket.io": { target: "http://localhost:3000", ws: true }, "/api": { target: "http://localhost:3000" } },
  },
});
