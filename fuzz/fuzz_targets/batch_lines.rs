//! libFuzzer entry of [`policy_fuzz::batch_lines`] (the property it checks is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| policy_fuzz::batch_lines(data));
