//! Links from a trace to external dashboards (Jaeger, Tempo, Grafana), from URL templates with `{trace_id}`,
//! `{execution_id}` and `{workflow_id}` placeholders.

use trace_model::{DashboardLink, Execution};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkTemplate {
    name: String,
    template: String,
}

impl LinkTemplate {
    /// A template must name the trace or the execution, or every link would point to the same page.
    pub fn parse(name: &str, template: &str) -> Result<Self, String> {
        if !template.starts_with("http://") && !template.starts_with("https://") {
            return Err("expected an http(s) URL".to_owned());
        }
        if !template.contains("{trace_id}") && !template.contains("{execution_id}") {
            return Err("expected a {trace_id} or {execution_id} placeholder".to_owned());
        }
        Ok(Self { name: name.to_owned(), template: template.to_owned() })
    }

    /// The link for an execution; none for `{trace_id}` templates when the execution has no trace id yet.
    pub fn render(&self, execution: &Execution) -> Option<DashboardLink> {
        let trace_id = execution.trace_id.as_deref();
        if self.template.contains("{trace_id}") && trace_id.is_none() {
            return None;
        }
        let url = self
            .template
            .replace("{trace_id}", &encode(trace_id.unwrap_or_default()))
            .replace("{execution_id}", &encode(&execution.id))
            .replace("{workflow_id}", &encode(&execution.workflow_id));
        Some(DashboardLink { name: self.name.clone(), url })
    }
}

/// Percent-encodes everything but unreserved characters, so ids cannot break out of their URL component.
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(byte)),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// Every configured link of an execution.
pub fn links_for(templates: &[LinkTemplate], execution: &Execution) -> Vec<DashboardLink> {
    templates.iter().filter_map(|t| t.render(execution)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn execution(trace_id: Option<&str>) -> Execution {
        serde_json::from_value(serde_json::json!({
            "id": "ex 1", "workflow_id": "wf/1", "status": "completed", "trace_id": trace_id
        }))
        .unwrap()
    }

    #[test]
    fn renders_placeholders_encoded() -> Result<(), String> {
        let t =
            LinkTemplate::parse("Grafana", "https://g/explore?trace={trace_id}&run={execution_id}&wf={workflow_id}")?;
        let link = t.render(&execution(Some("abc123")));
        assert_eq!(link.map(|l| l.url).as_deref(), Some("https://g/explore?trace=abc123&run=ex%201&wf=wf%2F1"));
        assert_eq!(t.render(&execution(None)), None);
        Ok(())
    }

    #[test]
    fn rejects_templates_without_an_id() {
        assert!(LinkTemplate::parse("Jaeger", "http://jaeger/search").is_err());
        assert!(LinkTemplate::parse("Jaeger", "ftp://x/{trace_id}").is_err());
    }
}
