//! Minimisation only (`cargo fuzz tmin pe_import_cap FILE`): "crashes" while the import walk still meets its cap,
//! so libFuzzer shrinks a kept input to the smallest file that still exercises the bound.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(facts) = inetsift::artifacts::pe::analyse(data) {
        assert!(!facts.problems.iter().any(|p| p.contains("import table lists more than")), "import cap reached");
    }
});
