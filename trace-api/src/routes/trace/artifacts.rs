//! Which stored artifacts show on which span of a page. Spans go out as their stored JSON; only the few that gain
//! an artifact are parsed and written again, and the rest are read just far enough to place artifacts.

use std::collections::{HashMap, HashSet};

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use trace_model::{ArtifactRef, Span};

use crate::store::ArtifactMeta;

/// What placing artifacts reads of a span. The attribute names are `conventions::ARTIFACT_ID` and
/// `conventions::ARTIFACT_IDS` (a test keeps them equal); every other field is skipped unparsed.
#[derive(Debug, Deserialize)]
struct SpanView {
    span_id: String,
    #[serde(default)]
    attributes: ArtifactAttributes,
    #[serde(default)]
    artifacts: Vec<ListedArtifact>,
}

#[derive(Debug, Default, Deserialize)]
struct ArtifactAttributes {
    #[serde(rename = "orcheo.artifact.id")]
    id: Option<Value>,
    #[serde(rename = "orcheo.artifact.ids")]
    ids: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct ListedArtifact {
    id: String,
}

#[derive(Debug, thiserror::Error)]
#[error("span payload: {0}")]
pub struct PayloadError(#[from] serde_json::Error);

/// Each stored artifact shows on one span of the page: the span that produced it (by span id, or its own
/// `orcheo.artifact.id`), else the first span naming it in `orcheo.artifact.ids`. Spans that already list an
/// artifact (the instrumentation fills them) keep it.
///
/// Returns the spans that gained artifacts, written again, by index into `spans`.
pub fn attach(spans: &[&RawValue], artifacts: &[ArtifactMeta]) -> Result<HashMap<usize, Box<RawValue>>, PayloadError> {
    if artifacts.is_empty() {
        return Ok(HashMap::new());
    }
    let views = spans.iter().map(|raw| serde_json::from_str::<SpanView>(raw.get())).collect::<Result<Vec<_>, _>>()?;
    let mut changed = HashMap::new();
    for (index, added) in placements(&views, artifacts) {
        let mut span: Span = serde_json::from_str(spans[index].get())?;
        span.artifacts.extend(added);
        changed.insert(index, serde_json::value::to_raw_value(&span)?);
    }
    Ok(changed)
}

/// The artifacts each span gains, by index into `views`.
fn placements<'a>(views: &'a [SpanView], artifacts: &'a [ArtifactMeta]) -> HashMap<usize, Vec<ArtifactRef>> {
    let by_id: HashMap<&'a str, &'a ArtifactMeta> = artifacts.iter().map(|a| (a.id.as_str(), a)).collect();
    let mut placed: HashSet<&'a str> = views.iter().flat_map(|v| v.artifacts.iter().map(|a| a.id.as_str())).collect();
    let mut added: HashMap<usize, Vec<ArtifactRef>> = HashMap::new();
    let mut place = |index: usize, id: &str, placed: &mut HashSet<&'a str>| {
        let Some(meta) = by_id.get(id) else { return };
        if placed.insert(meta.id.as_str()) {
            added.entry(index).or_default().push(ArtifactRef {
                id: meta.id.clone(),
                name: meta.name.clone(),
                content_type: meta.content_type.clone(),
                size_bytes: meta.size_bytes,
                download_url: crate::routes::download_url(&meta.id),
            });
        }
    };
    for (index, view) in views.iter().enumerate() {
        let produced = artifacts.iter().filter(|a| a.span_id.as_deref() == Some(view.span_id.as_str()));
        for artifact in produced {
            place(index, &artifact.id, &mut placed);
        }
        if let Some(id) = view.attributes.id.as_ref().and_then(Value::as_str) {
            place(index, id, &mut placed);
        }
    }
    for (index, view) in views.iter().enumerate() {
        match &view.attributes.ids {
            Some(Value::Array(list)) => {
                for id in list.iter().filter_map(Value::as_str) {
                    place(index, id, &mut placed);
                }
            }
            Some(Value::String(text)) => {
                for id in text.split(',') {
                    place(index, id.trim(), &mut placed);
                }
            }
            _ => {}
        }
    }
    added
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use trace_model::conventions::{ARTIFACT_ID, ARTIFACT_IDS};

    use super::*;

    fn meta(id: &str, span_id: Option<&str>) -> ArtifactMeta {
        ArtifactMeta {
            id: id.to_owned(),
            execution_id: "ex".to_owned(),
            span_id: span_id.map(str::to_owned),
            name: format!("{id}.txt"),
            content_type: "text/plain".to_owned(),
            size_bytes: 3,
        }
    }

    fn raw(value: serde_json::Value) -> Box<RawValue> {
        serde_json::value::to_raw_value(&value).unwrap()
    }

    fn span(id: &str, attributes: serde_json::Value, artifacts: serde_json::Value) -> Box<RawValue> {
        raw(json!({
            "span_id": id, "name": id, "kind": "node", "start_time": "2026-01-01T00:00:00.000000Z",
            "status": {"code": "OK"}, "attributes": attributes, "events": [], "links": [], "artifacts": artifacts,
        }))
    }

    fn listed(raw: &RawValue) -> Vec<String> {
        let span: Span = serde_json::from_str(raw.get()).unwrap();
        span.artifacts.into_iter().map(|a| a.id).collect()
    }

    #[test]
    fn the_view_reads_the_convention_attribute_names() {
        let view: SpanView =
            serde_json::from_value(json!({"span_id": "a", "attributes": {ARTIFACT_ID: "x", ARTIFACT_IDS: ["y"]}}))
                .unwrap();
        assert_eq!(view.attributes.id, Some(json!("x")));
        assert_eq!(view.attributes.ids, Some(json!(["y"])));
    }

    #[test]
    fn producers_win_over_namers_and_listed_artifacts_stay_put() {
        let listed_ref = json!([{"id": "kept", "name": "k", "content_type": "text/plain", "size_bytes": 1,
                                 "download_url": "/api/artifacts/kept/download"}]);
        let stored = [
            span("root", json!({ARTIFACT_IDS: "made, named, kept"}), json!([])),
            span("a", json!({}), json!([])),
            span("b", json!({ARTIFACT_ID: "own"}), listed_ref),
            span("c", json!({ARTIFACT_IDS: ["named", "missing"]}), json!([])),
        ];
        let spans: Vec<&RawValue> = stored.iter().map(|raw| &**raw).collect();
        let artifacts = [meta("made", Some("a")), meta("own", None), meta("named", None), meta("kept", Some("c"))];
        let changed = attach(&spans, &artifacts).unwrap();
        let shown = |i: usize| listed(changed.get(&i).map_or(spans[i], |raw| &**raw));
        assert_eq!(shown(0), ["named"]);
        assert_eq!(shown(1), ["made"]);
        assert_eq!(shown(2), ["kept", "own"]);
        assert!(shown(3).is_empty());
        assert!(!changed.contains_key(&3), "a span that gains nothing keeps its stored text");
    }

    #[test]
    fn without_artifacts_to_place_nothing_is_written_again() {
        let stored = span("a", json!({ARTIFACT_ID: "x"}), json!([]));
        let spans = [&*stored];
        assert!(attach(&spans, &[]).unwrap().is_empty());
        assert!(attach(&spans, &[meta("other", Some("zzz"))]).unwrap().is_empty());
    }
}
