//! Minimisation only (`cargo fuzz tmin pe_import_cap FILE`): "crashes" while a kept input still drives the
//! import walk into its bounds (more problems than the 50 said per file, import problems among them), so libFuzzer
//! shrinks it to the smallest file that still exercises them.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(facts) = inetsift::artifacts::pe::analyse(data) {
        let imports = facts.problems.iter().filter(|p| p.contains("import")).count();
        assert!(!(facts.problems.len() > 50 && imports > 10), "the import walk reached its bounds");
    }
});
