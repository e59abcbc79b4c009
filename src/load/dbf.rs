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
    /// Parses and checks the header; the error says what is wrong with the file.
    ///
    /// Everything the reading of values relies on is checked first: field
    /// lengths (none empty, their sum plus the deletion flag making exactly
    /// the record length), the header terminator, the record count against
    /// the bytes present (neither fewer nor more), and each record's deletion
    /// flag — a shifted layout would otherwise read every later column from
    /// the wrong bytes, and silently give wrong figures.
    pub fn parse(bytes: Vec<u8>, encoding: &'static encoding_rs::Encoding) -> Result<Dbf, String> {
        if bytes.len() < 33 {
            return Err(format!("fichier .dbf trop court ({} octets)", bytes.len()));
        }
        let u16_at = |i: usize| usize::from(u16::from_le_bytes([bytes[i], bytes[i + 1]]));
        let count = u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize;
        let (header_len, record_len) = (u16_at(8), u16_at(10));
        if header_len > bytes.len() {
            return Err(format!("en-tête .dbf de {header_len} octets annoncé, fichier de {} octets", bytes.len()));
        }
        let mut fields: Vec<Field> = Vec::new();
        let mut offset = 1; // the deletion flag
        let mut at = 32;
        loop {
            match bytes.get(at) {
                Some(0x0D) => break,
                Some(_) if at + 32 <= header_len => {}
                _ => return Err("en-tête .dbf sans fin de liste des champs (octet 0x0D)".into()),
            }
            let d = &bytes[at..at + 32];
            let name_end = d[..11].iter().position(|&b| b == 0).unwrap_or(11);
            let name = String::from_utf8_lossy(&d[..name_end]).trim().to_string();
            let length = usize::from(d[16]);
            let n = fields.len() + 1;
            if name.is_empty() {
                return Err(format!("champ n° {n} du .dbf sans nom"));
            }
            if length == 0 {
                return Err(format!("champ {name} du .dbf de longueur 0 : en-tête endommagé"));
            }
            if fields.iter().any(|f| f.name.eq_ignore_ascii_case(&name)) {
                return Err(format!("champ {name} en double dans le .dbf"));
            }
            fields.push(Field { name, kind: d[11], offset, length });
            offset += length;
            at += 32;
        }
        if offset != record_len {
            return Err(format!(
                "en-tête .dbf incohérent : les champs font {} octets (+ 1 d'effacement) pour des enregistrements de {record_len}",
                offset - 1
            ));
        }
        let needed = count.checked_mul(record_len).and_then(|n| n.checked_add(header_len)).unwrap_or(usize::MAX);
        if bytes.len() < needed {
            return Err(format!(
                "fichier .dbf tronqué : {count} enregistrements annoncés, {} octets au lieu d'au moins {needed}",
                bytes.len()
            ));
        }
        // Past the records: nothing, or the end-of-file byte 0x1A (some writers pad a little).
        let extra = bytes.len() - needed;
        if extra >= record_len.max(2) {
            return Err(format!(
                "le .dbf contient {extra} octets de plus que ses {count} enregistrements annoncés : nombre d'enregistrements endommagé ?"
            ));
        }
        if let Some(n) = (0..count).find(|n| !matches!(bytes[header_len + n * record_len], b' ' | b'*')) {
            return Err(format!(
                "enregistrement {} du .dbf mal aligné (marque d'effacement 0x{:02X}) : en-tête ou longueurs endommagés",
                n + 1,
                bytes[header_len + n * record_len]
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
    fn a_field_of_length_zero_is_refused() {
        let mut bytes = table(&[(b"Alpha     ", b"     1")]);
        bytes[32 + 16] = 0;
        assert!(Dbf::parse(bytes, encoding_rs::UTF_8).unwrap_err().contains("longueur 0"));
    }

    #[test]
    fn field_lengths_must_add_up_to_the_record_length() {
        let mut bytes = table(&[(b"Alpha     ", b"     1")]);
        bytes[64 + 16] = 5; // POP N(5) while records are still 17 bytes
        let err = Dbf::parse(bytes, encoding_rs::UTF_8).unwrap_err();
        assert!(err.contains("15 octets") && err.contains("17"), "{err}");
    }

    #[test]
    fn a_record_count_that_hides_records_is_refused() {
        let mut bytes = table(&[(b"Alpha     ", b"     1"), (b"Beta      ", b"     2")]);
        bytes[4..8].copy_from_slice(&1u32.to_le_bytes());
        assert!(Dbf::parse(bytes, encoding_rs::UTF_8).unwrap_err().contains("de plus"));
    }

    #[test]
    fn every_header_byte_flipped_gives_an_error_or_the_same_values() {
        let bytes = table(&[(b"Paimb\x9cuf  ", b"  3215"), (b"Beta      ", b"    42")]);
        let intact = Dbf::parse(bytes.clone(), encoding_rs::WINDOWS_1252).unwrap();
        let values = |d: &Dbf| -> Vec<Option<String>> {
            (0..d.len())
                .flat_map(|r| (0..d.fields.len()).map(move |f| (r, f)))
                .map(|(r, f)| d.text(r, f).map(|t| t.into_owned()))
                .collect()
        };
        for at in 0..98 {
            for bit in [0x01u8, 0x10, 0x80] {
                let mut flipped = bytes.clone();
                flipped[at] ^= bit;
                if let Ok(d) = Dbf::parse(flipped, encoding_rs::WINDOWS_1252)
                    && d.field_names() == intact.field_names()
                    && d.len() == intact.len()
                {
                    assert_eq!(values(&d), values(&intact), "byte {at} ^ {bit:#x} read other values");
                }
            }
        }
    }

    #[test]
    fn a_truncated_table_is_refused() {
        let mut bytes = table(&[(b"Alpha     ", b"     1")]);
        bytes.truncate(bytes.len() - 3);
        assert!(Dbf::parse(bytes, encoding_rs::UTF_8).unwrap_err().contains("tronqué"));
    }
}
