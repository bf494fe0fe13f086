//! The bare chunk walk (src/artifacts/evtx/walk.rs) against the evtx crate on real logs: for every chunk the walk
//! accepts, the same records in the same order, and for every record whose template the walk can place, the same
//! event id the crate renders. Runs on the sample's logs always and on every corpus log when the corpus is there.

mod common;

use evtx::{EvtxParser, ParserSettings};
use inetsift::artifacts::evtx::walk;
use std::collections::HashMap;
use std::path::PathBuf;

/// Records whose channel the walk told (and the crate agreed with).
static CHANNELS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// (chunks walked bare, chunks left to the crate, records compared, event ids compared) for one log.
fn compare(name: &str, bytes: Vec<u8>) -> (usize, usize, usize, usize) {
    let settings = ParserSettings::new().num_threads(1).separate_json_attributes(true).validate_checksums(false);
    let mut parser = EvtxParser::from_buffer(bytes).unwrap().with_configuration(settings.clone());
    let settings = std::sync::Arc::new(settings);
    let (mut bare, mut crate_only, mut records, mut ids) = (0, 0, 0, 0);
    for chunk in parser.chunks() {
        let Ok(mut chunk) = chunk else { continue };
        let data = chunk.data.clone();
        let Some(walked) = walk::records(&data) else {
            crate_only += 1;
            continue;
        };
        bare += 1;
        let mut parsed = chunk.parse(settings.clone()).unwrap();
        let rendered: Vec<(u64, u32, String)> = parsed
            .iter()
            .filter_map(Result::ok)
            .map(|r| {
                let id = r.event_record_id;
                let json = r.into_json_value().unwrap().data;
                let event_id = json["Event"]["System"]["EventID"]
                    .as_u64()
                    .or_else(|| json["Event"]["System"]["EventID"]["#text"].as_u64())
                    .unwrap_or(u64::MAX) as u32;
                let channel = json["Event"]["System"]["Channel"].as_str().unwrap_or_default().to_string();
                (id, event_id, channel)
            })
            .collect();
        let walked_ids: Vec<u64> = walked.iter().map(|r| r.id).collect();
        let crate_ids: Vec<u64> = rendered.iter().map(|r| r.0).collect();
        assert_eq!(walked_ids, crate_ids, "{name}: chunk {:?}", chunk.number);
        records += walked.len();
        let mut slots = HashMap::new();
        for (r, (_, crate_event_id, crate_channel)) in walked.iter().zip(&rendered) {
            let crate_event_id = *crate_event_id;
            let Some(inst) = walk::instance(&data, r.binxml.clone()) else { continue };
            let (at, channel_at) = slots
                .entry(inst.definition)
                .or_insert_with(|| {
                    (walk::event_id_at(&data, inst.definition), walk::channel_at(&data, inst.definition))
                })
                .clone();
            let channel = match channel_at {
                walk::ChannelAt::Fixed(c) => Some(c),
                walk::ChannelAt::Value(i) => inst.values.get(i).filter(|v| v.0 == 1).map(|v| walk::text(v.1)),
                walk::ChannelAt::Unknown => None,
            };
            if let Some(c) = channel {
                assert_eq!(&c, crate_channel, "{name}: record {} channel", r.id);
                CHANNELS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            let event_id = match at {
                walk::EventIdAt::Value(i) => inst.values.get(i).and_then(|&(ty, b)| walk::number(ty, b)),
                walk::EventIdAt::Fixed(id) => Some(id),
                walk::EventIdAt::Unknown => None,
            };
            if let Some(e) = event_id {
                assert_eq!(e, crate_event_id, "{name}: record {}", r.id);
                ids += 1;
            }
        }
    }
    (bare, crate_only, records, ids)
}

#[test]
fn the_bare_walk_reads_the_records_and_event_ids_the_crate_renders() {
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(common::repo("samples/iis-compromised-kape.zip")).unwrap()).unwrap();
    let names: Vec<String> = z.file_names().filter(|n| n.ends_with(".evtx")).map(String::from).collect();
    let mut total = (0, 0, 0, 0);
    for n in &names {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut z.by_name(n).unwrap(), &mut bytes).unwrap();
        let c = compare(n, bytes);
        // The repository's writer makes clean logs: every chunk walked bare, every event id placed.
        assert_eq!(c.1, 0, "{n}");
        assert_eq!(c.2, c.3, "{n}: every event id told");
        total = (total.0 + c.0, total.1 + c.1, total.2 + c.2, total.3 + c.3);
    }
    assert!(total.2 >= 19, "{total:?}");
    assert_eq!(CHANNELS.load(std::sync::atomic::Ordering::Relaxed), total.2, "every channel of the sample told");
    if !common::have_corpus() {
        return;
    }
    let mut logs: Vec<PathBuf> =
        std::fs::read_dir(common::corpus("evtx")).unwrap().map(|e| e.unwrap().path()).collect();
    logs.sort();
    let mut total = (0, 0, 0, 0);
    for p in logs.iter().filter(|p| p.extension().is_some_and(|e| e == "evtx")) {
        let c = compare(&p.display().to_string(), std::fs::read(p).unwrap());
        total = (total.0 + c.0, total.1 + c.1, total.2 + c.2, total.3 + c.3);
    }
    // Real logs of Windows: nearly every chunk walks bare and nearly every event id is placed from its template.
    assert!(total.0 > 20 * total.1.max(1), "{total:?}");
    assert!(total.3 * 100 >= total.2 * 95, "{total:?}");
    eprintln!(
        "corpus: {} chunks walked bare, {} left to the crate, {} records, {} event ids placed",
        total.0, total.1, total.2, total.3
    );
}
