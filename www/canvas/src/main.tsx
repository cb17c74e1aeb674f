// The element comes from its npm package, as in any host: importing it defines <orcheo-trace-view> (and types it);
// the view's wasm loads when the first element is connected.
import "@orcheo/trace-view";

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import "../../tokens.css";
import "./canvas.css";

const root = document.getElementById("root");
if (!root) throw new Error("canvas.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
