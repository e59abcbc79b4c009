//! A direct reader of dBase III tables (the `.dbf` of a shapefile).
//!
//! Why not `dbase::Reader`: it builds a `HashMap<String, FieldValue>` per
//! record and decodes every field, which took 130 ms for the 34 875 records
//! of the national layer — more than reading the geometries. A DBF is a
//! fixed-width table: slicing the few fields we need and decoding only those
//! takes a few milliseconds. Layout: 32-byte header (record count at 4,
//! header length at 8, record length at 10), 32-byte field descriptors up to
//! a 0x0D byte, then records starting with a deletion flag.

use std::borrow::Cow;

/// One column of the table.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub kind: u8,
    offset: usize,
    length: usize,
}

/// A whole table in memory, fields located, values decoded on demand.
#[derive(Debug)]
pub struct Dbf {
    bytes: Vec<u8>,
    pub fields: Vec<Field>,
    header_len: usize,
    record_len: usize,
    count: usize,
    encoding: &'static encoding_rs::Encoding,
}

impl Dbf {
    /// Parses the header; the error says what is wrong with the file.
    pub fn parse(bytes: Vec<u8>, encoding: &'static encoding_rs::Encoding) -> Result<Dbf, String> {
        if bytes.len() < 32 {
            return Err(format!("fichier .dbf trop court ({} octets)", bytes.len()));
        }
        let u16_at = |i: usize| usize::from(u16::from_le_bytes([bytes[i], bytes[i + 1]]));
        let count = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let (header_len, record_len) = (u16_at(8), u16_at(10));
        let mut fields = Vec::new();
        let mut offset = 1; // the deletion flag
        let mut at = 32;
        while at + 32 <= header_len.min(bytes.len()) && bytes[at] != 0x0D {
            let d = &bytes[at..at + 32];
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let name = String::from_utf8_lossy(&d[..name_end]).trim().to_string();
            let length = usize::from(d[16]);
            fields.push(Field { name, kind: d[11], offset, length });
            offset += length;
            at += 32;
        }
        if offset > record_len {
            return Err(format!(
                "en-tête .dbf incohérent : champs de {offset} octets pour des enregistrements de {record_len}"
            ));
        }
        let needed = header_len + count * record_len;
        if bytes.len() < needed {
            return Err(format!(
                "fichier .dbf tronqué : {count} enregistrements annoncés, {} octets au lieu d'au moins {needed}",
                bytes.len()
            ));
        }
        Ok(Dbf { bytes, fields, header_len, record_len, count, encoding })
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Index of the first field named like one of `aliases` (without case).
    pub fn field(&self, aliases: &[&str]) -> Option<usize> {
        aliases.iter().find_map(|a| self.fields.iter().position(|f| f.name.eq_ignore_ascii_case(a)))
    }

    /// The value of a field, decoded and trimmed; `None` when blank.
    pub fn text(&self, record: usize, field: usize) -> Option<Cow<'_, str>> {
        let f = &self.fields[field];
        let start = self.header_len + record * self.record_len + f.offset;
        let raw = &self.bytes[start..start + f.length];
        let raw = raw.split(|&b| b == 0).next().unwrap_or(raw);
        let text = self.encoding.decode_without_bom_handling(raw).0;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            None
        } else if trimmed.len() == text.len() {
            Some(text)
        } else {
            Some(Cow::Owned(trimmed.to_string()))
        }
    }

    /// The names of all fields, for error messages.
    pub fn field_names(&self) -> Vec<String> {
        self.fields.iter().map(|f| f.name.clone()).collect()
    }
}

impl super::fields::AttributeTable for Dbf {
    fn field_names(&self) -> Vec<String> {
        Dbf::field_names(self)
    }

    fn len(&self) -> usize {
        self.count
    }

    fn text(&self, record: usize, field: usize) -> Option<Cow<'_, str>> {
        Dbf::text(self, record, field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A two-field table written by hand: NOM C(10), POP N(6).
    fn table(records: &[(&[u8], &[u8])]) -> Vec<u8> {
        let mut b = vec![0u8; 32];
        b[0] = 3;
        b[4..8].copy_from_slice(&(records.len() as u32).to_le_bytes());
        b[8..10].copy_from_slice(&(32u16 * 3 + 1).to_le_bytes());
        b[10..12].copy_from_slice(&17u16.to_le_bytes());
        for (name, kind, len) in [(&b"NOM"[..], b'C', 10u8), (b"POP", b'N', 6)] {
            let mut d = [0u8; 32];
            d[..name.len()].copy_from_slice(name);
            d[11] = kind;
            d[16] = len;
            b.extend_from_slice(&d);
        }
        b.push(0x0D);
        for (nom, pop) in records {
            b.push(b' ');
            b.extend_from_slice(nom);
            b.extend_from_slice(pop);
        }
        b
    }

    #[test]
    fn reads_fixed_width_fields_with_their_encoding() {
        let bytes = table(&[(b"Paimb\x9cuf  ", b"  3215"), (b"          ", b"******")]);
        let dbf = Dbf::parse(bytes, encoding_rs::WINDOWS_1252).unwrap();
        assert_eq!(dbf.len(), 2);
        let (nom, pop) = (dbf.field(&["nom"]).unwrap(), dbf.field(&["POP"]).unwrap());
        assert_eq!(dbf.text(0, nom).as_deref(), Some("Paimbœuf"));
        assert_eq!(dbf.text(0, pop).as_deref(), Some("3215"));
        assert_eq!(dbf.text(1, nom), None);
        assert_eq!(dbf.text(1, pop).as_deref(), Some("******"));
    }

    #[test]
    fn a_truncated_table_is_refused() {
        let mut bytes = table(&[(b"Alpha     ", b"     1")]);
        bytes.truncate(bytes.len() - 3);
        assert!(Dbf::parse(bytes, encoding_rs::UTF_8).unwrap_err().contains("tronqué"));
    }
}
