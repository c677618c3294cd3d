//! Identifiers: time-sortable ids for flows and registrations, and unguessable values for OIDC
//! `state` and `nonce`.

/// `<12 hex ms><8 hex random>`: sorts by creation time, unique in practice.
pub fn sortable_id() -> String {
    let mut r = [0u8; 4];
    getrandom::fill(&mut r).expect("OS random source");
    format!("{:012x}{}", crate::clock::now_ms(), hex::encode(r))
}

/// 128 random bits, hex: for `state` and `nonce`.
pub fn secret_token() -> String {
    let mut r = [0u8; 16];
    getrandom::fill(&mut r).expect("OS random source");
    hex::encode(r)
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_sort_by_time_and_differ() {
        let a = super::sortable_id();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let b = super::sortable_id();
        assert!(a < b);
        assert_ne!(super::secret_token(), super::secret_token());
    }
}
