//! The database going away: requests answer 503 with a JSON error (never hang, never panic), readiness says so,
//! and the service recovers by itself once the database is back.

mod common;

use std::time::Duration;

use common::{Backend, TestApi, TestDb, finished_run};

#[tokio::test]
async fn unreachable_postgres_is_503_then_recovers() -> anyhow::Result<()> {
    let db = TestDb::create(Backend::Postgres).await?;
    let api = TestApi::start(&db, |s| s).await?;
    api.store.insert_spans(&finished_run("ex-1", &["a"])).await?;
    assert_eq!(api.get_json("/api/executions/ex-1/trace?limit=10", None).await?.0, 200);

    db.admin("ALTER DATABASE {db} ALLOW_CONNECTIONS false").await?;
    db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{db}'").await?;
    for path in ["/api/executions", "/api/executions/ex-1/trace?limit=5", "/readyz"] {
        let (status, body) = api.get_json(path, None).await?;
        assert_eq!((status, body["code"].as_str()), (503, Some("store_unavailable")), "{path}: {body}");
    }
    let write = api.store.insert_spans(&finished_run("ex-2", &["a"])).await;
    assert!(matches!(write, Err(trace_api::store::StoreError::Unavailable(_))), "{write:?}");

    db.admin("ALTER DATABASE {db} ALLOW_CONNECTIONS true").await?;
    let mut recovered = None;
    for _ in 0..50 {
        let (status, body) = api.get_json("/api/executions/ex-1/trace?limit=10", None).await?;
        if status == 200 {
            recovered = Some(body);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let body = recovered.ok_or_else(|| anyhow::anyhow!("the API did not recover"))?;
    assert_eq!(body["spans"].as_array().map(Vec::len), Some(3), "what was stored is still there");
    assert_eq!(api.get_json("/readyz", None).await?.0, 200);
    api.stop().await;
    db.cleanup().await
}
