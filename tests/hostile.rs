//! Hostile evidence (issue 15): inputs shaped to make a parser loop, blow up or hide damage. Each found defect
//! has its regression here, built by the test itself: the run ends, the damage is named, the rest is read.
//! Time is not asserted here (benchmarks measure it); an endless or quadratic run shows as a test that never ends.

mod common;

use common::{scan_one, tree};
use std::process::Command;

fn config(body: &str) -> tempfile::TempDir {
    tree(&[(
        "applicationHost.config",
        format!("<configuration><system.webServer>{body}</system.webServer></configuration>").as_bytes(),
    )])
}

#[test]
fn sixty_thousand_nesting_levels_stop_at_the_depth_limit_with_a_warning() {
    let dir = config(&format!(
        "<globalModules><add name=\"Before\" image=\"C:\\\\b.dll\"/></globalModules>{}{}",
        "<a>".repeat(60_000),
        "</a>".repeat(60_000)
    ));
    let r = scan_one(&dir.path().join("applicationHost.config"));
    assert!(r.components.iter().any(|c| c.name == "Before"), "what came before the damage is kept");
    let w = r.warnings.iter().find(|w| w.message.contains("nested more than 256 levels")).expect("the warning");
    assert_eq!(w.position.line, Some(1));
    assert!(w.position.path().ends_with("applicationHost.config"));
}

#[test]
fn a_hundred_thousand_character_name_is_clipped_on_the_terminal_and_whole_in_json() {
    let name = "A".repeat(100_000);
    let dir = config(&format!("<globalModules><add name=\"{name}\" image=\"C:\\\\x.dll\"/></globalModules>"));
    let cfg = dir.path().join("applicationHost.config");
    let out = Command::new(env!("CARGO_BIN_EXE_inetsift")).arg("scan").arg(&cfg).output().unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("… (99600 more"), "{:.300}", table);
    assert!(table.len() < 100_000, "the table does not carry the whole name");
    let r = scan_one(&cfg);
    assert_eq!(r.components[0].name.len(), 100_000);
}

#[test]
fn thousands_of_modules_are_all_read_and_the_table_says_what_it_leaves_out() {
    let n = 5_000;
    let mods: String =
        (0..n).map(|i| format!("<add name=\"M{i}\" image=\"%windir%\\System32\\inetsrv\\m{i}.dll\"/>")).collect();
    let dir = config(&format!("<globalModules>{mods}</globalModules>"));
    let cfg = dir.path().join("applicationHost.config");
    let r = scan_one(&cfg);
    assert_eq!(r.components.len(), n);
    assert!(r.components.iter().any(|c| c.name == format!("M{}", n - 1)));
    let out = Command::new(env!("CARGO_BIN_EXE_inetsift")).arg("scan").arg(&cfg).output().unwrap();
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains(&format!("… {} more rows not shown here", n - 1000)), "{:.400}", table);
}

#[test]
fn an_eight_byte_journal_with_a_zero_length_ends() {
    // Found by fuzzing: the zero-run skip did not advance past a zero length followed by other bytes.
    let dir = tree(&[
        ("C/Windows/System32/inetsrv/config/applicationHost.config", b"<configuration/>"),
        ("C/$Extend/$J", &[0, 0, 0, 0, 1, 2, 3, 4]),
    ]);
    let r = scan_one(dir.path());
    assert!(r.timeline.iter().all(|t| !t.source.contains("journal")), "{:?}", r.timeline);
}
