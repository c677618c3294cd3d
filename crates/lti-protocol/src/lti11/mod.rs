//! LTI 1.1 (1.0 to 1.2): launches signed with OAuth 1.0a, checked rule by rule like 1.3.

pub mod launch;
pub mod migration;
pub mod oauth1;
pub mod outcomes;
pub mod params;
