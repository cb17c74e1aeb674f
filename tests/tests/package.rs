//! The npm package `@orcheo/trace-view` as `cargo xtask package` packs it: every file its manifests name is in the
//! tarball, its Custom Elements Manifest and types say what the element's code does, and `tsc` accepts the Canvas
//! host page and right uses of the element and refuses wrong ones.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail, ensure};
use regex::Regex;
use serde_json::Value;

/// The workspace version, which the package carries.
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `TRACE_VIEW_PACKAGE`, else the tarball `cargo xtask package` (and `dist`) writes.
fn tarball_path() -> PathBuf {
    std::env::var_os("TRACE_VIEW_PACKAGE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target").join("package").join(format!("orcheo-trace-view-{VERSION}.tgz")))
}

/// The tarball's files by their path in the package (npm packs them under `package/`).
fn tarball() -> anyhow::Result<BTreeMap<String, Vec<u8>>> {
    let path = tarball_path();
    let file = std::fs::File::open(&path)
        .with_context(|| format!("opening {}: build it with `cargo xtask package`", path.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut files = BTreeMap::new();
    for entry in archive.entries()? {
        let mut entry = entry?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path()?.to_string_lossy().into_owned();
        let Some(name) = name.strip_prefix("package/").map(str::to_owned) else {
            bail!("{name} is outside package/ in the tarball");
        };
        let mut bytes = Vec::new();
        entry.read_to_end(&mut bytes)?;
        files.insert(name, bytes);
    }
    Ok(files)
}

fn text<'a>(files: &'a BTreeMap<String, Vec<u8>>, name: &str) -> anyhow::Result<&'a str> {
    let bytes = files.get(name).with_context(|| format!("{name} is not in the tarball"))?;
    Ok(std::str::from_utf8(bytes)?)
}

fn json(files: &BTreeMap<String, Vec<u8>>, name: &str) -> anyhow::Result<Value> {
    serde_json::from_str(text(files, name)?).with_context(|| format!("parsing {name}"))
}

/// Every string in `value` (the leaves of `exports`).
fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Object(map) => map.values().for_each(|v| strings(v, out)),
        Value::Array(list) => list.iter().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// `path` relative to the package, from a manifest's `./x` or `x`.
fn in_package(path: &str) -> String {
    path.trim_start_matches("./").to_owned()
}

