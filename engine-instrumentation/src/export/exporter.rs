//! Drives an OpenTelemetry `SpanExporter` from a queue thread: counts what it exported or failed, retries a failed
//! batch with backoff where the exporter does not retry itself, and stops trying for a cool-down after a failure so
//! that a collector that is down costs nothing but the counted failures.

use std::time::{Duration, Instant};

use std::sync::Arc;

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};

use super::queue::Consumer;
use super::stats::DestinationStats;

/// Retries of a failed batch (exporters with their own retry use none) and the cool-down after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub retries: u32,
    pub initial: Duration,
    pub max_cooldown: Duration,
}

impl Backoff {
    pub const NONE: Self = Self { retries: 0, initial: Duration::from_millis(100), max_cooldown: Duration::ZERO };
}

/// What a queue thread exports a batch of `T`s to, waiting for the answer: any OpenTelemetry `SpanExporter`
/// (ended spans), or the trace store, which also takes open spans.
pub(crate) trait BatchExporter<T>: Send + 'static {
    fn export(&self, batch: Vec<T>) -> OTelSdkResult;
    fn shutdown(&mut self) -> OTelSdkResult {
        Ok(())
    }
}

/// An OpenTelemetry exporter as a [`BatchExporter`].
pub(crate) struct Sdk<E>(pub E);

impl<E: SpanExporter + 'static> BatchExporter<SpanData> for Sdk<E> {
    fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        futures_executor::block_on(self.0.export(batch))
    }

    fn shutdown(&mut self) -> OTelSdkResult {
        self.0.shutdown()
    }
}

pub(crate) struct ExportConsumer<E, T> {
    exporter: E,
    _batch: std::marker::PhantomData<fn(T)>,
    stats: Arc<DestinationStats>,
    backoff: Backoff,
    /// Entered while exporting: the gRPC client needs the runtime it was built in.
    runtime: Option<tokio::runtime::Handle>,
    cooldown: Duration,
    paused_until: Option<Instant>,
}

impl<T, E: BatchExporter<T>> ExportConsumer<E, T> {
    pub fn new(
        exporter: E,
        stats: Arc<DestinationStats>,
        backoff: Backoff,
        runtime: Option<tokio::runtime::Handle>,
    ) -> Self {
        Self {
            exporter,
            _batch: std::marker::PhantomData,
            stats,
            backoff,
            runtime,
            cooldown: backoff.initial,
            paused_until: None,
        }
    }

    fn export_once(&self, batch: Vec<T>) -> OTelSdkResult {
        let _entered = self.runtime.as_ref().map(tokio::runtime::Handle::enter);
        self.exporter.export(batch)
    }
}

impl<T: Clone + Send + 'static, E: BatchExporter<T>> Consumer<T> for ExportConsumer<E, T> {
    fn consume(&mut self, mut batch: Vec<T>) {
        let count = batch.len();
        if self.paused_until.is_some_and(|until| Instant::now() < until) {
            self.stats.failed(count);
            return;
        }
        let mut delay = self.backoff.initial;
        let mut attempt = 0;
        let result = loop {
            let last = attempt >= self.backoff.retries;
            // Keep a copy only while another attempt may need it.
            let payload = if last { std::mem::take(&mut batch) } else { batch.clone() };
            match self.export_once(payload) {
                Ok(()) => break Ok(()),
                Err(e) if last => break Err(e),
                Err(_) => {
                    attempt += 1;
                    std::thread::sleep(delay);
                    delay = delay.saturating_mul(2);
                }
            }
        };
        match result {
            Ok(()) => {
                self.stats.exported(count);
                self.cooldown = self.backoff.initial;
                self.paused_until = None;
            }
            Err(error) => {
                self.stats.failed(count);
                tracing::warn!(spans = count, %error, "span export failed");
                if !self.backoff.max_cooldown.is_zero() {
                    self.paused_until = Some(Instant::now() + self.cooldown);
                    self.cooldown = self.cooldown.saturating_mul(2).min(self.backoff.max_cooldown);
                }
            }
        }
    }

    fn shutdown(&mut self) -> OTelSdkResult {
        self.exporter.shutdown()
    }
}
