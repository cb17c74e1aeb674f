//! The access-control matrix, the same on every route: 401 without valid credentials, 403 without the scope,
//! 404 (never 403) for an execution of another workspace; HS256 and RS256 JWTs and service tokens; the audit trail.

mod common;

use common::{SpanSpec, TestApi, TestDb, finished_run, on_each_backend};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use sha2::{Digest, Sha256};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use trace_api::auth::{AuthConfig, Authenticator, ServiceToken};
use trace_api::store::NewArtifact;

const SECRET: &str = "hs256-test-secret";
const SERVICE_TOKEN: &str = "svc-token-0123456789";
const RSA_PRIVATE: &str = include_str!("fixtures/test-only-rsa-private.pem");
const RSA_PUBLIC: &str = include_str!("fixtures/test-only-rsa-public.pem");

fn authenticator() -> anyhow::Result<Authenticator> {
    Ok(Authenticator::new(&AuthConfig {
        required: true,
        jwt_secret: Some(SECRET.to_owned()),
        jwt_public_keys: vec![RSA_PUBLIC.to_owned()],
        service_tokens: vec![ServiceToken {
            name: "canvas".to_owned(),
            sha256: const_hex::encode(Sha256::digest(SERVICE_TOKEN.as_bytes())),
            scopes: vec!["workflows:read".to_owned()],
            workspaces: vec!["*".to_owned()],
        }],
        ..AuthConfig::default()
    })?)
}

fn claims(sub: &str, scope: &str, workspaces: &[&str]) -> serde_json::Value {
    json!({"sub": sub, "scope": scope, "workspace_ids": workspaces, "exp": chrono::Utc::now().timestamp() + 600})
}

fn hs256(sub: &str, scope: &str, workspaces: &[&str]) -> anyhow::Result<String> {
    let key = EncodingKey::from_secret(SECRET.as_bytes());
    Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(sub, scope, workspaces), &key)?)
}

fn rs256(sub: &str, scope: &str, workspaces: &[&str]) -> anyhow::Result<String> {
    let key = EncodingKey::from_rsa_pem(RSA_PRIVATE.as_bytes())?;
    Ok(jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims(sub, scope, workspaces), &key)?)
}

async fn seed(api: &TestApi) -> anyhow::Result<()> {
    for (execution, workspace) in [("ex-w1", "w1"), ("ex-w2", "w2")] {
        let mut run = finished_run(execution, &["a"]);
        run[0] = SpanSpec::new(execution, "root", None, 0, Some(1000))
            .attr("orcheo.workspace.id", json!(workspace))
            .record();
        api.store.insert_spans(&run).await?;
        api.store
            .put_artifact(&NewArtifact {
                id: format!("art-{workspace}"),
                execution_id: execution.to_owned(),
                span_id: None,
                name: "out.txt".to_owned(),
                content_type: "text/plain".to_owned(),
                content: b"hello".to_vec(),
            })
            .await?;
    }
    Ok(())
}

/// The status of a WebSocket handshake (101 when upgraded).
async fn ws_status(api: &TestApi, path: &str, protocol: Option<&str>) -> anyhow::Result<u16> {
    let mut request = api.ws_url(path).into_client_request()?;
    if let Some(protocol) = protocol {
        request.headers_mut().insert("sec-websocket-protocol", protocol.parse()?);
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((_, response)) => Ok(response.status().as_u16()),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Ok(response.status().as_u16()),
        Err(e) => Err(e.into()),
    }
}

