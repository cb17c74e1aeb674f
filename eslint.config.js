// ESLint on the web sources in www/ (`cargo xtask test` runs it). typescript-eslint and the TypeScript it parses
// with are installed in the lint/ workspace (lint/package.json says why), so they are loaded from there.
import { createRequire } from "node:module";

const require = createRequire(new URL("./lint/package.json", import.meta.url));
// Helpers npm hoists to the root (ts-api-utils) would load the root's TypeScript 7, which has no JavaScript API: they
// are given lint/'s TypeScript 6, the one typescript-eslint itself loads.
const rootRequire = createRequire(import.meta.url);
require("typescript");
rootRequire.cache[rootRequire.resolve("typescript")] = require.cache[require.resolve("typescript")];
const js = require("@eslint/js");
const globals = require("globals");
const tseslint = require("typescript-eslint");

const sources = "www/**/*.{js,ts,tsx}";

export default [
  { ignores: ["**/node_modules/", "target/", "www/canvas/type-tests/wrong-use.tsx"] },
  { files: [sources], ...js.configs.recommended },
  // typescript-eslint's own blocks: the parser for every source, its rules, and (on .ts/.tsx only) the core rules
  // that TypeScript's checker makes redundant switched off.
  ...tseslint.configs.recommended.map((config) => ({ files: [sources], ...config })),
  {
    files: [sources],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: globals.browser },
  },
  {
    // Node scripts: the Vite config and this file.
    files: ["www/canvas/vite.config.js", "eslint.config.js"],
    languageOptions: { globals: globals.node },
  },
];
