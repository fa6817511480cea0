//! Counterexamples in the Informal Trace Format (ITF) of Apalache and Quint
//! (<https://apalache-mc.org/docs/adr/015adr-trace.html>), for tools that replay, view or
//! compare traces: Quint's and Apalache's trace readers, the `itf` crates, the ITF trace viewer.
//!
//! One ITF document per violated property. Its `vars` are the fields of the model's state plus
//! `action`, the step that led to the state in words (`init` for the first). The document's
//! `#meta` names the property, its kind and meaning, the scenario and bounds, and why the
//! property fails at the end of the trace. A violated possibility has no trace (no reachable
//! state satisfies it): its document has no states and no vars, only the verdict in `#meta`.
//!
//! On stdout, the documents of all violated properties are printed one after the other, each
//! pretty-printed and followed by an empty line (a stream `jq` and `serde_json` read as is);
//! nothing is printed when no property is violated.
//!
//! Values are typed as Quint writes them, from the state's Rust type rather than its plain JSON
//! (where an absent vote would be `null`, which ITF has no form for):
//!
//! | Rust | ITF |
//! |---|---|
//! | integers | `{"#bigint": "N"}` (the spec allows it for every integer; one form is simpler to read back) |
//! | `bool`, strings | JSON booleans and strings |
//! | `Vec`, slices | lists (JSON arrays) |
//! | fixed arrays, tuples | `{"#tup": [...]}` |
//! | structs | records (JSON objects) |
//! | maps | `{"#map": [[key, value], ...]}` |
//! | enums, `Option` | variants `{"tag": "Some", "value": ...}`; no payload is the unit `{"#tup": []}` |
//! | floats | `{"#unserializable": "1.5"}` (ITF has no floats; model states have none) |

use serde::ser::{self, Serialize};
use serde_json::{json, Map, Value};

use super::{PropertyResult, Report};

/// Where the format is specified, as the ITF `#meta` cites it.
pub const FORMAT_DESCRIPTION: &str = "https://apalache-mc.org/docs/adr/015adr-trace.html";

/// The variable holding the step that led to a state.
const ACTION: &str = "action";

/// The ITF documents of the violated properties, each followed by an empty line.
pub fn render(report: &Report) -> String {
    report
        .violated()
        .map(|r| render_property(report, r) + "\n")
        .collect()
}

/// One property's ITF document, pretty-printed.
pub fn render_property(report: &Report, result: &PropertyResult) -> String {
    let doc = document(report, result);
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")) + "\n"
}

/// One property's trace as an ITF document.
pub fn document(report: &Report, result: &PropertyResult) -> Value {
    let mut meta = json!({
        "format": "ITF",
        "format-description": FORMAT_DESCRIPTION,
        "source": format!("kcheck {}", env!("CARGO_PKG_VERSION")),
        "description": format!(
            "{} is {}: {}",
            result.property,
            result.verdict.label().to_uppercase(),
            result.why.as_deref().or(result.claim.as_deref()).unwrap_or(result.meaning)
        ),
        "property": result.property,
        "kind": result.kind,
        "meaning": result.meaning,
        "verdict": result.verdict,
        "scenario": report.scenario_text,
        "bounds": report.bounds,
    });
    if let Some(why) = &result.why {
        meta["why"] = json!(why);
    }
    if let Some(dead) = result.dead_states {
        meta["dead-states"] = json!(dead);
    }
    let mut vars: Vec<String> = Vec::new();
    let states: Vec<Value> = result
        .trace
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let mut state = Map::new();
            state.insert("#meta".to_string(), json!({ "index": index }));
            match &step.itf_state {
                Value::Object(fields) => {
                    state.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())))
                }
                // A state that is not a record is one variable of its own.
                other => {
                    state.insert("state".to_string(), other.clone());
                }
            }
            let action = if index == 0 { "init" } else { &step.action };
            state.insert(ACTION.to_string(), json!(action));
            if index == 0 {
                vars = state.keys().filter(|k| *k != "#meta").cloned().collect();
            }
            Value::Object(state)
        })
        .collect();
    json!({ "#meta": meta, "vars": vars, "states": states })
}

