//! The FNV-1a hasher shared by the small indexes of the engine.

/// FNV-1a, 64 bit: the hash of the query index, the `;key` member index and the duplicate
/// component check. Their keys are at most 64 names the signature itself chose, so hostile
/// input can at worst collide with those (a bounded probe or one full comparison), and
/// SipHash's cost per query parameter or identifier is not needed.
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl core::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
