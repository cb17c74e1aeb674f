//! What every request handler shares.

use std::sync::Arc;
use std::time::Duration;

use engine_instrumentation::redact::{RedactError, Redactor};

use crate::audit::AuditTrail;
use crate::auth::{AuthError, Authenticator};
use crate::cache::TraceCache;
use crate::config::{Config, DEFAULT_FRAME_ANCESTORS, DEFAULT_OTLP_MAX_BYTES};
use crate::features::Features;
use crate::links::LinkTemplate;
use crate::metrics::Metrics;
use crate::store::Store;
use crate::tasks::BackgroundTasks;

const DEFAULT_LIVE_POLL: Duration = Duration::from_secs(5);

/// Settings that cannot be put into effect.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("redaction rules: {0}")]
    Redaction(#[from] RedactError),
}

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
    pub audit: AuditTrail,
    pub auth: Arc<Authenticator>,
    pub links: Arc<Vec<LinkTemplate>>,
    pub cache: TraceCache,
    pub metrics: Arc<Metrics>,
    pub otlp_max_bytes: usize,
    /// What the OTLP receivers redact before storing (`None`: nothing).
    pub redactor: Option<Redactor>,
    /// How often a live connection re-reads the store without being told of a change (a lost notice costs at
    /// most this much delay).
    pub live_poll: Duration,
    pub features: Features,
    /// Who may frame the web bundle's pages: a CSP `frame-ancestors` source list (`TRACE_API_FRAME_ANCESTORS`).
    pub frame_ancestors: String,
    /// Owns the tasks spawned for this state (the audit writer, the cache's evictions, …): stopped at shutdown.
    pub tasks: BackgroundTasks,
}

impl AppState {
    /// Open access, no dashboard links, the default limits and redaction rules: for local use and tests.
    pub fn new(store: Store) -> Self {
        let tasks = BackgroundTasks::new();
        let cache = TraceCache::new(Duration::from_secs(300), &store, &tasks);
        Self {
            audit: AuditTrail::start(store.clone(), &tasks),
            store,
            auth: Arc::new(Authenticator::disabled()),
            links: Arc::new(Vec::new()),
            cache,
            metrics: Arc::new(Metrics::new()),
            otlp_max_bytes: DEFAULT_OTLP_MAX_BYTES,
            redactor: Some(Redactor::default()),
            live_poll: DEFAULT_LIVE_POLL,
            features: Features::default(),
            frame_ancestors: DEFAULT_FRAME_ANCESTORS.to_owned(),
            tasks,
        }
    }

    pub fn from_config(store: Store, config: &Config) -> Result<Self, StateError> {
        let tasks = BackgroundTasks::new();
        let cache = TraceCache::new(config.cache_ttl, &store, &tasks);
        Ok(Self {
            audit: AuditTrail::start(store.clone(), &tasks),
            auth: Arc::new(Authenticator::new(&config.auth)?),
            links: Arc::new(config.links.clone()),
            cache,
            metrics: Arc::new(Metrics::new()),
            otlp_max_bytes: config.otlp_max_bytes,
            redactor: config.redaction.redactor()?,
            live_poll: DEFAULT_LIVE_POLL,
            features: config.features,
            frame_ancestors: config.frame_ancestors.clone(),
            store,
            tasks,
        })
    }

    pub fn with_auth(mut self, auth: Authenticator) -> Self {
        self.auth = Arc::new(auth);
        self
    }

    pub fn with_links(mut self, links: Vec<LinkTemplate>) -> Self {
        self.links = Arc::new(links);
        self
    }

    pub fn with_live_poll(mut self, every: Duration) -> Self {
        self.live_poll = every;
        self
    }

    /// Pages of finished traces stay cached this long (zero: no cache).
    pub fn with_cache_ttl(mut self, ttl: Duration) -> Self {
        self.cache = TraceCache::new(ttl, &self.store, &self.tasks);
        self
    }

    pub fn with_features(mut self, features: Features) -> Self {
        self.features = features;
        self
    }

    /// Who may frame the web bundle's pages (a CSP `frame-ancestors` source list).
    pub fn with_frame_ancestors(mut self, sources: impl Into<String>) -> Self {
        self.frame_ancestors = sources.into();
        self
    }

    pub fn with_otlp_max_bytes(mut self, limit: usize) -> Self {
        self.otlp_max_bytes = limit;
        self
    }

    /// What the OTLP receivers redact (`None`: nothing).
    pub fn with_redactor(mut self, redactor: Option<Redactor>) -> Self {
        self.redactor = redactor;
        self
    }
}
