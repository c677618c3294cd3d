//! Argument and result shapes that commands of either side share (generated into the UI's
//! bindings with the rest of the command table).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// For commands without arguments.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
pub struct NoArgs {}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct IdArgs {
    pub id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct IdsArgs {
    pub ids: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Deleted {
    pub deleted: bool,
}