/// A value in ITF form, typed by its Rust type (see the module docs for the mapping).
pub fn value<T: Serialize + ?Sized>(v: &T) -> Value {
    v.serialize(Itf)
        .unwrap_or_else(|e| json!({ "#unserializable": e.to_string() }))
}

fn bigint(n: impl ToString) -> Value {
    json!({ "#bigint": n.to_string() })
}

fn unit() -> Value {
    json!({ "#tup": [] })
}

fn variant(tag: &str, value: Value) -> Value {
    json!({ "tag": tag, "value": value })
}

/// A serde serializer that writes ITF values.
struct Itf;

type Error = serde_json::Error;

impl ser::Serializer for Itf {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = MapSer;
    type SerializeStruct = Record;
    type SerializeStructVariant = Record;

    fn serialize_bool(self, v: bool) -> Result<Value, Error> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_u8(self, v: u8) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Value, Error> {
        Ok(bigint(v))
    }
    fn serialize_f32(self, v: f32) -> Result<Value, Error> {
        Ok(json!({ "#unserializable": v.to_string() }))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, Error> {
        Ok(json!({ "#unserializable": v.to_string() }))
    }
    fn serialize_char(self, v: char) -> Result<Value, Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, Error> {
        Ok(Value::Array(v.iter().map(bigint).collect()))
    }
    fn serialize_none(self) -> Result<Value, Error> {
        Ok(variant("None", unit()))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<Value, Error> {
        Ok(variant("Some", v.serialize(Itf)?))
    }
    fn serialize_unit(self) -> Result<Value, Error> {
        Ok(unit())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, Error> {
        Ok(unit())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        tag: &'static str,
    ) -> Result<Value, Error> {
        Ok(variant(tag, unit()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        v: &T,
    ) -> Result<Value, Error> {
        v.serialize(Itf)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        tag: &'static str,
        v: &T,
    ) -> Result<Value, Error> {
        Ok(variant(tag, v.serialize(Itf)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq::new(len, Shape::List))
    }
    fn serialize_tuple(self, len: usize) -> Result<Seq, Error> {
        Ok(Seq::new(Some(len), Shape::Tuple))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Seq, Error> {
        Ok(Seq::new(Some(len), Shape::Tuple))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        tag: &'static str,
        len: usize,
    ) -> Result<Seq, Error> {
        Ok(Seq::new(Some(len), Shape::Variant(tag)))
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapSer, Error> {
        Ok(MapSer {
            pairs: Vec::with_capacity(len.unwrap_or(0)),
            key: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Record, Error> {
        Ok(Record {
            fields: Map::new(),
            tag: None,
        })
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        tag: &'static str,
        _len: usize,
    ) -> Result<Record, Error> {
        Ok(Record {
            fields: Map::new(),
            tag: Some(tag),
        })
    }
}

enum Shape {
    List,
    Tuple,
    Variant(&'static str),
}

struct Seq {
    items: Vec<Value>,
    shape: Shape,
}

impl Seq {
    fn new(len: Option<usize>, shape: Shape) -> Seq {
        Seq {
            items: Vec::with_capacity(len.unwrap_or(0)),
            shape,
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.items.push(v.serialize(Itf)?);
        Ok(())
    }

    fn finish(self) -> Result<Value, Error> {
        Ok(match self.shape {
            Shape::List => Value::Array(self.items),
            Shape::Tuple => json!({ "#tup": self.items }),
            Shape::Variant(tag) => variant(tag, json!({ "#tup": self.items })),
        })
    }
}

/// serde's four sequence shapes all become an ITF list, tuple or variant the same way.
macro_rules! seq_shapes {
    ($($trait:ident :: $method:ident),*) => {$(
        impl ser::$trait for Seq {
            type Ok = Value;
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
                self.push(v)
            }
            fn end(self) -> Result<Value, Error> {
                self.finish()
            }
        }
    )*};
}

seq_shapes!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

struct MapSer {
    pairs: Vec<Value>,
    key: Option<Value>,
}

impl ser::SerializeMap for MapSer {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Error> {
        self.key = Some(k.serialize(Itf)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| <Error as ser::Error>::custom("map value without a key"))?;
        self.pairs.push(json!([key, v.serialize(Itf)?]));
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(json!({ "#map": self.pairs }))
    }
}

struct Record {
    fields: Map<String, Value>,
    tag: Option<&'static str>,
}

impl Record {
    fn field<T: Serialize + ?Sized>(&mut self, name: &'static str, v: &T) -> Result<(), Error> {
        self.fields.insert(name.to_string(), v.serialize(Itf)?);
        Ok(())
    }

    fn finish(self) -> Result<Value, Error> {
        let record = Value::Object(self.fields);
        Ok(match self.tag {
            Some(tag) => variant(tag, record),
            None => record,
        })
    }
}

/// A struct and a struct variant are both an ITF record (the variant then tagged).
macro_rules! record_shapes {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Record {
            type Ok = Value;
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                name: &'static str,
                v: &T,
            ) -> Result<(), Error> {
                self.field(name, v)
            }
            fn end(self) -> Result<Value, Error> {
                self.finish()
            }
        }
    )*};
}

record_shapes!(SerializeStruct, SerializeStructVariant);

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;
    use serde_json::{json, Value};

    use super::value;

    fn has_null(v: &Value) -> bool {
        match v {
            Value::Null => true,
            Value::Array(items) => items.iter().any(has_null),
            Value::Object(fields) => fields.values().any(has_null),
            _ => false,
        }
    }

    #[test]
    fn every_integer_is_a_bigint_string() {
        assert_eq!(value(&0u8), json!({"#bigint": "0"}));
        assert_eq!(value(&-3i32), json!({"#bigint": "-3"}));
        // Beyond JSON's safe integers, the reason ITF has #bigint at all.
        assert_eq!(value(&u64::MAX), json!({"#bigint": "18446744073709551615"}));
        assert_eq!(
            value(&i128::MIN),
            json!({"#bigint": "-170141183460469231731687303715884105728"})
        );
    }

    #[test]
    fn sequences_nest_as_lists_and_arrays_as_tuples() {
        assert_eq!(
            value(&vec![vec![1u8, 2], vec![], vec![3]]),
            json!([
                [{"#bigint": "1"}, {"#bigint": "2"}],
                [],
                [{"#bigint": "3"}]
            ])
        );
        assert_eq!(
            value(&[[true, false], [false, true]]),
            json!({"#tup": [{"#tup": [true, false]}, {"#tup": [false, true]}]})
        );
        assert_eq!(value(&(1u8, "a")), json!({"#tup": [{"#bigint": "1"}, "a"]}));
    }

    #[test]
    fn absent_values_are_variants_never_null() {
        assert_eq!(
            value(&None::<u8>),
            json!({"tag": "None", "value": {"#tup": []}})
        );
        assert_eq!(
            value(&Some(2u8)),
            json!({"tag": "Some", "value": {"#bigint": "2"}})
        );
        let nested = vec![Some(vec![None, Some(1u8)]), None];
        assert!(!has_null(&value(&nested)), "{}", value(&nested));
        // Even a JSON null given as data is written as the unit value.
        assert_eq!(value(&Value::Null), json!({"#tup": []}));
        assert_eq!(
            value(&json!({"a": null, "b": [1, null]})),
            json!({"#map": [
                ["a", {"#tup": []}],
                ["b", [{"#bigint": "1"}, {"#tup": []}]]
            ]})
        );
    }

    #[test]
    fn structs_are_records_enums_variants_maps_pairs() {
        #[derive(Serialize)]
        enum Network {
            Whole,
            Split { side: u8 },
        }
        #[derive(Serialize)]
        struct State {
            vote: Option<u8>,
            network: Network,
            healed: Network,
            by_id: BTreeMap<u8, String>,
        }
        let state = State {
            vote: None,
            network: Network::Split { side: 1 },
            healed: Network::Whole,
            by_id: BTreeMap::from([(1, "m2".to_string())]),
        };
        assert_eq!(
            value(&state),
            json!({
                "vote": {"tag": "None", "value": {"#tup": []}},
                "network": {"tag": "Split", "value": {"side": {"#bigint": "1"}}},
                "healed": {"tag": "Whole", "value": {"#tup": []}},
                "by_id": {"#map": [[{"#bigint": "1"}, "m2"]]},
            })
        );
    }

    #[test]
    fn floats_have_no_itf_form() {
        assert_eq!(value(&1.5f64), json!({"#unserializable": "1.5"}));
    }
}
