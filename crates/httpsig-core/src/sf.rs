//! Which fields are structured, and as what (RFC 9421 §2.1.1 needs the type to re-serialize).

/// The three top-level structured field types (RFC 9651 §3).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SfType {
    /// An Item.
    Item,
    /// A List.
    List,
    /// A Dictionary.
    Dictionary,
}

impl SfType {
    /// Parses `item`, `list` or `dictionary`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "item" => Some(Self::Item),
            "list" => Some(Self::List),
            "dictionary" | "dict" => Some(Self::Dictionary),
            _ => None,
        }
    }
}

/// Fields registered with a structured type (IANA "Hypertext Transfer Protocol (HTTP) Field Name
/// Registry", "Structured Type" column), lower-case, sorted for binary search.
const KNOWN: &[(&str, SfType)] = &[
    ("accept-ch", SfType::List),
    ("accept-signature", SfType::Dictionary),
    ("available-dictionary", SfType::Item),
    ("cache-group-invalidation", SfType::List),
    ("cache-groups", SfType::List),
    ("cache-status", SfType::List),
    ("cdn-cache-control", SfType::Dictionary),
    ("client-cert", SfType::Item),
    ("client-cert-chain", SfType::List),
    ("content-digest", SfType::Dictionary),
    ("cross-origin-embedder-policy", SfType::Item),
    ("cross-origin-embedder-policy-report-only", SfType::Item),
    ("cross-origin-opener-policy", SfType::Item),
    ("cross-origin-opener-policy-report-only", SfType::Item),
    ("dictionary-id", SfType::Item),
    ("idempotency-key", SfType::Item),
    ("origin-agent-cluster", SfType::Item),
    ("priority", SfType::Dictionary),
    ("proxy-status", SfType::List),
    ("repr-digest", SfType::Dictionary),
    ("signature", SfType::Dictionary),
    ("signature-input", SfType::Dictionary),
    ("use-as-dictionary", SfType::Dictionary),
    ("want-content-digest", SfType::Dictionary),
    ("want-repr-digest", SfType::Dictionary),
];

/// The structured types known for field names: the built-in registry plus caller overrides.
///
/// # Examples
/// ```
/// use httpsig_core::{SfType, SfTypes};
/// let mut types = SfTypes::default();
/// types.insert("example-dict", SfType::Dictionary);
/// assert_eq!(types.type_of("example-dict"), Some(SfType::Dictionary));
/// assert_eq!(types.type_of("content-digest"), Some(SfType::Dictionary));
/// assert_eq!(types.type_of("x-unknown"), None);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SfTypes {
    overrides: Vec<(Box<str>, SfType)>,
}

impl SfTypes {
    /// Declares (or overrides) the structured type of a field; the name is lower-cased.
    pub fn insert(&mut self, field: &str, ty: SfType) {
        let field = field.to_ascii_lowercase();
        self.overrides.retain(|(n, _)| **n != *field);
        self.overrides.push((field.into_boxed_str(), ty));
    }

    /// The structured type of a lower-case field name, if known.
    pub fn type_of(&self, field: &str) -> Option<SfType> {
        if let Some((_, t)) = self.overrides.iter().find(|(n, _)| **n == *field) {
            return Some(*t);
        }
        KNOWN
            .binary_search_by(|(n, _)| (*n).cmp(field))
            .ok()
            .and_then(|i| KNOWN.get(i))
            .map(|(_, t)| *t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted() {
        assert!(KNOWN.windows(2).all(|w| w[0].0 < w[1].0));
    }
}
