//! The app's own state, shared with the panes through context.

use std::collections::HashSet;
use std::rc::Rc;

use dioxus::prelude::*;

use crate::fetch::LoadError;
use crate::trace_data::TraceData;

#[derive(Clone, Debug, Default)]
pub enum Load {
    /// No execution id and no trace.
    #[default]
    Idle,
    Loading,
    Ready(Rc<TraceData>),
    Failed(LoadError),
}

#[derive(Clone, Copy, Debug)]
pub struct ViewState {
    pub load: Signal<Load>,
    /// Span ids whose children are hidden. Ids are unique across traces, so the set survives reloads.
    pub collapsed: Signal<HashSet<String>>,
    /// Bumped by Retry to run the load again.
    pub reload: Signal<u32>,
}

impl ViewState {
    /// Must run inside a component, whose scope then owns the signals.
    pub fn new() -> Self {
        Self { load: Signal::new(Load::Idle), collapsed: Signal::new(HashSet::new()), reload: Signal::new(0) }
    }
}
