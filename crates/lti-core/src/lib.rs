//! What both sides of LTI Inspector share, knowing neither: the store and its migrations, the
//! recorder every server runs behind, the event stream, the signing keys and the key store,
//! outbound HTTP with one JWKS cache, flows and their stored messages, and the error type.
//! The tool side and the platform side each hold a [`Core`] in their own state.

pub mod claim_once;
pub mod clock;
pub mod command_args;
pub mod compare;
pub mod dict_codec;
pub mod error;
pub mod events;
pub mod export;
pub mod html;
pub mod http;
pub mod ids;
pub mod jwks_cache;
pub mod key_snapshots;
pub mod keystore;
pub mod message_rows;
pub mod messages;
pub mod model_changes;
pub mod open_in_app;
pub mod outbound;
pub mod recorder;
pub mod search;
pub mod secrets;
pub mod sensitive;
pub mod server;
pub mod settings;
pub mod signing_keys;
pub mod state;
pub mod store;
pub mod tidy;
pub mod uploads;

pub use error::{ApiError, Error, ErrorCode, Result};
pub use state::{Core, CoreConfig};
