//! zstd with a fixed dictionary: message rows, stored tokens and exchange headers each have
//! one (`message_dict_v1.json`, `store/token_dict_v1.json`, `store/header_dict_v1.json`). A
//! dictionary is digested once per process; one compression and one decompression context
//! per thread serve them all (a context is a few hundred KB of tables to set up, more than
//! packing a row costs).

use std::cell::RefCell;
use std::sync::OnceLock;

use zstd::dict::{DecoderDictionary, EncoderDictionary};
use zstd::zstd_safe::{self, CCtx, DCtx};

pub struct DictCodec {
    dict: &'static [u8],
    level: i32,
    encoder: OnceLock<EncoderDictionary<'static>>,
    decoder: OnceLock<DecoderDictionary<'static>>,
}

thread_local! {
    static CCTX: RefCell<Option<CCtx<'static>>> = const { RefCell::new(None) };
    static DCTX: RefCell<Option<DCtx<'static>>> = const { RefCell::new(None) };
}

impl DictCodec {
    pub const fn new(dict: &'static [u8], level: i32) -> Self {
        DictCodec {
            dict,
            level,
            encoder: OnceLock::new(),
            decoder: OnceLock::new(),
        }
    }

    /// One zstd frame of `plain` (it records its size).
    pub fn pack(&self, plain: &[u8]) -> Result<Vec<u8>, String> {
        let cdict = self
            .encoder
            .get_or_init(|| EncoderDictionary::copy(self.dict, self.level));
        let mut out = Vec::with_capacity(zstd_safe::compress_bound(plain.len()));
        CCTX.with_borrow_mut(|slot| {
            slot.get_or_insert_with(CCtx::create).compress_using_cdict(
                &mut out,
                plain,
                cdict.as_cdict(),
            )
        })
        .map_err(|code| zstd_safe::get_error_name(code).to_string())?;
        Ok(out)
    }

    /// A frame [`DictCodec::pack`] made, whole; frames that do not say their size, or say more
    /// than `max`, are refused (a damaged row must not make a reader reserve gigabytes).
    pub fn unpack(&self, frame: &[u8], max: usize) -> Result<Vec<u8>, String> {
        let size = zstd_safe::get_frame_content_size(frame)
            .ok()
            .flatten()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|&n| n <= max)
            .ok_or("a frame without a size, or too large")?;
        let ddict = self
            .decoder
            .get_or_init(|| DecoderDictionary::copy(self.dict));
        let mut out = Vec::with_capacity(size);
        DCTX.with_borrow_mut(|slot| {
            slot.get_or_insert_with(DCtx::create)
                .decompress_using_ddict(&mut out, frame, ddict.as_ddict())
        })
        .map_err(|code| zstd_safe::get_error_name(code).to_string())?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static A: DictCodec = DictCodec::new(b"{\"name\":\"content-type\",\"value\":\"text/html\"}", 1);
    static B: DictCodec = DictCodec::new(b"something else entirely", 3);

    #[test]
    fn round_trips_per_dictionary_on_shared_contexts() {
        let plain = br#"[{"name":"content-type","value":"text/html"},{"name":"content-type","value":"text/html"}]"#;
        let a = A.pack(plain).unwrap();
        let b = B.pack(plain).unwrap();
        assert_eq!(A.unpack(&a, 1000).unwrap(), plain);
        assert_eq!(B.unpack(&b, 1000).unwrap(), plain);
        assert!(a.len() < b.len(), "the matching dictionary packs smaller");
        // A damaged frame, a too-large one: errors, not panics. (Which dictionary a frame
        // needs is the caller's tag to say: raw-content dictionaries carry no id.)
        assert!(A.unpack(b"garbage", 1000).is_err());
        assert!(A.unpack(&a, 10).is_err());
        assert_eq!(A.unpack(&A.pack(b"").unwrap(), 10).unwrap(), b"");
    }
}
