//! Pure LTI protocol logic, usable on its own: JOSE (keys, JWKs, JWS), and — as the issues land —
//! messages, the claims dictionary, the rule catalog and validation.
//!
//! No sockets, no disk, no clock of its own: time, keys and stored nonces come in as arguments,
//! so everything here is unit-tested with fixtures and a captured launch can be re-validated as
//! of the moment it arrived.

pub mod b64;
pub mod jwk;
pub mod keys;
