//! Marvin32, the keyed hash Windows uses to protect new-format transaction log entries (Hash-1, Hash-2).
//! Written here because notatin keeps its copy crate-private and no maintained crate exposes it.

/// Seed of the registry's log-entry hashes (0x82EF4D887A4E55C5).
pub const REGISTRY_SEED: u64 = 0x82EF_4D88_7A4E_55C5;

/// Marvin32 of `data` with `seed`, as the 64-bit value stored in a log entry.
pub fn marvin32(seed: u64, data: &[u8]) -> u64 {
    let mut lo = seed as u32;
    let mut hi = (seed >> 32) as u32;
    let mut words = data.chunks_exact(4);
    for w in words.by_ref() {
        lo = lo.wrapping_add(u32::from_le_bytes([w[0], w[1], w[2], w[3]]));
        mix(&mut lo, &mut hi);
    }
    let rest = words.remainder();
    let last = match rest.len() {
        0 => 0x80,
        1 => 0x8000 | u32::from(rest[0]),
        2 => 0x0080_0000 | u32::from(rest[0]) | u32::from(rest[1]) << 8,
        _ => 0x8000_0000 | u32::from(rest[0]) | u32::from(rest[1]) << 8 | u32::from(rest[2]) << 16,
    };
    lo = lo.wrapping_add(last);
    mix(&mut lo, &mut hi);
    mix(&mut lo, &mut hi);
    u64::from(hi) << 32 | u64::from(lo)
}

fn mix(lo: &mut u32, hi: &mut u32) {
    *hi ^= *lo;
    *lo = lo.rotate_left(20).wrapping_add(*hi);
    *hi = hi.rotate_left(9) ^ *lo;
    *lo = lo.rotate_left(27).wrapping_add(*hi);
    *hi = hi.rotate_left(19);
}
