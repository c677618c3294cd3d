//! The CLI's subcommands, one module per kind (the argument definitions stay in main.rs).

pub(crate) mod deep_link;
pub(crate) mod flows;
pub(crate) mod import;
pub(crate) mod inspect;
pub(crate) mod manage;
pub(crate) mod resend;
pub(crate) mod serve;
