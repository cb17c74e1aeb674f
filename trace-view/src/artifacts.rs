//! Artifact downloads: an authorized fetch (the bearer token goes with it, as for the trace) saved as a file,
//! never a bare link that would go out without the token.

use dioxus::prelude::*;
use trace_model::ArtifactRef;

use crate::browser::save_file;
use crate::events;
use crate::fetch::{artifact_url, fetch_artifact};
use crate::host::{DEFAULT_API_BASE, Host, Source};
use trace_model::display::bytes;

#[derive(Clone, Debug, PartialEq)]
enum Download {
    Idle,
    Running,
    Done,
    Failed(String),
}

/// The artifacts as a list of name, type, size and a Download button each.
#[component]
pub fn ArtifactList(artifacts: Vec<ArtifactRef>, testid: &'static str) -> Element {
    if artifacts.is_empty() {
        return rsx! {
            p { class: "muted", "data-testid": testid, "No artifacts." }
        };
    }
    rsx! {
        ul { class: "artifacts", "data-testid": testid,
            for artifact in artifacts {
                ArtifactItem { key: "{artifact.id}", artifact }
            }
        }
    }
}

#[component]
fn ArtifactItem(artifact: ArtifactRef) -> Element {
    let host = use_context::<Host>();
    let mut state = use_signal(|| Download::Idle);
    let label = format!("Download {}", artifact.name);
    let download = {
        let artifact = artifact.clone();
        move |_| {
            let (artifact, host) = (artifact.clone(), host.clone());
            state.set(Download::Running);
            spawn(async move {
                let url = download_url(&host, &artifact);
                let token = host.token.peek().clone();
                let saved = match fetch_artifact(&url, token.as_deref()).await {
                    Ok((bytes, content_type)) => save_file(&bytes, &content_type, &artifact.name),
                    Err(error) if error.status != 0 => Err(format!("{} (HTTP {})", error.detail, error.status)),
                    Err(error) => Err(error.detail),
                };
                match saved {
                    Ok(()) => {
                        state.set(Download::Done);
                        events::artifact_download(&host.root, &artifact.id);
                    }
                    Err(reason) => state.set(Download::Failed(reason)),
                }
            });
        }
    };
    rsx! {
        li { class: "artifact", "data-artifact-id": "{artifact.id}",
            span { class: "artifact-name", "{artifact.name}" }
            span { class: "muted mono", "{artifact.content_type} · {bytes(artifact.size_bytes)}" }
            button {
                r#type: "button",
                class: "secondary",
                aria_label: "{label}",
                "data-testid": "artifact-download",
                disabled: *state.read() == Download::Running,
                onclick: download,
                "Download"
            }
            match &*state.read() {
                Download::Idle => rsx! {},
                Download::Running => rsx! {
                    span { class: "muted", role: "status", "Downloading…" }
                },
                Download::Done => rsx! {
                    span { class: "muted", role: "status", "data-testid": "artifact-done", "Downloaded" }
                },
                Download::Failed(reason) => rsx! {
                    span { class: "error-text", role: "alert", "data-testid": "artifact-error", "Download failed: {reason}" }
                },
            }
        }
    }
}

/// The reference's own URL when it has one, else the API's download route.
fn download_url(host: &Host, artifact: &ArtifactRef) -> String {
    if !artifact.download_url.is_empty() {
        return artifact.download_url.clone();
    }
    let api_base = match &*host.source.peek() {
        Source::Execution { api_base, .. } => api_base.clone(),
        _ => DEFAULT_API_BASE.to_owned(),
    };
    artifact_url(&api_base, &artifact.id)
}
