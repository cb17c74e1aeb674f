//! The store as the reference engine's artifact store: artifacts written by workflows run in this process are
//! stored with their execution and become downloadable through the API.

use std::sync::Arc;

use engine_instrumentation::calls::ArtifactRef;
use reference_engine::{ArtifactError, ArtifactStore};
use tokio::sync::{mpsc, oneshot};

use crate::store::{NewArtifact, Store};
use crate::tasks::BackgroundTasks;

/// Recently written artifacts kept in memory for [`ArtifactStore::get`]; older ones are read through the API.
const RECENT: u64 = 256;

#[derive(Debug)]
enum Write {
    Artifact(NewArtifact),
    /// Answered once every artifact queued before it is stored.
    Flush(oneshot::Sender<()>),
}

#[derive(Debug, Clone)]
pub struct StoreArtifacts {
    writes: mpsc::UnboundedSender<Write>,
    recent: moka::sync::Cache<String, Arc<(ArtifactRef, Vec<u8>)>>,
}

impl StoreArtifacts {
    /// Must be called inside the runtime that runs the writes. The engine's `put` is synchronous, so writes are
    /// queued and stored in order by a task on `tasks`; the writer logs and skips an artifact the store refuses.
    /// Cancelling the tasks ends it: call [`StoreArtifacts::flush`] before, so that nothing queued is lost.
    pub fn new(store: Store, tasks: &BackgroundTasks) -> Self {
        let (writes, mut queue) = mpsc::unbounded_channel::<Write>();
        tasks.spawn(async move {
            while let Some(write) = queue.recv().await {
                match write {
                    Write::Artifact(artifact) => {
                        if let Err(e) = store.put_artifact(&artifact).await {
                            tracing::warn!(artifact = %artifact.id, error = %e, "artifact not stored");
                        }
                    }
                    Write::Flush(done) => {
                        let _ = done.send(());
                    }
                }
            }
        });
        Self { writes, recent: moka::sync::Cache::new(RECENT) }
    }

    /// Waits until every artifact put so far has been stored (or refused).
    pub async fn flush(&self) {
        let (done, stored) = oneshot::channel();
        if self.writes.send(Write::Flush(done)).is_ok() {
            let _ = stored.await;
        }
    }
}

impl ArtifactStore for StoreArtifacts {
    fn put(
        &self,
        execution_id: &str,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<ArtifactRef, ArtifactError> {
        let artifact = ArtifactRef::new(format!("art-{}", uuid::Uuid::new_v4().simple()), name, content_type, &bytes);
        let write = NewArtifact {
            id: artifact.id.clone(),
            execution_id: execution_id.to_owned(),
            span_id: None,
            name: artifact.name.clone(),
            content_type: artifact.content_type.clone(),
            content: bytes.clone(),
        };
        self.writes
            .send(Write::Artifact(write))
            .map_err(|_| ArtifactError::Unavailable("the artifact writer has stopped".to_owned()))?;
        self.recent.insert(artifact.id.clone(), Arc::new((artifact.clone(), bytes)));
        Ok(artifact)
    }

    fn get(&self, id: &str) -> Option<(ArtifactRef, Vec<u8>)> {
        self.recent.get(id).map(|stored| (*stored).clone())
    }
}
