//! Load benchmarks of the trace API over real HTTP, on SQLite and (with `BENCH_DATABASE_URL` or
//! `TEST_DATABASE_URL`) on Postgres:
//! - OTLP/HTTP ingest throughput (protobuf bodies of 1,000 spans, 4 senders);
//! - latency of a 500-span trace page under 64 concurrent clients, with and without the page cache;
//! - a 1M-span trace: stored, then paged through at 5,000 spans a page.
//!
//! `cargo bench -p trace-api --bench api_load` (or `cargo xtask bench`). Prints a Markdown table.

mod load;

// The allocator of the `trace-api` binary, so that the benchmark measures what the service runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::time::{Duration, Instant};

use load::{SPANS_PER_REQUEST, otlp_body, run_of, send_all};
use sqlx::Connection;
use trace_api::server::{self, RunningServer};
use trace_api::{AppState, Store, routes};

const INGEST_REQUESTS: usize = 200;
const INGEST_SENDERS: usize = 4;
const CLIENTS: usize = 64;
const REQUESTS_PER_CLIENT: usize = 200;
const BIG_TRACE: usize = 1_000_000;

fn main() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let postgres = ["BENCH_DATABASE_URL", "TEST_DATABASE_URL"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|url| !url.is_empty()));
    println!("| backend | measure | result |");
    println!("|---|---|---|");
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    bench_backend("SQLite", &sqlite).await?;
    match postgres {
        Some(admin) => {
            let name = format!("trace_bench_{}", std::process::id());
            let mut conn = sqlx::PgConnection::connect(&admin).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
            let mut url = url::Url::parse(&admin)?;
            url.set_path(&name);
            let result = bench_backend("Postgres", url.as_str()).await;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name} WITH (FORCE)"))).execute(&mut conn).await?;
            result?;
        }
        None => eprintln!("Postgres skipped: set BENCH_DATABASE_URL or TEST_DATABASE_URL"),
    }
    Ok(())
}

async fn start(url: &str, cache: Duration) -> anyhow::Result<(Store, RunningServer)> {
    let store = Store::connect(url).await?;
    let state = AppState::new(store.clone()).with_cache_ttl(cache);
    Ok((store, server::start(routes::router(state, None), "127.0.0.1:0").await?))
}

async fn bench_backend(backend: &str, url: &str) -> anyhow::Result<()> {
    let (store, server) = start(url, Duration::from_secs(300)).await?;
    let rate = ingest(&server).await?;
    println!(
        "| {backend} | OTLP ingest, {} spans in {INGEST_REQUESTS} requests | {rate:.0} spans/s |",
        INGEST_REQUESTS * SPANS_PER_REQUEST
    );

    store.insert_spans(&run_of("page-500", 500)).await?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CLIENTS).build()?;
    let path = format!("{}/api/executions/page-500/trace", server.url());
    let (p50, p99, rps) = latency(&client, &path).await?;
    println!(
        "| {backend} | 500-span page, {CLIENTS} clients, cached | p50 {p50:.2} ms, p99 {p99:.2} ms, {rps:.0} req/s |"
    );
    server.stop().await;

    let (_, uncached) = start(url, Duration::ZERO).await?;
    let path = format!("{}/api/executions/page-500/trace", uncached.url());
    let (p50, p99, rps) = latency(&client, &path).await?;
    println!(
        "| {backend} | 500-span page, {CLIENTS} clients, uncached | p50 {p50:.2} ms, p99 {p99:.2} ms, {rps:.0} req/s |"
    );

    let started = Instant::now();
    for chunk in run_of("big", BIG_TRACE).chunks(5000) {
        store.insert_spans(chunk).await?;
    }
    let stored = started.elapsed();
    println!(
        "| {backend} | 1M-span trace stored (store API, 5,000 a batch) | {:.1} s ({:.0} spans/s) |",
        stored.as_secs_f64(),
        BIG_TRACE as f64 / stored.as_secs_f64()
    );
    let (first, total, seen) = page_through(&client, &format!("{}/api/executions/big/trace", uncached.url())).await?;
    anyhow::ensure!(seen == BIG_TRACE, "paged {seen} spans of {BIG_TRACE}");
    println!(
        "| {backend} | 1M-span trace paged at 5,000 | first page {:.0} ms, all {} pages {:.1} s |",
        first.as_secs_f64() * 1000.0,
        BIG_TRACE / 5000,
        total.as_secs_f64()
    );
    uncached.stop().await;
    Ok(())
}

async fn ingest(server: &RunningServer) -> anyhow::Result<f64> {
    let bodies = (0..INGEST_REQUESTS).map(otlp_body).collect();
    let took = send_all(&format!("{}/v1/traces", server.url()), bodies, INGEST_SENDERS).await?;
    Ok((INGEST_REQUESTS * SPANS_PER_REQUEST) as f64 / took.as_secs_f64())
}

/// p50 and p99 in milliseconds, and requests per second, of `CLIENTS` clients fetching `url` in a loop.
async fn latency(client: &reqwest::Client, url: &str) -> anyhow::Result<(f64, f64, f64)> {
    // What is timed must be the whole page.
    let page: trace_model::TraceResponse = client.get(url).send().await?.json().await?;
    anyhow::ensure!(page.spans.len() == 500, "the page has {} spans, not 500", page.spans.len());
    // Warm up connections and caches.
    for _ in 0..CLIENTS {
        client.get(url).send().await?.bytes().await?;
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (client, url) = (client.clone(), url.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(REQUESTS_PER_CLIENT);
            for _ in 0..REQUESTS_PER_CLIENT {
                let at = Instant::now();
                let response = client.get(&url).send().await?;
                anyhow::ensure!(response.status().is_success(), "page answered {}", response.status());
                response.bytes().await?;
                times.push(at.elapsed().as_secs_f64() * 1000.0);
            }
            anyhow::Ok(times)
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_by(f64::total_cmp);
    let pick = |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)];
    Ok((pick(0.50), pick(0.99), all.len() as f64 / elapsed))
}

/// Time to the first page, total time, and spans seen.
async fn page_through(client: &reqwest::Client, base: &str) -> anyhow::Result<(Duration, Duration, usize)> {
    let started = Instant::now();
    let mut first = None;
    let mut seen = 0;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{base}?limit=5000&cursor={c}"),
            None => format!("{base}?limit=5000"),
        };
        let page: trace_model::TraceResponse = client.get(&url).send().await?.json().await?;
        first.get_or_insert(started.elapsed());
        seen += page.spans.len();
        match page.page_info.cursor {
            Some(c) if page.page_info.has_next_page => cursor = Some(c),
            _ => break,
        }
    }
    Ok((first.unwrap_or_default(), started.elapsed(), seen))
}
