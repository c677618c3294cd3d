//! LTI 1.1 on the tool side: consumers (key, secret in the keychain) and the launch endpoint.

pub mod consumers;
mod landing;
pub mod launch;
pub mod outcomes_client;
