// The Canvas host page: React and TypeScript, built by `cargo xtask dist` into the bundle the trace API serves
// (CANVAS_OUT_DIR). The element comes from its npm package (`@orcheo/trace-view`, installed into ./node_modules
// from the tarball `cargo xtask package` builds), bundled like any dependency: its wasm is emitted into
// canvas-assets/ beside the page's own code.
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const here = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root: here,
  base: "./",
  logLevel: "warn",
  // JSX and TypeScript through esbuild (automatic JSX runtime): no Babel plugin needed. Types are checked by
  // `tsc --noEmit -p www/canvas` (the tests run it), not by the build.
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
