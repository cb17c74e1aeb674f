import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App.jsx";
import "../../tokens.css";
import "./canvas.css";

// The element is loaded at run time from beside this page, like any host loads it.
const elementModule = new URL("trace-view.js", document.baseURI).href;
const elementReady = import(/* @vite-ignore */ elementModule).then(() => customElements.whenDefined("orcheo-trace-view"));

createRoot(document.getElementById("root")).render(
  <StrictMode>
    <App elementReady={elementReady} />
  </StrictMode>,
);