/// The set of first capture groups of `pattern` in `text`.
fn captures(pattern: &str, text: &str) -> anyhow::Result<BTreeSet<String>> {
    Ok(Regex::new(pattern)?.captures_iter(text).map(|c| c[1].to_owned()).collect())
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn the_tarball_holds_every_file_its_manifests_name() -> anyhow::Result<()> {
    let files = tarball()?;
    let manifest = json(&files, "package.json")?;
    assert_eq!(manifest["name"], "@orcheo/trace-view");
    assert_eq!(manifest["version"], VERSION, "the package carries the workspace version");
    assert_eq!(manifest["type"], "module");

    let mut named = Vec::new();
    for field in ["main", "module", "types", "customElements"] {
        named.push(manifest[field].as_str().with_context(|| format!("package.json has no {field}"))?.to_owned());
    }
    strings(&manifest["exports"], &mut named);
    ensure!(manifest["exports"]["."]["types"] == "./index.d.ts", "exports[.] leads TypeScript to index.d.ts");
    for path in &named {
        assert!(files.contains_key(&in_package(path)), "package.json names {path}, which the tarball lacks");
    }
    // `files` lists files and folders; each must bring something, and nothing else is packed but what npm always
    // adds.
    let listed: Vec<String> =
        manifest["files"].as_array().into_iter().flatten().filter_map(Value::as_str).map(in_package).collect();
    for entry in &listed {
        assert!(files.keys().any(|f| f == entry || f.starts_with(entry.as_str())), "files: {entry} packs nothing");
    }
    for file in files.keys() {
        let covered = listed.iter().any(|entry| file == entry || file.starts_with(entry.as_str()));
        assert!(covered || file == "package.json" || file == "README.md", "{file} is packed but not listed");
    }

    let cem = json(&files, "custom-elements.json")?;
    assert_eq!(cem["schemaVersion"], "2.1.0");
    for module in cem["modules"].as_array().into_iter().flatten() {
        let path = module["path"].as_str().context("a module without a path")?;
        assert!(files.contains_key(path), "custom-elements.json names {path}, which the tarball lacks");
        for export in module["exports"].as_array().into_iter().flatten() {
            let declared = export["declaration"]["module"].as_str().unwrap_or(path);
            assert!(files.contains_key(declared), "custom-elements.json exports from {declared}, not packed");
        }
    }

    // The element module loads the glue by a relative path; the glue imports its snippets and finds the wasm
    // beside itself. All of it must be in the package, for a bundler to follow.
    let element = text(&files, "trace-view.js")?;
    let glue_paths = captures(r#"import\("\./([^"]+)"\)"#, element)?;
    assert_eq!(glue_paths, set(&["pkg/trace_view.js"]));
    let glue = text(&files, "pkg/trace_view.js")?;
    // The modules are minified: either quote, no space required.
    let imports = captures(r#"from\s*["']\./([^"']+)["']"#, glue)?;
    assert!(!imports.is_empty(), "the glue imports the interpreter's snippets");
    for import in imports {
        assert!(files.contains_key(&format!("pkg/{import}")), "the glue imports ./{import}, which is not packed");
    }
    let wasm = captures(r#"new URL\(\s*["']([^"']+\.wasm)["']\s*,\s*import\.meta\.url\s*\)"#, glue)?;
    assert_eq!(wasm, set(&["trace_view_bg.wasm"]), "the glue finds its wasm beside itself");
    let bytes = files.get("pkg/trace_view_bg.wasm").context("pkg/trace_view_bg.wasm is not packed")?;
    assert!(bytes.starts_with(b"\0asm"), "pkg/trace_view_bg.wasm is WebAssembly");
    Ok(())
}

/// Validates `custom-elements.json` of the tarball against the schema of its `schemaVersion`, as published in the
/// npm package `custom-elements-manifest`, with ajv (both installed by `npm ci`); returns ajv's errors.
const VALIDATE_MANIFEST: &str = r#"
const Ajv = require("ajv");
const schema = require("custom-elements-manifest/schema.json");
const manifest = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
process.stdout.write(JSON.stringify(validate(manifest) ? [] : validate.errors));
"#;

#[test]
fn the_custom_elements_manifest_follows_its_schema() -> anyhow::Result<()> {
    use std::io::Write;
    let files = tarball()?;
    let manifest = files.get("custom-elements.json").context("custom-elements.json is not packed")?;
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(
        root().join("node_modules/custom-elements-manifest/package.json"),
    )?)?;
    assert_eq!(json(&files, "custom-elements.json")?["schemaVersion"], schema["version"], "the schema checked against");
    let mut node = Command::new("node")
        .args(["-e", VALIDATE_MANIFEST])
        .current_dir(root())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("running node")?;
    node.stdin.take().context("no stdin")?.write_all(manifest)?;
    let output = node.wait_with_output()?;
    ensure!(output.status.success(), "node failed: {}", String::from_utf8_lossy(&output.stderr));
    let errors: Value = serde_json::from_slice(&output.stdout)?;
    assert_eq!(errors, serde_json::json!([]), "custom-elements.json against the schema");
    Ok(())
}

#[test]
fn the_manifest_and_types_say_what_the_element_does() -> anyhow::Result<()> {
    let files = tarball()?;
    let cem = json(&files, "custom-elements.json")?;
    let element = &cem["modules"][0]["declarations"][0];
    assert_eq!(element["tagName"], "orcheo-trace-view");
    let names = |list: &str| -> BTreeSet<String> {
        element[list].as_array().into_iter().flatten().filter_map(|v| v["name"].as_str().map(str::to_owned)).collect()
    };
    let shim = text(&files, "trace-view.js")?;
    let types = text(&files, "index.d.ts")?;
    let source = |path: &str| std::fs::read_to_string(root().join(path)).with_context(|| format!("reading {path}"));

    // Attributes: what the element observes. The packed module is minified: spaces are optional.
    let observed = Regex::new(r"static observedAttributes\s*=\s*\[([^\]]*)\]")?
        .captures(shim)
        .map(|c| c[1].to_owned())
        .context("no observedAttributes in trace-view.js")?;
    assert_eq!(names("attributes"), captures(r#""([a-z-]+)""#, &observed)?);
    // Properties: the ones the element takes over when set before it upgraded.
    let upgraded = Regex::new(r"for\s*\(const\s+\w+\s+of\s*\[([^\]]*)\]\)")?
        .captures(shim)
        .map(|c| c[1].to_owned())
        .context("no upgrade list in trace-view.js")?;
    let properties = captures(r#""([A-Za-z]+)""#, &upgraded)?;
    assert_eq!(names("members"), properties);
    for property in &properties {
        assert!(types.contains(&format!("  get {property}(): ")), "index.d.ts lacks a getter of {property}");
        assert!(types.contains(&format!("  set {property}(value: ")), "index.d.ts lacks a setter of {property}");
    }
    // Events: what the view dispatches, and the one the element module sends itself.
    let mut dispatched = captures(r#"dispatch\(root, "([a-z-]+)""#, &source("trace-view/src/events.rs")?)?;
    dispatched.extend(captures(r#"new CustomEvent\(\s*"([a-z-]+)""#, shim)?);
    assert_eq!(names("events"), dispatched);
    let typed = captures(r#"\n  "([a-z-]+)": CustomEvent<"#, types)?;
    assert_eq!(typed, dispatched, "OrcheoTraceViewEventMap in index.d.ts");
    let props = Regex::new(r#"\n  "on([a-z-]+)"\?: \(event: OrcheoTraceViewEventMap\["([a-z-]+)"\]\)"#)?;
    let mut listened = BTreeSet::new();
    for prop in props.captures_iter(types) {
        assert_eq!(prop[1], prop[2], "on{} takes the event of another name", &prop[1]);
        listened.insert(prop[1].to_owned());
    }
    assert_eq!(listened, dispatched, "the JSX event props in index.d.ts");
    // Theming: the custom properties the stylesheet reads, and the parts the view names.
    let css = source("trace-view/src/trace_view.css")?;
    assert_eq!(names("cssProperties"), captures(r"var\((--trace-[a-z]+)", &css)?);
    let mut parts = BTreeSet::new();
    for entry in std::fs::read_dir(root().join("trace-view/src"))? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "rs") {
            parts.extend(captures(r#""part": "([a-z-]+)""#, &std::fs::read_to_string(&path)?)?);
        }
    }
    assert_eq!(names("cssParts"), parts);
    Ok(())
}

/// `tsc --noEmit -p <project>` from the workspace's node_modules; its exit status and output.
fn tsc(project: &Path) -> anyhow::Result<(bool, String)> {
    let tsc = root().join("node_modules/.bin/tsc");
    ensure!(tsc.exists(), "{} is missing: run `npm ci` at the workspace root", tsc.display());
    let output = Command::new(&tsc)
        .args(["--noEmit", "--pretty", "false", "-p"])
        .arg(project)
        .current_dir(root())
        .output()
        .with_context(|| format!("running {}", tsc.display()))?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    Ok((output.status.success(), text))
}

/// The types `tsc` checks against are the ones packed: the Canvas host installs the tarball (`cargo xtask dist`).
fn installed_types_are_the_packed_ones() -> anyhow::Result<()> {
    let installed = root().join("www/canvas/node_modules/@orcheo/trace-view/index.d.ts");
    let installed = std::fs::read(&installed)
        .with_context(|| format!("reading {}: install the package with `cargo xtask dist`", installed.display()))?;
    let files = tarball()?;
    ensure!(
        files.get("index.d.ts") == Some(&installed),
        "www/canvas has another build of the package installed: run `cargo xtask dist`"
    );
    Ok(())
}

#[test]
fn the_canvas_host_page_type_checks_against_the_package() -> anyhow::Result<()> {
    installed_types_are_the_packed_ones()?;
    let (ok, output) = tsc(&root().join("www/canvas/tsconfig.json"))?;
    assert!(ok, "tsc on www/canvas:\n{output}");
    Ok(())
}

#[test]
fn tsc_refuses_wrong_uses_of_the_element_and_accepts_right_ones() -> anyhow::Result<()> {
    installed_types_are_the_packed_ones()?;
    let fixtures = root().join("www/canvas/type-tests");
    let (ok, output) = tsc(&fixtures.join("tsconfig.right.json"))?;
    assert!(ok, "right-use.tsx must type-check:\n{output}");

    // Each line of wrong-use.tsx marked `error TSnnnn` fails with that code, and no other line fails.
    let source = std::fs::read_to_string(fixtures.join("wrong-use.tsx"))?;
    let marker = Regex::new(r"error (TS\d+)")?;
    let expected: BTreeSet<(usize, String)> = source
        .lines()
        .enumerate()
        .filter_map(|(i, line)| marker.captures(line).map(|c| (i + 1, c[1].to_owned())))
        .collect();
    assert!(expected.len() >= 8, "the fixture marks {} errors", expected.len());
    let (ok, output) = tsc(&fixtures.join("tsconfig.wrong.json"))?;
    assert!(!ok, "tsc accepted wrong-use.tsx:\n{output}");
    let reported = Regex::new(r"(?m)^[^\s(]*wrong-use\.tsx\((\d+),\d+\): error (TS\d+):")?;
    let found: BTreeSet<(usize, String)> = reported
        .captures_iter(&output)
        .map(|c| Ok((c[1].parse::<usize>()?, c[2].to_owned())))
        .collect::<anyhow::Result<_>>()?;
    assert_eq!(found, expected, "tsc output:\n{output}");
    Ok(())
}
