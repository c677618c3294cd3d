//! The engine's event stream: one broadcast channel that both front doors forward (Tauri events,
//! server-sent events). Events carry summaries; the UI fetches details through commands.

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::store::ExchangeSummary;
use crate::store::FlowSummary;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    ExchangeRecorded {
        exchange: ExchangeSummary,
    },
    FlowUpdated {
        flow: FlowSummary,
    },
    /// Servers started or key store state changed: re-read `get_status` and `get_tool_setup`.
    StatusChanged,
    /// Flows were deleted (with their exchanges): these ids, or — empty — too many to list:
    /// re-read the lists.
    FlowsDeleted {
        ids: Vec<String>,
    },
    /// A registration, an emulator object or a grade was saved or deleted (here, or by another
    /// process: `External`): re-read what shows that kind.
    ModelChanged {
        model: crate::model_changes::ModelKind,
        #[ts(optional = nullable)]
        id: Option<String>,
    },
    /// A page outside the app asked the desktop window to show one of its routes (`flows/<id>`;
    /// see `open_in_app`): the window navigates there and comes to the front.
    OpenInApp {
        route: String,
    },
    /// An uploaded file being imported was read this far.
    ImportProgress {
        progress: crate::uploads::ReadProgress,
    },
}

#[derive(Clone)]
pub struct EventHub {
    tx: broadcast::Sender<EngineEvent>,
}

impl Default for EventHub {
    fn default() -> Self {
        // Large enough for a burst of launches; a slow subscriber that lags gets a Lagged error
        // and re-fetches lists instead of stalling the capture path.
        let (tx, _) = broadcast::channel(4096);
        Self { tx }
    }
}

impl EventHub {
    pub fn emit(&self, event: EngineEvent) {
        // No subscribers is normal (headless CLI); ignore the error.
        let _ = self.tx.send(event);
    }
    /// Whether anyone listens (a UI): lets the capture path skip work done only for events.
    pub fn has_subscribers(&self) -> bool {
        self.tx.receiver_count() > 0
    }
    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.tx.subscribe()
    }
}
