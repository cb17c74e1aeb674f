//! External interactions a node makes — model calls, HTTP requests, storage writes — as the engine reports them.

/// One chat message: a role and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub role: String,
    pub content: String,
}

impl Message {
    pub fn new(role: impl Into<String>, content: impl Into<String>) -> Self {
        Self { role: role.into(), content: content.into() }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LlmRequest {
    /// GenAI operation: `chat`, `text_completion`, `embeddings`, …
    pub operation: String,
    pub provider: String,
    pub model: String,
    pub messages: Vec<Message>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LlmResponse {
    pub id: String,
    pub model: String,
    pub message: Message,
    pub finish_reason: String,
    pub input_tokens: u64,
    pub output_tokens: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub body_bytes: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageRequest {
    /// `put`, `get`, `delete`, …
    pub operation: String,
    /// The store: `memory`, `s3`, `postgresql`, …
    pub system: String,
    pub target: String,
}

/// An artifact a node produced, linked from its spans by id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArtifactRef {
    pub id: String,
    pub name: String,
    pub content_type: String,
    pub size_bytes: u64,
}

impl ArtifactRef {
    /// The reference of `bytes` stored under `id`.
    pub fn new(id: String, name: &str, content_type: &str, bytes: &[u8]) -> Self {
        Self {
            id,
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            size_bytes: u64::try_from(bytes.len()).unwrap_or(u64::MAX),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StorageResponse {
    pub bytes: u64,
    pub artifact: Option<ArtifactRef>,
}

/// The start of an external interaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallStart {
    Llm(LlmRequest),
    Http(HttpRequest),
    Storage(StorageRequest),
}

/// How an external interaction ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallResult {
    Llm(LlmResponse),
    Http(HttpResponse),
    Storage(StorageResponse),
    Failed(crate::hooks::NodeFailure),
    Cancelled,
}
