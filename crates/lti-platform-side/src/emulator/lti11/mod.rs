//! LTI 1.1 on the platform side: tools registered with a consumer key and secret, signed
//! launches into them (with negative switches), and the way back (return URL).

pub mod launch;
pub mod outcomes;
pub mod tools;
