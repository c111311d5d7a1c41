//! Fingerprinting a page's variables straight from the structs they are made from, through
//! serde, without making them into template values first: a rebuild in `serve` fingerprints
//! every page and renders only the few whose fingerprint changed, so making the values of the
//! others was most of its time (see `Make`).
//!
//! Everything is written in a form no other value has, like `Fingerprinter::value` does: a tag
//! per kind, strings with their length, and sequences and maps closed by an end tag, so that a
//! field moving from one struct to the next changes the fingerprint, with the tags of
//! `super::tag`, the same as `Fingerprinter::value`'s where the kinds are. A template value inside a struct
//! (the shared link values) is written by its contents, through its own `Serialize`.

use serde::ser::{self, Serialize};

use super::Fingerprinter;
use super::tag::{self, END_MAP, END_SEQ};

/// Writes a serializable value into a fingerprinter.
pub(super) struct Printer<'a>(pub &'a mut Fingerprinter);

/// The fingerprint of one serializable value.
pub(super) fn of<T: Serialize + ?Sized>(value: &T) -> u64 {
    let mut f = Fingerprinter::default();
    value.serialize(Printer(&mut f)).expect("fingerprinting does not fail");
    f.finish()
}

/// Serializing into a fingerprint does not fail; serde asks for an error type all the same
/// (and a struct's own `Serialize` may make one).
#[derive(Debug)]
pub(super) struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl Printer<'_> {
    fn int(self, i: i128) -> Result<(), Error> {
        self.0.bytes(tag::INT, &i.to_le_bytes());
        Ok(())
    }

    /// A map of one entry, `variant` → what follows (how templates see an enum's data).
    fn variant(self, variant: &str) -> Self {
        self.0.buf.push(tag::MAP);
        self.0.bytes(tag::KEY, variant.as_bytes());
        self
    }
}

impl<'a> ser::Serializer for Printer<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    /// Not: a value may write a compact form of what makes it (`view::DateView` does), as long
    /// as every difference a template could show is a difference here.
    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.0.buf.extend_from_slice(&[tag::BOOL, u8::from(v)]);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        self.int(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.int(v.into())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        self.0.bytes(tag::U128, &v.to_le_bytes());
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.serialize_f64(v.into())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.0.bytes(tag::FLOAT, &v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.0.bytes(tag::STR, v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.0.bytes(tag::BYTES, v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.0.buf.push(tag::NONE);
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        let p = self.variant(variant);
        value.serialize(Printer(p.0))?;
        p.0.buf.push(END_MAP);
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self, Error> {
        self.0.buf.push(tag::SEQ);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Self, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self, Error> {
        let p = self.variant(variant);
        p.0.buf.push(tag::SEQ);
        Ok(p)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self, Error> {
        self.0.buf.push(tag::MAP);
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self, Error> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, variant: &'static str, _: usize) -> Result<Self, Error> {
        let p = self.variant(variant);
        p.0.buf.push(tag::MAP);
        Ok(p)
    }
}

impl ser::SerializeSeq for Printer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Printer(self.0))
    }
    fn end(self) -> Result<(), Error> {
        self.0.buf.push(END_SEQ);
        Ok(())
    }
}

impl ser::SerializeTuple for Printer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Printer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for Printer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        self.0.buf.extend_from_slice(&[END_SEQ, END_MAP]);
        Ok(())
    }
}

impl ser::SerializeMap for Printer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        key.serialize(Printer(self.0))
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(Printer(self.0))
    }
    fn end(self) -> Result<(), Error> {
        self.0.buf.push(END_MAP);
        Ok(())
    }
}

impl ser::SerializeStruct for Printer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        self.0.bytes(tag::KEY, key.as_bytes());
        value.serialize(Printer(self.0))
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeMap::end(self)
    }
}

impl ser::SerializeStructVariant for Printer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.0.buf.extend_from_slice(&[END_MAP, END_MAP]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn print<T: Serialize>(value: &T) -> u64 {
        of(value)
    }

    #[derive(serde::Serialize)]
    struct Two<'a> {
        a: Vec<&'a str>,
        b: Vec<&'a str>,
    }

    #[test]
    fn what_templates_could_tell_apart_prints_apart() {
        // The same data, the same print; each pair below renders differently somewhere.
        assert_eq!(print(&Two { a: vec!["x"], b: vec![] }), print(&Two { a: vec!["x"], b: vec![] }));
        let pairs: Vec<(u64, u64)> = vec![
            (print(&Two { a: vec!["x"], b: vec![] }), print(&Two { a: vec![], b: vec!["x"] })),
            (print(&vec!["ab"]), print(&vec!["a", "b"])),
            (print(&None::<&str>), print(&Some(""))),
            (print(&Some(0u8)), print(&Some(false))),
            (print(&1u64), print(&"1")),
            (print(&vec![vec![1u8], vec![]]), print(&vec![vec![], vec![1u8]])),
            (print(&std::collections::BTreeMap::from([("k", "v")])), print(&vec!["k", "v"])),
        ];
        for (i, (a, b)) in pairs.into_iter().enumerate() {
            assert_ne!(a, b, "pair {i}");
        }
    }

    #[test]
    fn dates_print_by_what_their_forms_show() {
        use crate::render::view::DateView;
        let date = |s: &str| DateView::new(&chrono::DateTime::parse_from_rfc3339(s).unwrap());
        let noon = "2025-03-05T12:00:00+00:00";
        assert_eq!(print(&date(noon)), print(&date(noon)));
        // The same instant placed in another zone, and a nanosecond later (RFC 3339 shows both).
        for other in ["2025-03-05T13:00:00+01:00", "2025-03-05T12:00:00.000000001+00:00"] {
            assert_ne!(print(&date(noon)), print(&date(other)), "{other}");
        }
        // Made into a template value, a date is its forms.
        let value = tera::Value::from_serializable(&date("2025-03-05T13:07:00+01:00"));
        let form = |k: &str| value.as_map().unwrap().get(&tera::value::Key::Str(k)).unwrap().to_string();
        assert_eq!(
            [form("iso"), form("day"), form("human"), form("time")],
            ["2025-03-05T13:07:00+01:00", "2025-03-05", "5 March 2025", "13:07"]
        );
    }
}
