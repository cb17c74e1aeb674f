//! A fast, unkeyed hash for the tracer's maps of open spans. Their keys are ids that the engine and the tracer
//! assign (execution and node ids, attempts, call numbers), and each hook looks one up: SipHash's defence against
//! chosen collisions would cost more there than the rest of the bookkeeping, for keys no outsider picks.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// The Fx hash (rustc's): per 8-byte word, a rotate, a xor and a multiply.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x517c_c1b7_2722_0a95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(word.try_into().unwrap_or_default()));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.add(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.add(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        // The multiply mixes upwards only; the table indexes by the low bits, so bring high bits down.
        self.hash.rotate_left(26)
    }
}

pub(super) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher as _;
    use std::sync::Arc;

    use super::*;

    #[test]
    fn equal_keys_hash_equal_and_neighbours_differ() {
        let build = BuildHasherDefault::<FxHasher>::default();
        let key = |e: &str, n: &str, a: u32| build.hash_one((Arc::<str>::from(e), Arc::<str>::from(n), a));
        assert_eq!(key("exec-1", "summarize", 1), key("exec-1", "summarize", 1));
        assert_ne!(key("exec-1", "summarize", 1), key("exec-1", "summarize", 2));
        assert_ne!(key("exec-1", "summarize", 1), key("exec-1", "summarizf", 1));
        // The string's terminator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(key("ab", "c", 1), key("a", "bc", 1));
        let ids: std::collections::HashSet<u64> = (0..10_000u64).map(|id| build.hash_one(id) & 0xffff).collect();
        assert!(ids.len() > 9_000, "sequential call ids spread over the low bits: {}", ids.len());
    }
}
