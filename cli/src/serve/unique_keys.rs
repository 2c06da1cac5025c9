//! A JSON body with a key given twice in one object is refused before anything is decided or
//! logged: read as a `serde_json::Value`, the last copy would win silently, while `policy run`
//! refuses the same object.

use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};

/// The first key given twice in one object of `text`, with serde_json's error (which has the
/// line and column); `None` if there is none, or if `text` is not JSON (reading it as a value
/// says why)
pub(super) fn repeated_key(text: &str) -> Option<(String, serde_json::Error)> {
    let found = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    match (Unique { found: &found }).deserialize(&mut de) {
        Err(e) => found.into_inner().map(|key| (key, e)),
        Ok(()) => None,
    }
}

#[derive(Clone, Copy)]
struct Unique<'a> {
    found: &'a RefCell<Option<String>>,
}

impl<'de> DeserializeSeed<'de> for Unique<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Unique<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if !seen.insert(key.clone()) {
                let message = format!("the key `{key}` is given twice in one object");
                *self.found.borrow_mut() = Some(key);
                return Err(A::Error::custom(message));
            }
            map.next_value_seed(self)?;
        }
        Ok(())
    }
}
