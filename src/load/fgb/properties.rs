//! FlatGeobuf feature properties: a sequence of (column index as u16, value)
//! in little endian, the value's width given by the column's type, text and
//! binary values prefixed by their u32 length. Every length is checked
//! against the bytes left; text must be UTF-8, as the format requires.

use std::borrow::Cow;

use flatgeobuf::ColumnType;

use super::super::fields::AttributeTable;

/// One property value, text borrowed from the file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    Null,
    Text(&'a str),
    Int(i64),
    UInt(u64),
    Float(f64),
}

/// Decodes one feature's properties into one value per column (`Null` when absent).
pub fn decode<'a>(bytes: &'a [u8], columns: &[(String, ColumnType)]) -> Result<Vec<Value<'a>>, String> {
    let mut values = vec![Value::Null; columns.len()];
    let mut at = 0;
    let take = |at: &mut usize, n: usize, what: &str| -> Result<&'a [u8], String> {
        let end = at.checked_add(n).filter(|&e| e <= bytes.len()).ok_or_else(|| {
            format!("propriétés tronquées : {n} octets attendus pour {what}, {} restants", bytes.len() - *at)
        })?;
        let s = &bytes[*at..end];
        *at = end;
        Ok(s)
    };
    // Some writers leave one byte after the last value: tolerated, as GDAL and the crate do.
    while at + 1 < bytes.len() {
        let i = take(&mut at, 2, "un numéro de colonne")?;
        let column = usize::from(u16::from_le_bytes([i[0], i[1]]));
        let (name, kind) = columns
            .get(column)
            .ok_or_else(|| format!("colonne {column} inconnue ({} colonnes dans l'en-tête)", columns.len()))?;
        let fixed = |at: &mut usize, n: usize| -> Result<[u8; 8], String> {
            let s = take(at, n, name)?;
            let mut b = [0u8; 8];
            b[..n].copy_from_slice(s);
            Ok(b)
        };
        values[column] = match *kind {
            ColumnType::Bool | ColumnType::UByte => Value::UInt(u64::from(fixed(&mut at, 1)?[0])),
            ColumnType::Byte => Value::Int(i64::from(fixed(&mut at, 1)?[0] as i8)),
            ColumnType::Short => {
                let b = fixed(&mut at, 2)?;
                Value::Int(i64::from(i16::from_le_bytes([b[0], b[1]])))
            }
            ColumnType::UShort => {
                let b = fixed(&mut at, 2)?;
                Value::UInt(u64::from(u16::from_le_bytes([b[0], b[1]])))
            }
            ColumnType::Int => {
                let b = fixed(&mut at, 4)?;
                Value::Int(i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            }
            ColumnType::UInt => {
                let b = fixed(&mut at, 4)?;
                Value::UInt(u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            }
            ColumnType::Float => {
                let b = fixed(&mut at, 4)?;
                Value::Float(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            }
            ColumnType::Long => Value::Int(i64::from_le_bytes(fixed(&mut at, 8)?)),
            ColumnType::ULong => Value::UInt(u64::from_le_bytes(fixed(&mut at, 8)?)),
            ColumnType::Double => Value::Float(f64::from_le_bytes(fixed(&mut at, 8)?)),
            ColumnType::String | ColumnType::Json | ColumnType::DateTime | ColumnType::Binary => {
                let l = take(&mut at, 4, name)?;
                let len = u32::from_le_bytes([l[0], l[1], l[2], l[3]]) as usize;
                let raw = take(&mut at, len, name)?;
                if *kind == ColumnType::Binary {
                    Value::Null
                } else {
                    Value::Text(std::str::from_utf8(raw).map_err(|_| format!("champ {name} : texte non UTF-8"))?)
                }
            }
            other => return Err(format!("champ {name} : type de colonne {} inconnu", other.0)),
        };
    }
    Ok(values)
}

/// The properties of a whole layer, one row of values per feature.
pub struct Table<'a> {
    names: Vec<String>,
    cells: Vec<Value<'a>>,
}

impl<'a> Table<'a> {
    pub fn new(names: Vec<String>, cells: Vec<Value<'a>>) -> Table<'a> {
        Table { names, cells }
    }
}

impl AttributeTable for Table<'_> {
    fn field_names(&self) -> Vec<String> {
        self.names.clone()
    }

    fn len(&self) -> usize {
        self.cells.len().checked_div(self.names.len()).unwrap_or(0)
    }

    fn text(&self, record: usize, field: usize) -> Option<Cow<'_, str>> {
        match *self.cells.get(record * self.names.len() + field)? {
            Value::Null => None,
            Value::Text(t) => Some(t.trim()).filter(|t| !t.is_empty()).map(Cow::Borrowed),
            Value::Int(v) => Some(Cow::Owned(v.to_string())),
            Value::UInt(v) => Some(Cow::Owned(v.to_string())),
            Value::Float(v) => Some(Cow::Owned(v.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn columns() -> Vec<(String, ColumnType)> {
        vec![("code_insee".into(), ColumnType::String), ("population".into(), ColumnType::Int)]
    }

    fn encoded() -> Vec<u8> {
        let mut b = Vec::new();
        b.extend(0u16.to_le_bytes());
        b.extend(5u32.to_le_bytes());
        b.extend(b"01001");
        b.extend(1u16.to_le_bytes());
        b.extend(776i32.to_le_bytes());
        b
    }

    #[test]
    fn reads_text_and_integers_by_column() {
        let bytes = encoded();
        let v = decode(&bytes, &columns()).unwrap();
        assert_eq!(v, [Value::Text("01001"), Value::Int(776)]);
    }

    #[test]
    fn a_length_past_the_end_is_refused() {
        let mut b = encoded();
        b[2..6].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&b, &columns()).unwrap_err().contains("tronquées"));
        let mut b = encoded();
        b[11] = 9;
        assert!(decode(&b, &columns()).unwrap_err().contains("colonne 9 inconnue"));
    }

    proptest! {
        #[test]
        fn arbitrary_properties_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let _ = decode(&bytes, &columns());
        }
    }
}
