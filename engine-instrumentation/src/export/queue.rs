//! A bounded span queue drained by its own thread in batches. Producers never wait: when the queue is full the span
//! is dropped and counted. Spans and commands travel on separate channels so that a producer wakes the thread only
//! once per full batch, not once per span; a flush or shutdown drains every span sent before it.
//!
//! Why not opentelemetry-sdk's `BatchSpanProcessor`: each of our destinations (the store, OTLP, the console) gets
//! its own queue behind one redaction stage, so that a slow collector never delays the Trace tab, and the store's
//! batches must be handed over whole to a sink that is not a `SpanExporter`. The counting follows the SDK's: a span
//! is counted as pending before it is sent, so the thread can never take it off the count first.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender, TryRecvError, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::SpanData;

use super::stats::DestinationStats;

/// Batching and queue sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSettings {
    pub max_queue_size: usize,
    pub max_batch_size: usize,
    /// A partial batch leaves after this delay, so a running execution's trace fills in while it runs.
    pub scheduled_delay: Duration,
    /// How long flush and shutdown wait for the export threads.
    pub flush_timeout: Duration,
}

impl Default for BatchSettings {
    fn default() -> Self {
        Self {
            max_queue_size: 32_768,
            max_batch_size: 512,
            scheduled_delay: Duration::from_millis(200),
            flush_timeout: Duration::from_secs(30),
        }
    }
}

/// What drains a queue of `T`s (ended spans, or the export stage's started and ended spans).
pub(crate) trait Consumer<T = SpanData>: Send + 'static {
    fn consume(&mut self, batch: Vec<T>);
    fn flush(&mut self) -> OTelSdkResult {
        Ok(())
    }
    fn shutdown(&mut self) -> OTelSdkResult {
        Ok(())
    }
}

enum Command {
    /// A full batch is waiting.
    Export,
    Flush(SyncSender<OTelSdkResult>),
    Shutdown(SyncSender<OTelSdkResult>),
}

/// What producers and the thread share to decide when to wake the thread.
#[derive(Debug, Default)]
struct Pending {
    spans: AtomicUsize,
    wake_sent: AtomicBool,
}

#[derive(Debug)]
pub(crate) struct Queue<T = SpanData> {
    name: &'static str,
    spans: SyncSender<Box<T>>,
    commands: SyncSender<Command>,
    pending: Arc<Pending>,
    max_batch: usize,
    stats: Arc<DestinationStats>,
    timeout: Duration,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl<T: Send + 'static> Queue<T> {
    pub fn start(
        name: &'static str,
        settings: BatchSettings,
        stats: Arc<DestinationStats>,
        consumer: impl Consumer<T>,
    ) -> std::io::Result<Self> {
        let (spans, span_receiver) = mpsc::sync_channel(settings.max_queue_size.max(1));
        let (commands, command_receiver) = mpsc::sync_channel(16);
        let pending = Arc::new(Pending::default());
        let worker = Worker {
            spans: span_receiver,
            commands: command_receiver,
            pending: Arc::clone(&pending),
            settings,
            consumer,
        };
        let thread = std::thread::Builder::new().name(format!("orcheo-trace-{name}")).spawn(move || worker.run())?;
        Ok(Self {
            name,
            spans,
            commands,
            pending,
            max_batch: settings.max_batch_size.max(1),
            stats,
            timeout: settings.flush_timeout,
            thread: Mutex::new(Some(thread)),
        })
    }

    /// Enqueues without waiting; a full or closed queue drops the span and counts it.
    pub fn push(&self, span: T) {
        // Counted before the send: once sent, the thread may drain the span and take it off the count at once.
        let waiting = self.pending.spans.fetch_add(1, Ordering::AcqRel) + 1;
        match self.spans.try_send(Box::new(span)) {
            Ok(()) => {
                // One wake-up per full batch; the thread clears the flag once it has drained.
                if waiting >= self.max_batch
                    && !self.pending.wake_sent.swap(true, Ordering::AcqRel)
                    && self.commands.try_send(Command::Export).is_err()
                {
                    self.pending.wake_sent.store(false, Ordering::Release);
                }
            }
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => {
                self.pending.spans.fetch_sub(1, Ordering::AcqRel);
                self.stats.dropped(1);
            }
        }
    }

    /// Spans sent and not yet handed to the consumer.
    #[cfg(test)]
    fn pending(&self) -> usize {
        self.pending.spans.load(Ordering::Acquire)
    }

    fn control(&self, make: fn(SyncSender<OTelSdkResult>) -> Command) -> OTelSdkResult {
        let (ack, done) = mpsc::sync_channel(1);
        // Commands wait for room: they come from flush/shutdown callers, never from the engine's path.
        self.commands.send(make(ack)).map_err(|_| OTelSdkError::AlreadyShutdown)?;
        match done.recv_timeout(self.timeout) {
            Ok(result) => result,
            Err(RecvTimeoutError::Timeout) => Err(OTelSdkError::Timeout(self.timeout)),
            Err(RecvTimeoutError::Disconnected) => {
                Err(OTelSdkError::InternalFailure(format!("the {} export thread stopped", self.name)))
            }
        }
    }

    pub fn flush(&self) -> OTelSdkResult {
        self.control(Command::Flush)
    }

    pub fn shutdown(&self) -> OTelSdkResult {
        let result = self.control(Command::Shutdown);
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        if result.is_ok()
            && let Some(thread) = thread
        {
            thread
                .join()
                .map_err(|_| OTelSdkError::InternalFailure(format!("{} export thread panicked", self.name)))?;
        }
        result
    }
}

struct Worker<C, T> {
    spans: Receiver<Box<T>>,
    commands: Receiver<Command>,
    pending: Arc<Pending>,
    settings: BatchSettings,
    consumer: C,
}

impl<T, C: Consumer<T>> Worker<C, T> {
    /// Hands every span queued so far to the consumer, in batches.
    fn drain(&mut self) {
        let max_batch = self.settings.max_batch_size.max(1);
        loop {
            let mut batch = Vec::with_capacity(max_batch);
            while batch.len() < max_batch {
                match self.spans.try_recv() {
                    Ok(span) => batch.push(*span),
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            self.pending.spans.fetch_sub(batch.len(), Ordering::AcqRel);
            let last = batch.len() < max_batch;
            if !batch.is_empty() {
                self.consumer.consume(batch);
            }
            if last {
                return;
            }
        }
    }

    fn run(mut self) {
        let mut deadline = Instant::now() + self.settings.scheduled_delay;
        loop {
            match self.commands.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Command::Export) => {
                    self.pending.wake_sent.store(false, Ordering::Release);
                    self.drain();
                }
                Ok(Command::Flush(ack)) => {
                    self.drain();
                    let _ = ack.send(self.consumer.flush());
                }
                Ok(Command::Shutdown(ack)) => {
                    self.drain();
                    let result = self.consumer.flush().and(self.consumer.shutdown());
                    let _ = ack.send(result);
                    return;
                }
                Err(RecvTimeoutError::Timeout) => {
                    self.drain();
                    deadline = Instant::now() + self.settings.scheduled_delay;
                }
                Err(RecvTimeoutError::Disconnected) => {
                    self.drain();
                    let _ = self.consumer.shutdown();
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
