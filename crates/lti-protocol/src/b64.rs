//! base64url without padding (RFC 7515 §2), the only base64 JOSE uses, plus a lenient decoder
//! for inspecting what real platforms send (some pad, some use the standard alphabet).

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;

pub fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Strict base64url decoding as RFC 7515 requires.
pub fn decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

/// Accepts padding and the standard alphabet too; callers report the deviation separately.
pub fn decode_lenient(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    let trimmed = text.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| STANDARD.decode(pad(&trimmed.replace('-', "+").replace('_', "/"))))
}

fn pad(s: &str) -> String {
    let mut out = s.to_string();
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

/// Standard base64 with padding, for PEM bodies.
pub fn encode_standard(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

pub fn decode_standard(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    STANDARD.decode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_has_no_padding() {
        let e = encode(b"\xfb\xff");
        assert_eq!(e, "-_8");
        assert_eq!(decode(&e).unwrap(), b"\xfb\xff");
    }

    #[test]
    fn lenient_accepts_padding_and_standard_alphabet() {
        assert_eq!(decode_lenient("-_8=").unwrap(), b"\xfb\xff");
        assert_eq!(decode_lenient("+/8=").unwrap(), b"\xfb\xff");
        assert!(decode("-_8=").is_err());
    }
}
