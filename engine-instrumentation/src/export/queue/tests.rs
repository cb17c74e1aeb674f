//! The races and limits opentelemetry-sdk's batch processor is tested for: a drain while producers send, a full
//! queue, and shutdown with spans still queued.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

use opentelemetry_sdk::trace::SpanData;

use super::{BatchSettings, Consumer, Queue};
use crate::export::stats::DestinationStats;
use crate::test_support::span_data;

/// Counts what it is handed; may hold the export thread until released.
struct Counting {
    consumed: Arc<AtomicUsize>,
    hold: Option<mpsc::Receiver<()>>,
}

impl Consumer for Counting {
    fn consume(&mut self, batch: Vec<SpanData>) {
        if let Some(hold) = self.hold.take() {
            let _ = hold.recv();
        }
        self.consumed.fetch_add(batch.len(), Ordering::SeqCst);
    }
}

fn settings(queue: usize, batch: usize, delay: Duration) -> BatchSettings {
    BatchSettings {
        max_queue_size: queue,
        max_batch_size: batch,
        scheduled_delay: delay,
        flush_timeout: Duration::from_secs(10),
    }
}

fn dropped(stats: &DestinationStats) -> u64 {
    stats.snapshot().dropped
}

#[test]
fn producers_racing_a_draining_thread_never_unbalance_the_count() -> std::io::Result<()> {
    const THREADS: usize = 4;
    const EACH: usize = 100_000;
    let consumed = Arc::new(AtomicUsize::new(0));
    let stats = Arc::new(DestinationStats::default());
    // A batch of one and no delay: the thread drains as fast as spans arrive, between every send and count.
    let queue = Arc::new(Queue::start(
        "race",
        settings(64, 1, Duration::ZERO),
        Arc::clone(&stats),
        Counting { consumed: Arc::clone(&consumed), hold: None },
    )?);
    let start = Arc::new(Barrier::new(THREADS));
    let producers: Vec<_> = (0..THREADS)
        .map(|_| {
            let (queue, start) = (Arc::clone(&queue), Arc::clone(&start));
            std::thread::spawn(move || {
                start.wait();
                for _ in 0..EACH {
                    queue.push(span_data(0, vec![]));
                }
            })
        })
        .collect();
    for producer in producers {
        assert!(producer.join().is_ok(), "a producer panicked (the pending count over- or underflowed)");
    }
    assert!(queue.flush().is_ok());
    assert_eq!(queue.pending(), 0, "everything sent was drained and taken off the count");
    let total = consumed.load(Ordering::SeqCst) as u64 + dropped(&stats);
    assert_eq!(total, (THREADS * EACH) as u64, "every span is either consumed or counted as dropped");
    assert!(queue.shutdown().is_ok());
    Ok(())
}

#[test]
fn a_full_queue_drops_and_counts_without_waiting() -> std::io::Result<()> {
    let consumed = Arc::new(AtomicUsize::new(0));
    let stats = Arc::new(DestinationStats::default());
    let (release, hold) = mpsc::channel();
    let queue = Queue::start(
        "full",
        settings(4, 1, Duration::ZERO),
        Arc::clone(&stats),
        Counting { consumed: Arc::clone(&consumed), hold: Some(hold) },
    )?;
    // The first span holds the thread inside the consumer; four more fill the queue; the rest are dropped.
    queue.push(span_data(0, vec![]));
    while queue.pending() > 0 {
        std::thread::yield_now();
    }
    for _ in 0..10 {
        queue.push(span_data(0, vec![]));
    }
    assert_eq!((queue.pending(), dropped(&stats)), (4, 6));
    let _ = release.send(());
    assert!(queue.flush().is_ok());
    assert_eq!((consumed.load(Ordering::SeqCst), queue.pending()), (5, 0));
    assert!(queue.shutdown().is_ok());
    Ok(())
}

#[test]
fn shutdown_while_full_exports_every_queued_span_then_drops_later_ones() -> std::io::Result<()> {
    let consumed = Arc::new(AtomicUsize::new(0));
    let stats = Arc::new(DestinationStats::default());
    let queue = Queue::start(
        "shutdown",
        settings(100, 512, Duration::from_secs(3600)),
        Arc::clone(&stats),
        Counting { consumed: Arc::clone(&consumed), hold: None },
    )?;
    for _ in 0..100 {
        queue.push(span_data(0, vec![]));
    }
    queue.push(span_data(0, vec![]));
    assert_eq!(dropped(&stats), 1, "the 101st span finds the queue full");
    assert!(queue.shutdown().is_ok());
    assert_eq!(consumed.load(Ordering::SeqCst), 100, "shutdown drains what was queued");
    queue.push(span_data(0, vec![]));
    assert_eq!(dropped(&stats), 2, "after shutdown a span is dropped and counted, not lost silently");
    Ok(())
}
