//! The labels seen so far in one signature dictionary (duplicate-label check, label cap).

/// Labels seen so far in one dictionary, kept without allocation up to 16 (the default cap).
pub(crate) struct Labels<'de> {
    small: [&'de str; 16],
    len: usize,
    more: Vec<&'de str>,
}

impl<'de> Labels<'de> {
    pub(crate) fn new() -> Self {
        Self {
            small: [""; 16],
            len: 0,
            more: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len + self.more.len()
    }

    pub(crate) fn contains(&self, label: &str) -> bool {
        self.small.iter().take(self.len).any(|l| *l == label) || self.more.contains(&label)
    }

    pub(crate) fn push(&mut self, label: &'de str) {
        match self.small.get_mut(self.len) {
            Some(slot) => {
                *slot = label;
                self.len += 1;
            }
            None => self.more.push(label),
        }
    }
}
