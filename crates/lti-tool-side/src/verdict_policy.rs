//! The verdict policy the tool side validates with: by default severities follow the measured
//! evidence (a MUST every tool library accepts is a warning); strict makes every MUST an error.
//! Applies to launches captured from now on and to re-checks; stored reports keep theirs.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ToolSide;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct VerdictPolicy {
    /// Every MUST of the catalog is an error, measured or not (docs/RULES.md, "Verdicts").
    pub strict: bool,
}

pub async fn get(tool: &ToolSide) -> lti_core::error::Result<VerdictPolicy> {
    Ok(VerdictPolicy {
        strict: tool.load_policy().await?,
    })
}

pub async fn set(tool: &ToolSide, p: VerdictPolicy) -> lti_core::error::Result<VerdictPolicy> {
    tool.store()
        .write(move |tx| {
            lti_core::settings::set_flag(tx, lti_core::settings::STRICT_VERDICTS, p.strict)
        })
        .await?;
    get(tool).await
}
