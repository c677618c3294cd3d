#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| lti_fuzz_targets::pox(data));
