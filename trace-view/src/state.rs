//! The app's own state, shared with the panes through context.

use std::collections::HashSet;
use std::rc::Rc;

use dioxus::prelude::*;
use trace_model::filter::SpanFilter;
use trace_model::merge::HeldUpdates;

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

/// Where a live subscription stands, as the indicator shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum LiveState {
    /// Not following updates (no `live` attribute, or a trace set directly).
    #[default]
    Off,
    Connecting,
    Live,
    Complete,
    /// The connection closed before the run completed.
    Disconnected(String),
}

/// Pages still arriving after the first one was shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub loaded: usize,
    pub total: u64,
}

#[derive(Clone, Copy, Debug)]
pub struct ViewState {
    pub load: Signal<Load>,
    /// Span ids whose children are hidden. Ids are unique across traces, so the set survives reloads and updates.
    pub collapsed: Signal<HashSet<String>>,
    /// Bumped by Retry to run the load again.
    pub reload: Signal<u32>,
    pub filter: Signal<SpanFilter>,
    /// The search box as typed.
    pub query: Signal<String>,
    /// The current match: an index into the ordered matches.
    pub match_at: Signal<Option<usize>>,
    pub live: Signal<LiveState>,
    /// `Some` while later pages of a large trace are loading (or stopped at a failed page).
    pub progress: Signal<Option<Progress>>,
    /// Live updates merged into a partial trace, kept for the whole trace that replaces it; `Some` while later
    /// pages are loading.
    pub held: Signal<Option<HeldUpdates>>,
    /// A later page failed: the partial trace stays on screen with this error.
    pub stalled: Signal<Option<LoadError>>,
    /// Bumped by the Retry of a failed later page to continue from it.
    pub resume: Signal<u32>,
    /// The critical path is highlighted in the tree.
    pub critical_path: Signal<bool>,
    /// The run compared with the shown one (`Idle` when none is).
    pub compare: Signal<Load>,
}

impl ViewState {
    /// Must run inside a component, whose scope then owns the signals.
    pub fn new() -> Self {
        Self {
            load: Signal::new(Load::Idle),
            collapsed: Signal::new(HashSet::new()),
            reload: Signal::new(0),
            filter: Signal::new(SpanFilter::default()),
            query: Signal::new(String::new()),
            match_at: Signal::new(None),
            live: Signal::new(LiveState::Off),
            progress: Signal::new(None),
            held: Signal::new(None),
            stalled: Signal::new(None),
            resume: Signal::new(0),
            critical_path: Signal::new(false),
            compare: Signal::new(Load::Idle),
        }
    }
}
