//! Request metrics stay bounded: series follow route templates, never the paths or methods requests carry.

mod common;

use common::{TestApi, TestDb, finished_run, on_each_backend};

/// The request-latency series of `/metrics`, one line each.
async fn series(api: &TestApi) -> anyhow::Result<Vec<String>> {
    let text = api.get("/metrics", None).await?.text().await?;
    Ok(text
        .lines()
        .filter(|line| line.starts_with("trace_api_request_duration_seconds_count{"))
        .map(str::to_owned)
        .collect())
}

#[tokio::test]
async fn unknown_paths_share_one_series_and_routes_show_their_template() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let api = TestApi::start(&db, |s| s).await?;
        api.store.insert_spans(&finished_run("ex-metrics-1", &["a"])).await?;
        api.store.insert_spans(&finished_run("ex-metrics-2", &["a"])).await?;
        // One unknown path first, so that its series exists before the flood, and one read of the metrics, whose
        // own request is counted after it answers.
        assert_eq!(api.get("/api/nothing-here", None).await?.status().as_u16(), 404);
        series(&api).await?;
        let before = series(&api).await?;
        for i in 0..300 {
            for path in [format!("/api/unknown-{i}"), format!("/v1/unknown-{i}"), format!("/elsewhere/{i}/x")] {
                let response = api.get(&path, None).await?;
                assert_eq!(response.status().as_u16(), 404, "{path}");
                let body: serde_json::Value = response.json().await?;
                assert_eq!(body["code"], "not_found", "{path}");
            }
            let method = reqwest::Method::from_bytes(format!("M{i}").as_bytes())?;
            api.client.request(method, api.url(&format!("/api/odd-{i}"))).send().await?;
        }
        let after = series(&api).await?;
        let added: Vec<&String> =
            after.iter().filter(|line| !before.iter().any(|b| b.split(' ').next() == line.split(' ').next())).collect();
        assert!(added.len() <= 1, "900 unknown paths and 300 methods added {} series: {added:#?}", added.len());
        assert!(after.iter().any(|l| l.contains(r#"method="GET",route="unmatched",status="404""#)), "{after:#?}");

        // Two executions, one series: the template, not the id.
        for id in ["ex-metrics-1", "ex-metrics-2"] {
            assert_eq!(api.get(&format!("/api/executions/{id}/trace"), None).await?.status().as_u16(), 200);
        }
        let after = series(&api).await?;
        let trace: Vec<&String> = after.iter().filter(|l| l.contains("/trace\"")).collect();
        assert_eq!(trace.len(), 1, "{after:#?}");
        assert!(trace[0].contains(r#"route="/api/executions/{id}/trace""#), "{trace:?}");
        assert!(trace[0].ends_with(" 2"), "{trace:?}");
        assert!(!after.iter().any(|l| l.contains("ex-metrics")), "{after:#?}");
        api.stop().await;
        Ok(db)
    })
    .await
}
