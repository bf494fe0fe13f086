//! Golden JSON: the sample and the fixture hosts give the committed `--json` documents byte for byte (apart from
//! the evidence paths given on the command line, which depend on where the test unpacks them, and the commit the
//! binary was built from). A change of the
//! JSON contract shows here first; regenerate with `INETSIFT_BLESS=1 cargo test --test golden` and say why in
//! the commit and in docs/json.md.

mod common;

use common::repo;
use inetsift::scan::{ScanOptions, scan_with};
use std::path::{Path, PathBuf};

/// A fixed "now" (2026-11-30T00:00:00Z) for signatures without a countersignature.
const NOW: i64 = 1_795_996_800;

fn json_of(evidence: &[PathBuf]) -> String {
    let opts = ScanOptions { now: Some(NOW), ..ScanOptions::default() };
    let result = scan_with(evidence, &opts).expect("evidence opens");
    let mut v = serde_json::to_value(&result).unwrap();
    // The commit the test binary was built from changes with every commit.
    v["tool"]["commit"] = serde_json::Value::String("(commit)".into());
    for e in v["evidence"].as_array_mut().unwrap() {
        let p = e["path"].as_str().unwrap().to_string();
        let name = Path::new(&p).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or(p);
        e["path"] = serde_json::Value::String(name);
    }
    serde_json::to_string_pretty(&v).unwrap() + "\n"
}

fn check(name: &str, evidence: &[PathBuf]) {
    let got = json_of(evidence);
    let path = repo(&format!("tests/golden/{name}.json"));
    if std::env::var_os("INETSIFT_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if got != want {
        let first = got.lines().zip(want.lines()).position(|(a, b)| a != b).unwrap_or(0);
        panic!(
            "{name}: the JSON differs from tests/golden/{name}.json from line {}:\n got: {}\nwant: {}",
            first + 1,
            got.lines().nth(first).unwrap_or("(end)"),
            want.lines().nth(first).unwrap_or("(end)")
        );
    }
}

#[test]
fn the_sample_gives_its_golden_json() {
    check("sample-kape-zip", &[repo("samples/iis-compromised-kape.zip")]);
}

#[test]
fn the_sample_config_files_and_hives_give_their_golden_json() {
    check(
        "sample-loose-files",
        &[
            repo("samples/host/applicationHost.config"),
            repo("samples/host/portal-web.config"),
            repo("samples/hives/SOFTWARE"),
            repo("samples/hives/SYSTEM"),
        ],
    );
}

#[test]
fn the_image_fixtures_give_their_golden_json() {
    let dir = common::unpack("tests/fixtures/images/iis-host-images.zip");
    check("image-mbr-raw", &[dir.path().join("mbr.raw")]);
    check("image-gpt-vhdx", &[dir.path().join("gpt.vhdx")]);
    check("image-mbr-e01", &[dir.path().join("mbr.E01")]);
}
