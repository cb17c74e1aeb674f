//! Where nodes keep the files they produce. Spans link artifacts by id; the bytes live here.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use engine_instrumentation::calls::ArtifactRef;

#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("artifact store unavailable: {0}")]
    Unavailable(String),
}

pub trait ArtifactStore: Send + Sync + fmt::Debug {
    /// Stores `bytes` for `execution_id` and returns its reference.
    fn put(
        &self,
        execution_id: &str,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<ArtifactRef, ArtifactError>;
    fn get(&self, id: &str) -> Option<(ArtifactRef, Vec<u8>)>;
}

/// An artifact and its bytes.
type Stored = (ArtifactRef, Vec<u8>);

/// Artifacts in memory, for demos and tests.
#[derive(Debug, Clone, Default)]
pub struct MemoryArtifacts {
    items: Arc<Mutex<HashMap<String, Stored>>>,
    next: Arc<AtomicU64>,
}

impl ArtifactStore for MemoryArtifacts {
    fn put(
        &self,
        execution_id: &str,
        name: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> Result<ArtifactRef, ArtifactError> {
        let seq = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let artifact = ArtifactRef::new(format!("art-{execution_id}-{seq}"), name, content_type, &bytes);
        let mut items = self.items.lock().map_err(|e| ArtifactError::Unavailable(e.to_string()))?;
        items.insert(artifact.id.clone(), (artifact.clone(), bytes));
        Ok(artifact)
    }

    fn get(&self, id: &str) -> Option<(ArtifactRef, Vec<u8>)> {
        self.items.lock().ok()?.get(id).cloned()
    }
}
