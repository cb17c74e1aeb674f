//! Live updates: with `live`, a WebSocket to `{api-base}/executions/{id}/trace/live` whose `trace:update` messages
//! are merged into the shown trace in place (selection, collapsed spans and scroll position are untouched).

use std::cell::RefCell;
use std::rc::Rc;

use dioxus::prelude::*;
use futures_channel::mpsc::{UnboundedSender, unbounded};
use futures_util::StreamExt;
use trace_model::merge::apply_update;
use trace_model::{LiveMessage, Span};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use crate::fetch::trace_url;
use crate::host::{Host, Source, try_set, try_set_changed};
use crate::loader::warm_up;
use crate::state::{LiveState, Load, ViewState};
use crate::trace_data::TraceData;

enum SocketEvent {
    Open,
    Update(Vec<Span>, bool),
    Closed(String),
}

/// Updates waiting for the first load to finish.
type Pending = Rc<RefCell<Vec<(Vec<Span>, bool)>>>;

pub fn use_live_updates(host: Host, view: ViewState) {
    let socket = use_hook(|| Rc::new(RefCell::new(None::<LiveSocket>)));
    let pending: Pending = use_hook(Pending::default);
    let (socket_for_effect, pending_for_effect) = (socket.clone(), pending.clone());
    use_effect(move || {
        let (source, live, token) = (host.source.read().clone(), *host.live.read(), host.token.read().clone());
        let _retry = view.reload.read();
        socket_for_effect.borrow_mut().take();
        pending_for_effect.borrow_mut().clear();
        let Source::Execution { execution_id, api_base } = source else {
            try_set_changed(view.live, LiveState::Off);
            return;
        };
        if !live {
            try_set_changed(view.live, LiveState::Off);
            return;
        }
        try_set_changed(view.live, LiveState::Connecting);
        let (sender, mut receiver) = unbounded();
        match LiveSocket::open(&live_url(&api_base, &execution_id), token.as_deref(), sender) {
            Ok(opened) => *socket_for_effect.borrow_mut() = Some(opened),
            Err(reason) => {
                try_set(view.live, LiveState::Disconnected(reason));
                return;
            }
        }
        let (socket, pending) = (socket_for_effect.clone(), pending_for_effect.clone());
        spawn(async move {
            while let Some(event) = receiver.next().await {
                match event {
                    SocketEvent::Open => try_set_changed(view.live, LiveState::Live),
                    SocketEvent::Update(spans, complete) => {
                        pending.borrow_mut().push((spans, complete));
                        apply_pending(view, &pending, &socket);
                    }
                    SocketEvent::Closed(reason) => {
                        if view.live.peek().clone() != LiveState::Complete {
                            try_set(view.live, LiveState::Disconnected(reason));
                        }
                    }
                }
            }
        });
    });
    // Updates that came before the first load finished; and a run that was already over when it loaded.
    use_effect(move || {
        let finished = matches!(&*view.load.read(), Load::Ready(data) if data.trace.execution.status.is_finished());
        apply_pending(view, &pending, &socket);
        let following = matches!(*view.live.peek(), LiveState::Connecting | LiveState::Live);
        if finished && following {
            socket.borrow_mut().take();
            try_set(view.live, LiveState::Complete);
        }
    });
}

fn apply_pending(view: ViewState, pending: &Pending, socket: &Rc<RefCell<Option<LiveSocket>>>) {
    let data = match &*view.load.peek() {
        Load::Ready(data) => data.clone(),
        _ => return,
    };
    let updates: Vec<_> = pending.borrow_mut().drain(..).collect();
    if updates.is_empty() {
        return;
    }
    // A trace still loading its later pages will be replaced by the whole one: it gets these updates again then.
    let mut held = view.held;
    if let Ok(mut held) = held.try_write()
        && let Some(held) = held.as_mut()
    {
        for (spans, done) in &updates {
            held.hold(spans, *done);
        }
    }
    let mut trace = (*data.trace).clone();
    let mut changed = false;
    let mut complete = false;
    for (spans, done) in updates {
        changed |= !apply_update(&mut trace, spans, done).is_empty() || done;
        complete |= done;
    }
    if changed {
        let data = Rc::new(TraceData::new(Rc::new(trace)));
        warm_up(data.clone());
        try_set(view.load, Load::Ready(data));
    }
    if complete {
        socket.borrow_mut().take();
        try_set(view.live, LiveState::Complete);
    }
}

/// `ws(s)://…/executions/{id}/trace/live`, resolved against the page for a relative `api-base`.
fn live_url(api_base: &str, execution_id: &str) -> String {
    let path = format!("{}/live", trace_url(api_base, execution_id));
    let page = web_sys::window().and_then(|w| w.location().href().ok()).unwrap_or_default();
    match web_sys::Url::new_with_base(&path, &page) {
        Ok(url) => {
            url.set_protocol(if url.protocol() == "https:" { "wss:" } else { "ws:" });
            url.href()
        }
        Err(_) => path,
    }
}

/// An open socket with its handlers; dropping it closes the socket.
struct LiveSocket {
    socket: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl LiveSocket {
    fn open(url: &str, token: Option<&str>, events: UnboundedSender<SocketEvent>) -> Result<Self, String> {
        // The token travels as a subprotocol rather than in the URL, which servers and proxies log.
        let socket = match token {
            Some(token) => {
                let protocols = js_sys::Array::of2(&"orcheo-auth".into(), &format!("bearer.{token}").into());
                WebSocket::new_with_str_sequence(url, &protocols)
            }
            None => WebSocket::new(url),
        }
        .map_err(|error| format!("could not open {url}: {error:?}"))?;
        let sender = events.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || _ = sender.unbounded_send(SocketEvent::Open));
        let sender = events.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(text) = event.data().as_string() else { return };
            // Unknown or malformed messages are skipped: the contract may grow new message types.
            if let Ok(LiveMessage::TraceUpdate { spans, complete, .. }) = serde_json::from_str(&text) {
                _ = sender.unbounded_send(SocketEvent::Update(spans, complete));
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event: CloseEvent| {
            let reason = match event.reason() {
                reason if reason.is_empty() => format!("connection closed ({})", event.code()),
                reason => reason,
            };
            _ = events.unbounded_send(SocketEvent::Closed(reason));
        });
        socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self { socket, _on_open: on_open, _on_message: on_message, _on_close: on_close })
    }
}

impl Drop for LiveSocket {
    fn drop(&mut self) {
        self.socket.set_onopen(None);
        self.socket.set_onmessage(None);
        self.socket.set_onclose(None);
        let _ = self.socket.close();
    }
}