#[tokio::test]
async fn every_route_applies_the_same_rule() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let auth = authenticator()?;
        let api = TestApi::start(&db, |s| s.with_auth(auth)).await?;
        seed(&api).await?;
        let reader_w1 = hs256("ana", "workflows:read", &["w1"])?;
        let no_scope = hs256("bob", "something:else", &["w1", "w2"])?;
        let forged = {
            let key = EncodingKey::from_secret(b"not-the-secret");
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims("eve", "workflows:read", &["*"]), &key)?
        };
        let routes = ["/api/executions", "/api/executions/ex-w1/trace", "/api/artifacts/art-w1/download"];
        for path in routes {
            for token in [None, Some("garbage"), Some(forged.as_str())] {
                let (status, body) = api.get_json(path, token).await?;
                assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")), "{path} with {token:?}");
            }
            let (status, body) = api.get_json(path, Some(&no_scope)).await?;
            assert_eq!((status, body["code"].as_str()), (403, Some("forbidden")), "{path} without scope");
        }
        let unauthorized = api.get("/api/executions", None).await?;
        assert_eq!(unauthorized.headers()["www-authenticate"], "Bearer");

        // A reader of w1 sees w1 only; w2 does not exist for it.
        let (_, body) = api.get_json("/api/executions", Some(&reader_w1)).await?;
        assert_eq!(
            body["executions"].as_array().map(|list| list.iter().map(|e| e["id"].clone()).collect::<Vec<_>>()),
            Some(vec![json!("ex-w1")])
        );
        assert_eq!(api.get_json("/api/executions/ex-w1/trace", Some(&reader_w1)).await?.0, 200);
        assert_eq!(api.get("/api/artifacts/art-w1/download", Some(&reader_w1)).await?.status().as_u16(), 200);
        for path in ["/api/executions/ex-w2/trace", "/api/artifacts/art-w2/download"] {
            let (status, body) = api.get_json(path, Some(&reader_w1)).await?;
            assert_eq!((status, body["code"].as_str()), (404, Some("not_found")), "{path}");
        }
        let (_, missing) = api.get_json("/api/executions/no-such-id/trace", Some(&reader_w1)).await?;
        let (_, hidden) = api.get_json("/api/executions/ex-w2/trace", Some(&reader_w1)).await?;
        assert_eq!(missing["code"], hidden["code"], "hidden and missing look alike");

        // Live: the same rule, with the token as a subprotocol, as a query parameter, or missing.
        let live = "/api/executions/ex-w1/trace/live";
        assert_eq!(ws_status(&api, live, None).await?, 401);
        assert_eq!(ws_status(&api, live, Some(&format!("orcheo-auth, bearer.{no_scope}"))).await?, 403);
        assert_eq!(
            ws_status(&api, "/api/executions/ex-w2/trace/live", Some(&format!("orcheo-auth, bearer.{reader_w1}")))
                .await?,
            404
        );
        assert_eq!(ws_status(&api, live, Some(&format!("orcheo-auth, bearer.{reader_w1}"))).await?, 101);
        assert_eq!(ws_status(&api, &format!("{live}?access_token={reader_w1}"), None).await?, 101);

        // RS256 and service tokens.
        let rs_reader = rs256("carol", "workflows:read", &["w2"])?;
        assert_eq!(api.get_json("/api/executions/ex-w2/trace", Some(&rs_reader)).await?.0, 200);
        assert_eq!(api.get_json("/api/executions/ex-w1/trace", Some(&rs_reader)).await?.0, 404);
        // Both pages are cached now (finished runs): a cached page answers without reading the store, yet only
        // inside its workspace.
        for _ in 0..2 {
            assert_eq!(api.get_json("/api/executions/ex-w2/trace", Some(&reader_w1)).await?.0, 404);
            assert_eq!(api.get_json("/api/executions/ex-w1/trace", Some(&rs_reader)).await?.0, 404);
            assert_eq!(api.get_json("/api/executions/ex-w1/trace", Some(&reader_w1)).await?.0, 200);
        }
        let (_, body) = api.get_json("/api/executions", Some(SERVICE_TOKEN)).await?;
        assert_eq!(body["executions"].as_array().map(Vec::len), Some(2));
        assert_eq!(api.get_json("/api/executions/ex-w2/trace", Some(SERVICE_TOKEN)).await?.0, 200);

        // The OTLP receiver wants the write scope.
        let post = api
            .client
            .post(api.url("/v1/traces"))
            .bearer_auth(&reader_w1)
            .header("content-type", "application/json")
            .body("{}");
        assert_eq!(post.send().await?.status().as_u16(), 403);

        // Every trace view is on the audit trail, with who and which execution (written off the request path).
        let mut audit = Vec::new();
        for _ in 0..50 {
            audit = api.store.audit_entries(100).await?;
            if audit.iter().any(|e| e.action == "trace.live") && audit.iter().any(|e| e.subject == "service:canvas") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            audit
                .iter()
                .any(|e| e.subject == "ana" && e.action == "trace.view" && e.execution_id.as_deref() == Some("ex-w1"))
        );
        assert!(audit.iter().any(|e| e.subject == "service:canvas" && e.execution_id.as_deref() == Some("ex-w2")));
        assert!(audit.iter().any(|e| e.subject == "ana" && e.action == "trace.live"));
        assert!(
            !audit.iter().any(|e| e.subject == "ana" && e.execution_id.as_deref() == Some("ex-w2")),
            "denied views are not views"
        );
        api.stop().await;
        Ok(db)
    })
    .await
}

