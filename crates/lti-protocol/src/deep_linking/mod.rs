//! Deep Linking 2.0 as both sides need it: the request's settings, per-item checks of content
//! items against those settings, the tool's response claims (with deliberate breakages for
//! negative tests), and preset items of every type. Pure: the caller brings time and keys.

pub mod compose;
pub mod items;
pub mod presets;
pub mod settings;

pub use compose::{response_claims, response_findings, Breakage, ResponseDraft};
pub use items::{check_item, check_items, summarize, summarize_checked, ItemKind};
pub use settings::DlSettings;
