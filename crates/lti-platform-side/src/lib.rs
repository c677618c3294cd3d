//! LTI Inspector's platform side: the emulator, a small LMS inside the inspector — courses,
//! users, deployments and registered tools; the OIDC authorization endpoint, signed launches,
//! JWKS, token endpoint, NRPS, AGS and the deep linking return — and the browser-less walker
//! its tests and benchmarks use. Its state is a [`PlatformSide`]: the core plus this side's own.
//! Depends on the protocol crate and the core only; never on the tool side.

pub mod emulator;
mod state;

pub use state::{PlatformConfig, PlatformSide};
