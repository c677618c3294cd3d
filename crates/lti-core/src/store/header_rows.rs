//! How an exchange's headers are kept: `[["name","value"],…]` as a zstd frame with a fixed
//! dictionary of the headers browsers, LMSs and this engine send (`header_dict_v1.json`: Chrome,
//! Firefox and Safari request headers, the LTI service media types, this engine's own
//! responses), behind the tag `H1`. Headers were a fifth of a stored exchange as JSON objects;
//! what is left after packing is mostly their random values (state, nonces, cookies).
//! Rows from before are TEXT JSON objects and are still read. The dictionary never changes: a
//! better one gets a new tag.

use rusqlite::types::ValueRef;

use super::exchanges::Header;
use crate::error::{Error, Result};

const TAG_V1: [u8; 2] = *b"H1";
static CODEC_V1: crate::dict_codec::DictCodec =
    crate::dict_codec::DictCodec::new(include_bytes!("header_dict_v1.json"), 1);
/// Headers never need more (the servers refuse larger header sections long before).
const MAX_UNPACKED: usize = 4 << 20;

/// The bytes stored for `headers`.
pub fn pack(headers: &[Header]) -> Result<Vec<u8>> {
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|h| (h.name.as_str(), h.value.as_str()))
        .collect();
    let json = serde_json::to_vec(&pairs).map_err(|e| Error::Internal(e.to_string()))?;
    let frame = CODEC_V1
        .pack(&json)
        .map_err(|e| Error::Internal(format!("compress headers: {e}")))?;
    let mut out = Vec::with_capacity(frame.len() + 2);
    out.extend_from_slice(&TAG_V1);
    out.extend_from_slice(&frame);
    Ok(out)
}

/// Headers from their column: packed (BLOB) or JSON objects (TEXT, older rows). A row that
/// cannot be read gives no headers rather than hiding the exchange.
pub fn unpack(v: ValueRef<'_>) -> Vec<Header> {
    let read = || -> Option<Vec<Header>> {
        match v {
            ValueRef::Text(t) => serde_json::from_slice(t).ok(),
            ValueRef::Blob(b) => {
                let frame = b.strip_prefix(&TAG_V1)?;
                let json = CODEC_V1.unpack(frame, MAX_UNPACKED).ok()?;
                let pairs: Vec<(String, String)> = serde_json::from_slice(&json).ok()?;
                Some(
                    pairs
                        .into_iter()
                        .map(|(name, value)| Header { name, value })
                        .collect(),
                )
            }
            _ => None,
        }
    };
    read().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &str, value: &str) -> Header {
        Header {
            name: name.into(),
            value: value.into(),
        }
    }

    #[test]
    fn headers_round_trip_in_order_and_shrink() {
        let headers = vec![
            h("host", "lms.example.edu"),
            h("user-agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"),
            h("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"),
            h("content-type", "application/x-www-form-urlencoded"),
            h("cookie", "lti_state_0123=abcd; other=\"quoted\" \u{e9}"),
            h("set-cookie", "a=1"),
            h("set-cookie", "a=2"),
        ];
        let json = serde_json::to_vec(&headers).unwrap();
        let packed = pack(&headers).unwrap();
        assert!(
            packed.len() * 3 < json.len(),
            "{} → {}",
            json.len(),
            packed.len()
        );
        assert_eq!(unpack(ValueRef::Blob(&packed)), headers);
        assert_eq!(unpack(ValueRef::Blob(&pack(&[]).unwrap())), vec![]);
    }

    #[test]
    fn older_rows_are_read_and_damaged_ones_are_empty() {
        assert_eq!(
            unpack(ValueRef::Text(br#"[{"name":"a","value":"b"}]"#)),
            vec![h("a", "b")]
        );
        assert!(unpack(ValueRef::Blob(b"H1garbage")).is_empty());
        assert!(unpack(ValueRef::Blob(b"??")).is_empty());
        assert!(unpack(ValueRef::Null).is_empty());
    }
}
