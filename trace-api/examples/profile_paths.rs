//! A small driver of the trace API's hot paths, to run under `perf` or `/usr/bin/time` (the load benchmark is
//! `benches/api_load.rs`):
//! - `page [n] [url]`: `n` uncached reads of a 500-span page (`CLIENTS` concurrent clients, default 1);
//! - `cached [n] [url]`: the same with the page cache on;
//! - `ingest [n] [url]`: `n` OTLP protobuf requests of 1,000 spans (`SENDERS` concurrent senders, default 1);
//! - `big [n] [url]`: the first 5,000-span page of an `n`-span trace, read 5 times (each a new arrival watermark).
//!
//! `url` defaults to a fresh SQLite file; pass an empty Postgres database to measure Postgres.
//! `cargo build --release -p trace-api --example profile_paths`.

#[path = "../benches/load/mod.rs"]
mod load;

// The allocator of the `trace-api` binary, so that this driver measures what the service runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use load::{SPANS_PER_REQUEST, otlp_body, run_of, send_all};
use trace_api::server;
use trace_api::{AppState, Store, routes};

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).cloned().unwrap_or_else(|| "page".into());
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir()?;
    let url = args.get(3).cloned().unwrap_or_else(|| format!("sqlite://{}", dir.path().join("p.db").display()));
    let store = Store::connect(&url).await?;
    let ttl = if mode == "cached" { Duration::from_secs(300) } else { Duration::ZERO };
    let state = AppState::new(store.clone()).with_cache_ttl(ttl);
    let server = server::start(routes::router(state, None), "127.0.0.1:0").await?;
    let client = reqwest::Client::new();
    let started = Instant::now();
    if mode == "ingest" {
        let senders: usize = std::env::var("SENDERS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
        let bodies = (0..n).map(otlp_body).collect();
        let took = send_all(&format!("{}/v1/traces", server.url()), bodies, senders).await?;
        println!("{:.0} spans/s", (n * SPANS_PER_REQUEST) as f64 / took.as_secs_f64());
    } else if mode == "big" {
        for chunk in run_of("big", n).chunks(5000) {
            store.insert_spans(chunk).await?;
        }
        let path = format!("{}/api/executions/big/trace?limit=5000", server.url());
        for i in 0..5 {
            // A late span moves the watermark, so each read orders the whole trace again.
            store.insert_spans(&run_of("big", n + i + 1)[n + i..]).await?;
            let at = Instant::now();
            let bytes = client.get(&path).send().await?.bytes().await?.len();
            println!("first page {:.0} ms, {bytes} bytes", at.elapsed().as_secs_f64() * 1000.0);
        }
    } else {
        store.insert_spans(&run_of("page-500", 500)).await?;
        let path = format!("{}/api/executions/page-500/trace", server.url());
        let clients: usize = std::env::var("CLIENTS").ok().and_then(|s| s.parse().ok()).unwrap_or(1);
        let mut tasks = Vec::new();
        for _ in 0..clients {
            let (client, path) = (client.clone(), path.clone());
            tasks.push(tokio::spawn(async move {
                let mut bytes = 0;
                for _ in 0..n / clients {
                    bytes = client.get(&path).send().await?.bytes().await?.len();
                }
                anyhow::Ok(bytes)
            }));
        }
        let mut bytes = 0;
        for task in tasks {
            bytes = task.await??;
        }
        println!("{:.3} ms/request, {bytes} bytes", started.elapsed().as_secs_f64() * 1000.0 / n as f64);
    }
    server.stop().await;
    Ok(())
}
