//! Caps on attacker-controlled counts while parsing `Signature-Input`, `Signature` and
//! `Accept-Signature`.

/// Caps on attacker-controlled counts while parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_signatures: usize,
    pub(crate) max_components: usize,
    pub(crate) max_params: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Far above any real use (RFC 9421's examples carry two signatures and a dozen
        // components; §6.3 registers six signature parameters), low enough that a hostile field
        // cannot make us build large structures, and that the duplicate-parameter check (a scan
        // of the extension names seen) stays bounded however the field is shaped.
        Self {
            max_signatures: 16,
            max_components: 64,
            max_params: 32,
        }
    }
}
