//! Media types as HTTP headers carry them.

/// The media type of a Content-Type or Accept item without its parameters, lower-cased (media
/// types compare case-insensitively, RFC 9110 §8.3.1).
pub fn base(value: &str) -> String {
    value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    #[test]
    fn parameters_and_case_do_not_matter() {
        assert_eq!(
            super::base(" Application/X-WWW-Form-Urlencoded ; charset=UTF-8"),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(super::base(""), "");
    }
}
