//! What every request handler shares.

use crate::store::Store;

#[derive(Debug, Clone)]
pub struct AppState {
    pub store: Store,
}
