//! JSON text read strictly: one value, and no object that repeats a member name, at any depth.
//!
//! `serde_json` keeps the last of two members with the same name, as RFC 8259 §4 allows. In a
//! signed or key-carrying document that is a parser differential waiting to happen (RFC 8725
//! §3.1): one implementation reads the first `x`, another the last. JWS headers (RFC 7515 §5.2
//! step 4), JWT claims (RFC 7519 §7.2 step 10) and JWKs (RFC 7517 §4) are therefore read with
//! this module, which refuses the repetition. Names are compared after unescaping, so
//! `"\u0078"` repeats `"x"`.

use core::cell::Cell;
use core::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Why JSON text was refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JsonError {
    /// Not one valid JSON value (RFC 8259), or trailing text after it.
    Syntax,
    /// An object repeats a member name (at any depth).
    DuplicateMember,
    /// The value is not a JSON object where one is required.
    NotAnObject,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Syntax => "not valid JSON",
            Self::DuplicateMember => "an object repeats a member name",
            Self::NotAnObject => "not a JSON object",
        })
    }
}

impl std::error::Error for JsonError {}

/// Parses one JSON value whose objects never repeat a member name. `serde_json` bounds the
/// nesting depth (128), so the recursion cannot exhaust the stack.
///
/// # Errors
/// [`JsonError::DuplicateMember`] for a repeated name anywhere, else [`JsonError::Syntax`].
pub fn unique_value(bytes: &[u8]) -> Result<Value, JsonError> {
    let duplicate = Cell::new(false);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Unique(&duplicate)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    match parsed {
        Ok(v) => Ok(v),
        Err(_) if duplicate.get() => Err(JsonError::DuplicateMember),
        Err(_) => Err(JsonError::Syntax),
    }
}

/// [`unique_value`], which must be an object.
///
/// # Errors
/// As [`unique_value`], and [`JsonError::NotAnObject`].
pub fn unique_object(bytes: &[u8]) -> Result<Map<String, Value>, JsonError> {
    match unique_value(bytes)? {
        Value::Object(map) => Ok(map),
        _ => Err(JsonError::NotAnObject),
    }
}

/// A seed that reads any value and flags a repeated member name in `.0` (the flag, not the
/// error's text, tells the caller why parsing stopped).
#[derive(Clone, Copy)]
struct Unique<'a>(&'a Cell<bool>);

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value without repeated member names")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // serde_json never produces a non-finite float from JSON text.
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| de::Error::custom("non-finite number"))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                self.0.set(true);
                return Err(de::Error::custom("repeated member name"));
            }
            let value = access.next_value_seed(self)?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_names_at_every_depth() {
        for (text, want) in [
            (r#"{"a":1,"b":2}"#, Ok(())),
            (r#"{"a":1,"a":1}"#, Err(JsonError::DuplicateMember)),
            (r#"{"x":1,"\u0078":2}"#, Err(JsonError::DuplicateMember)),
            (
                r#"{"jwk":{"x":"a","x":"b"}}"#,
                Err(JsonError::DuplicateMember),
            ),
            (
                r#"{"a":[{"k":1},{"k":1,"k":2}]}"#,
                Err(JsonError::DuplicateMember),
            ),
            (r#"[{"k":1},{"k":2}]"#, Err(JsonError::NotAnObject)),
            (r#"{"a":1} x"#, Err(JsonError::Syntax)),
            (r#"{"a":1,}"#, Err(JsonError::Syntax)),
            ("", Err(JsonError::Syntax)),
        ] {
            assert_eq!(unique_object(text.as_bytes()).map(drop), want, "{text}");
        }
        // What is accepted is exactly what serde_json reads from the same text.
        let text = br#"{"n":1.5,"i":-3,"u":18446744073709551615,"s":"\u00e9","z":null,"b":[true]}"#;
        let plain: Value = serde_json::from_slice(text).unwrap();
        assert_eq!(unique_value(text), Ok(plain));
    }
}
