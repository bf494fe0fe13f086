//! One event record, normalised from the JSON the `evtx` crate renders (with attributes kept apart).
//!
//! Real logs give the same facts in several shapes: `EventID` as a number, a string or with `Qualifiers`;
//! `EventData` with named `Data`, unnamed `Data` arrays (classic providers) or `UserData` with a provider element.
//! [`from_json`] folds them into one flat map of field name to text.

pub use crate::model::EventRecord as Record;
use crate::model::Timestamp;
use serde_json::Value;
use std::collections::BTreeMap;

/// Normalises one rendered record. `header_id` and `header_time` come from the record header; the record's own
/// `EventRecordID` and `TimeCreated` win (they are what Event Viewer shows; exported logs renumber headers).
pub fn from_json(json: &Value, header_id: u64, header_time: Timestamp) -> Record {
    let event = json.get("Event").unwrap_or(json);
    let system = event.get("System").unwrap_or(&Value::Null);
    let attr = |elem: &str, name: &str| system.get(format!("{elem}_attributes")).and_then(|a| a.get(name));
    let mut r = Record {
        record_id: system.get("EventRecordID").and_then(number).unwrap_or(header_id),
        time: attr("TimeCreated", "SystemTime")
            .and_then(Value::as_str)
            .and_then(Timestamp::parse_rfc3339)
            .unwrap_or(header_time),
        channel: system.get("Channel").map(text).unwrap_or_default(),
        provider: attr("Provider", "Name").map(text).unwrap_or_default(),
        event_id: system.get("EventID").and_then(number).and_then(|n| u32::try_from(n).ok()).unwrap_or_default(),
        computer: system.get("Computer").map(text).unwrap_or_default(),
        user_sid: attr("Security", "UserID").map(text).filter(|s| !s.is_empty()),
        process_id: attr("Execution", "ProcessID").and_then(number).and_then(|n| u32::try_from(n).ok()),
        data: BTreeMap::new(),
    };
    for part in ["EventData", "UserData"] {
        if let Some(v) = event.get(part) {
            flatten(v, "", &mut r.data);
        }
    }
    r
}

fn flatten(v: &Value, key: &str, out: &mut BTreeMap<String, String>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k.ends_with("_attributes") || k == "#attributes" {
                    continue;
                }
                // Unnamed `Data` items and `#text` carry no name of their own.
                let name = if k == "#text" { key } else { k.as_str() };
                if (k == "Data" || k == "#text") && child.is_array() {
                    let items = child.as_array().map(Vec::as_slice).unwrap_or_default();
                    for (i, item) in items.iter().enumerate() {
                        insert(out, &format!("Data{}", i + 1), text(item));
                    }
                } else {
                    flatten(child, name, out);
                }
            }
        }
        Value::Null => {}
        other if !key.is_empty() => insert(out, key, text(other)),
        _ => {}
    }
}

/// Keeps the first value under a name; a later one with the same name gets a numbered suffix.
fn insert(out: &mut BTreeMap<String, String>, key: &str, value: String) {
    if !out.contains_key(key) {
        out.insert(key.to_string(), value);
        return;
    }
    let mut n = 2;
    while out.contains_key(&format!("{key}{n}")) {
        n += 1;
    }
    out.insert(format!("{key}{n}"), value);
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(items) => items.iter().map(text).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map.get("#text").map(text).unwrap_or_default(),
        other => other.to_string(),
    }
}

fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Object(map) => map.get("#text").and_then(number),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn qualifiers_unnamed_data_and_user_data_fold_into_one_map() {
        let v = json!({"Event": {"System": {
            "Provider_attributes": {"Name": "Service Control Manager"},
            "EventID": "7036", "EventID_attributes": {"Qualifiers": 16384},
            "EventRecordID": 42, "Channel": "System", "Computer": "WEB01",
            "Security_attributes": {"UserID": "S-1-5-18"}, "Execution_attributes": {"ProcessID": 612}},
            "EventData": {"Data": ["World Wide Web Publishing Service", "running"], "Binary": "570033005300"},
            "UserData": {"LogFileCleared": {"SubjectUserSid": "S-1-5-21-1"}}}});
        let r = from_json(&v, 1, Timestamp::default());
        assert_eq!((r.event_id, r.record_id, r.process_id), (7036, 42, Some(612)));
        assert_eq!(r.provider, "Service Control Manager");
        assert_eq!(r.user_sid.as_deref(), Some("S-1-5-18"));
        assert_eq!(r.field("Data1"), "World Wide Web Publishing Service");
        assert_eq!(r.field("Data2"), "running");
        assert_eq!(r.field("Binary"), "570033005300");
        assert_eq!(r.field("SubjectUserSid"), "S-1-5-21-1");
    }
}
