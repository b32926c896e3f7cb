//! The `@signature-params` text written while a signature is parsed or built.

use std::borrow::Cow;

use crate::component::TextSink;

/// The `@signature-params` text of a member being parsed: borrowed from the received field while
/// what is written matches it byte for byte (a canonically serialized member, which is what
/// signers emit), copied only from the first difference. Which bytes are borrowed never depends
/// on trusting `src`: only bytes equal to what would have been written are.
#[derive(Default)]
pub(crate) struct CowText<'de> {
    src: &'de str,
    len: usize,
    owned: Option<String>,
}

impl<'de> CowText<'de> {
    pub(crate) fn borrowing(src: &'de str) -> Self {
        Self {
            src,
            len: 0,
            owned: None,
        }
    }

    pub(crate) fn into_cow(self) -> Cow<'de, str> {
        match self.owned {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(self.src.get(..self.len).unwrap_or("")),
        }
    }
}

impl TextSink for CowText<'_> {
    fn push(&mut self, c: char) {
        // Most of what is written is single ASCII punctuation: compare it in place.
        if self.owned.is_none()
            && c.is_ascii()
            && self.src.as_bytes().get(self.len) == Some(&(c as u8))
        {
            self.len += 1;
        } else {
            self.push_str(c.encode_utf8(&mut [0; 4]));
        }
    }

    fn push_str(&mut self, s: &str) {
        if let Some(o) = &mut self.owned {
            o.push_str(s);
            return;
        }
        let end = self.len + s.len();
        let same = self.src.as_bytes().get(self.len..end).is_some_and(|r| {
            // Short pieces (names, keys, numbers) compare inline rather than through memcmp.
            r.iter().zip(s.as_bytes()).all(|(a, b)| a == b)
        });
        if same {
            self.len = end;
            return;
        }
        let mut o = String::with_capacity(self.src.len().max(end) + 16);
        o.push_str(self.src.get(..self.len).unwrap_or(""));
        o.push_str(s);
        self.owned = Some(o);
    }

    fn as_str(&self) -> &str {
        match &self.owned {
            Some(o) => o,
            None => self.src.get(..self.len).unwrap_or(""),
        }
    }

    fn len(&self) -> usize {
        self.owned.as_ref().map_or(self.len, String::len)
    }
}

/// A small stack buffer for integer formatting without allocation.
pub(super) struct IntBuf {
    buf: [u8; 20],
    start: usize,
}

impl IntBuf {
    pub(super) fn as_str(&self) -> &str {
        core::str::from_utf8(self.buf.get(self.start..).unwrap_or(&[])).unwrap_or("")
    }
}

pub(super) fn itoa_i64(mut v: i64) -> IntBuf {
    // Only called with non-negative values.
    let mut b = IntBuf {
        buf: [0; 20],
        start: 20,
    };
    loop {
        b.start -= 1;
        if let Some(slot) = b.buf.get_mut(b.start) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || b.start == 0 {
            break;
        }
    }
    b
}
