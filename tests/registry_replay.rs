//! Transaction log replay against Windows' own recovery (ground truth in ../shared/corpus/hives/yarp).

mod common;
use common::corpus;
use inetsift::artifacts::registry::hive::{Hive, Key};
use inetsift::artifacts::registry::replay::{LogFile, Recovery, recover};

fn recover_files(primary: &str, logs: &[&str]) -> Recovery {
    let p = std::fs::read(corpus(primary)).unwrap();
    let datas: Vec<(String, Vec<u8>)> =
        logs.iter().map(|l| (l.rsplit('/').next().unwrap().to_string(), std::fs::read(corpus(l)).unwrap())).collect();
    let logs: Vec<LogFile> = datas.iter().map(|(n, b)| LogFile { name: n.clone(), bytes: b }).collect();
    recover(p, &logs).unwrap()
}

fn tree(bytes: Vec<u8>) -> Vec<Key> {
    let mut h = Hive::parse(bytes).unwrap();
    let mut keys = Vec::new();
    assert!(h.walk("", 1_000_000, &mut |k| keys.push(k.clone())));
    keys
}

fn assert_same_tree(ours: Vec<Key>, truth: Vec<Key>) {
    assert!(!truth.is_empty());
    for (a, b) in ours.iter().zip(&truth) {
        assert_eq!(a, b, "first difference at key {:?}", b.path);
    }
    assert_eq!(ours.len(), truth.len());
}

#[test]
fn new_format_logs_replay_like_windows_10() {
    if !common::have_corpus() {
        return;
    }
    let r = recover_files(
        "hives/yarp/NewDirtyHive1/NewDirtyHive",
        &["hives/yarp/NewDirtyHive1/NewDirtyHive.LOG1", "hives/yarp/NewDirtyHive1/NewDirtyHive.LOG2"],
    );
    assert!(r.dirty);
    assert_eq!(r.log_format, Some("new"));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    eprintln!("{:?}", r.applied);
    assert!(!r.applied.is_empty());
    let truth = std::fs::read(corpus("hives/yarp/NewDirtyHive1/RecoveredHive_Windows10")).unwrap();
    assert_same_tree(tree(r.bytes), tree(truth));
}

#[test]
fn old_format_log_replays_like_windows_7() {
    if !common::have_corpus() {
        return;
    }
    let r = recover_files(
        "hives/yarp/OldDirtyHive/OldDirtyHive",
        &["hives/yarp/OldDirtyHive/OldDirtyHive.LOG1", "hives/yarp/OldDirtyHive/OldDirtyHive.LOG2"],
    );
    assert!(r.dirty);
    assert_eq!(r.log_format, Some("old"));
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    eprintln!("{:?}", r.applied);
    let truth = std::fs::read(corpus("hives/yarp/OldDirtyHive/RecoveredHive_Windows7")).unwrap();
    assert_same_tree(tree(r.bytes), tree(truth));
}

#[test]
fn bad_base_block_is_restored_from_the_old_format_log() {
    if !common::have_corpus() {
        return;
    }
    let r = recover_files(
        "hives/yarp/BadBaseBlockHive/BadBaseBlockHive",
        &["hives/yarp/BadBaseBlockHive/BadBaseBlockHive.LOG1", "hives/yarp/BadBaseBlockHive/BadBaseBlockHive.LOG2"],
    );
    assert!(r.dirty);
    assert!(r.base_block_from_log);
    assert_eq!(r.log_format, Some("old"));
    assert_eq!(r.applied.len(), 1);
    assert_eq!((r.applied[0].pages, r.applied[0].offset), (64, 1024));
    // Apart from the damaged checksum this is OldDirtyHive: the same recovery results.
    let truth = std::fs::read(corpus("hives/yarp/OldDirtyHive/RecoveredHive_Windows7")).unwrap();
    assert_same_tree(tree(r.bytes), tree(truth));
}

#[test]
fn bad_logs_are_refused_and_the_primary_still_reads() {
    if !common::have_corpus() {
        return;
    }
    let r = recover_files(
        "hives/yarp/BadLogHive3/BadLogHive",
        &["hives/yarp/BadLogHive3/BadLogHive.LOG1", "hives/yarp/BadLogHive3/BadLogHive.LOG2"],
    );
    assert!(r.dirty);
    assert!(r.applied.is_empty());
    assert_eq!(
        r.problems,
        vec![
            "BadLogHive.LOG1: base block checksum is wrong; log not used",
            "BadLogHive.LOG2: base block checksum is wrong; log not used",
            "the hive is dirty and no usable transaction log was found: recent changes may be missing",
        ]
    );
    // Same primary bytes as NewDirtyHive1: its unrecovered keys are still there.
    let keys = tree(r.bytes);
    assert!(keys.iter().any(|k| k.path == "Key1"), "{:?}", keys.iter().map(|k| &k.path).collect::<Vec<_>>());
}