#[tokio::test]
async fn disabled_mode_lets_everyone_read() -> anyhow::Result<()> {
    let db = TestDb::create(common::Backend::Sqlite).await?;
    let api = TestApi::start(&db, |s| s).await?;
    seed(&api).await?;
    let (_, body) = api.get_json("/api/executions", None).await?;
    assert_eq!(body["executions"].as_array().map(Vec::len), Some(2));
    assert_eq!(api.get_json("/api/executions/ex-w2/trace", Some("anything")).await?.0, 200);
    api.stop().await;
    db.cleanup().await
}

/// With an issuer and an audience configured, a token must name both; a token from the future is refused; all on
/// every route, the receiver and the live socket included.
#[tokio::test]
async fn issuer_audience_and_clock_claims_are_enforced_on_every_route() -> anyhow::Result<()> {
    on_each_backend(|_, db: TestDb| async move {
        let auth = Authenticator::new(&AuthConfig {
            required: true,
            jwt_secret: Some(SECRET.to_owned()),
            issuer: Some("https://id.example.com".to_owned()),
            audience: Some("orcheo-canvas".to_owned()),
            ..AuthConfig::default()
        })?;
        let api = TestApi::start(&db, |s| s.with_auth(auth)).await?;
        seed(&api).await?;
        let now = chrono::Utc::now().timestamp();
        let leeway = trace_api::auth::JWT_LEEWAY_SECONDS as i64;
        let sign = |extra: serde_json::Value| -> anyhow::Result<String> {
            let mut claims = json!({
                "sub": "ana", "scope": "workflows:read traces:write", "workspace_ids": ["*"], "exp": now + 600,
            });
            if let (Some(claims), Some(extra)) = (claims.as_object_mut(), extra.as_object()) {
                claims.extend(extra.clone());
            }
            let key = EncodingKey::from_secret(SECRET.as_bytes());
            Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key)?)
        };
        let (iss, aud) = ("https://id.example.com", "orcheo-canvas");
        let refused = [
            ("neither iss nor aud", sign(json!({}))?),
            ("no iss", sign(json!({"aud": aud}))?),
            ("no aud", sign(json!({"iss": iss}))?),
            ("wrong iss", sign(json!({"iss": "https://other.example.com", "aud": aud}))?),
            ("wrong aud", sign(json!({"iss": iss, "aud": "other-app"}))?),
            ("nbf in the future", sign(json!({"iss": iss, "aud": aud, "nbf": now + leeway + 300}))?),
            ("iat in the future", sign(json!({"iss": iss, "aud": aud, "iat": now + leeway + 300}))?),
        ];
        let good = sign(json!({"iss": iss, "aud": aud, "iat": now + leeway / 2, "nbf": now + leeway / 2}))?;
        let routes = ["/api/executions", "/api/executions/ex-w1/trace", "/api/artifacts/art-w1/download"];
        for (case, token) in &refused {
            for path in routes {
                let (status, body) = api.get_json(path, Some(token)).await?;
                assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")), "{path}: {case}");
            }
            let post = api
                .client
                .post(api.url("/v1/traces"))
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body("{}");
            assert_eq!(post.send().await?.status().as_u16(), 401, "/v1/traces: {case}");
            let live = "/api/executions/ex-w1/trace/live";
            assert_eq!(ws_status(&api, live, Some(&format!("orcheo-auth, bearer.{token}"))).await?, 401, "{case}");
        }
        // Within the leeway, with both claims: accepted everywhere.
        for path in routes {
            assert_eq!(api.get(path, Some(&good)).await?.status().as_u16(), 200, "{path}");
        }
        let live = format!("/api/executions/ex-w1/trace/live?access_token={good}");
        assert_eq!(ws_status(&api, &live, None).await?, 101);
        api.stop().await;
        Ok(db)
    })
    .await
}
