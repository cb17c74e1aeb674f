// The Canvas host page: React, built by `cargo xtask dist` into the bundle the trace API serves (CANVAS_OUT_DIR).
// The element's own files (trace-view.js, pkg/) are not part of this build: they sit beside the output
// and load at run time, as they would in any host.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  logLevel: "warn",
  // JSX through esbuild's automatic runtime: no Babel plugin needed.
  esbuild: { jsx: "automatic" },
  build: {
    outDir: process.env.CANVAS_OUT_DIR ?? "dist",
    emptyOutDir: false,
    assetsDir: "canvas-assets",
    // Never a data: URL: the page policy (docs/api.md, "Response headers") takes images from the service only.
    assetsInlineLimit: 0,
    rollupOptions: { input: { canvas: `${here}canvas.html` } },
  },
});
