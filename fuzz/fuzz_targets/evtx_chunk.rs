//! One event-log chunk through the bare walk (records, template instances, event-id slots, values as numbers):
//! the reader every large log goes through, without the scan around it.
#![no_main]
#[path = "contained.rs"]
mod contained;
libfuzzer_sys::fuzz_target!(init: contained::only_uncaught_panics_abort(), |data: &[u8]| {
    use inetsift::artifacts::evtx::walk;
    let Some(records) = walk::records(data) else { return };
    for r in records {
        if let Some(inst) = walk::instance(data, r.binxml) {
            let _ = walk::event_id_at(data, inst.definition);
            for (ty, bytes) in inst.values {
                let _ = walk::number(ty, bytes);
            }
        }
    }
});
