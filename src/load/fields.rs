//! The attributes of commune and arrondissement layers, whatever the file
//! format: field names of IGN ADMIN EXPRESS 2.x, 3.x (upper case, shapefile)
//! and 4.0 (lower case, GeoPackage and FlatGeobuf), matched without case,
//! and values parsed into a [`LayerRecord`] with errors naming the record.
//!
//! Each format only has to expose its table through [`AttributeTable`].

use std::borrow::Cow;
use std::path::Path;

use super::InputError;
use crate::commune::InseeCode;
use crate::geometry::Measure;
use crate::text::listing;
use geo::MultiPolygon;

/// Which layer a file holds: communes, or arrondissements municipaux.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayerKind {
    Communes,
    Arrondissements,
}

/// One record of a layer, attributes parsed, contour in WGS84.
#[derive(Debug, Clone)]
pub struct LayerRecord {
    pub code: InseeCode,
    pub name: String,
    pub population: Option<u64>,
    pub departement: Option<String>,
    pub region: Option<String>,
    pub epcis: Vec<String>,
    /// For arrondissements: the city they belong to.
    pub city: Option<InseeCode>,
    /// Exteriors counter-clockwise, holes clockwise; `None` without a contour.
    pub contour: Option<MultiPolygon<f64>>,
    /// Box and area of the contour, when the reader measured it on the way.
    pub measure: Option<Measure>,
}

/// A table of text attributes, record by record (a DBF, a GeoPackage table…).
pub trait AttributeTable {
    fn field_names(&self) -> Vec<String>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The value of a field, trimmed; `None` when blank or NULL.
    fn text(&self, record: usize, field: usize) -> Option<Cow<'_, str>>;
}

/// Values ADMIN EXPRESS writes for "unknown".
const UNKNOWN: [&str; 4] = ["NR", "NC", "ZZZZZZZZZ", ""];

/// Field names per role, in order of preference (compared without case).
const COMMUNE_CODE: &[&str] = &["INSEE_COM", "code_insee", "INSEE", "CODGEO"];
const ARRONDISSEMENT_CODE: &[&str] = &["INSEE_ARM", "code_insee"];
/// The parent city of an arrondissement: 3.x `INSEE_COM`, 4.0 `code_insee_de_la_commune_de_rattach`
/// (IGN truncates the name, even in the GeoPackage).
const ARRONDISSEMENT_CITY: &[&str] =
    &["INSEE_COM", "code_insee_de_la_commune_de_rattach", "code_insee_de_la_commune_de_rattachement", "insee_rattach"];
const NAME: &[&str] = &["NOM", "NOM_COM", "nom_officiel", "NOM_M", "nom_officiel_en_majuscules"];
const POPULATION: &[&str] = &["POPULATION", "PMUN", "population"];
const DEPARTEMENT: &[&str] = &["INSEE_DEP", "code_insee_du_departement"];
const REGION: &[&str] = &["INSEE_REG", "code_insee_de_la_region"];
const EPCI: &[&str] = &["SIREN_EPCI", "codes_siren_des_epci", "CODE_EPCI"];

/// Where each role sits in a table.
struct Fields {
    code: usize,
    name: Option<usize>,
    population: Option<usize>,
    departement: Option<usize>,
    region: Option<usize>,
    epci: Option<usize>,
    city: Option<usize>,
}

/// Index of the first field named like one of `aliases` (without case).
pub fn find(names: &[String], aliases: &[&str]) -> Option<usize> {
    aliases.iter().find_map(|a| names.iter().position(|n| n.eq_ignore_ascii_case(a)))
}

fn resolve(path: &Path, names: &[String], kind: LayerKind) -> Result<Fields, InputError> {
    let (code, city) = match kind {
        LayerKind::Communes => (find(names, COMMUNE_CODE), None),
        // 3.x and 4.0: own code + parent; 2.x: INSEE_COM (own code) + INSEE_RATT (parent)
        LayerKind::Arrondissements => match find(names, ARRONDISSEMENT_CODE) {
            Some(c) => (Some(c), find(names, ARRONDISSEMENT_CITY)),
            None => (find(names, &["INSEE_COM"]), find(names, &["INSEE_RATT"])),
        },
    };
    let code = code.ok_or_else(|| {
        let expected = match kind {
            LayerKind::Communes => "INSEE_COM (ou code_insee)",
            LayerKind::Arrondissements => "INSEE_ARM ou code_insee (ou INSEE_COM avec INSEE_RATT)",
        };
        InputError::file(path, format!("champ {expected} introuvable ; champs présents : {}", listing(names)))
    })?;
    Ok(Fields {
        code,
        name: find(names, NAME),
        population: find(names, POPULATION),
        departement: find(names, DEPARTEMENT),
        region: find(names, REGION),
        epci: find(names, EPCI),
        city,
    })
}

/// Parses every record of a commune or arrondissement table (contours left empty).
pub fn read_records(path: &Path, table: &dyn AttributeTable, kind: LayerKind) -> Result<Vec<LayerRecord>, InputError> {
    let names = table.field_names();
    let fields = resolve(path, &names, kind)?;
    let mut out = Vec::with_capacity(table.len());
    for n in 0..table.len() {
        let at = |message: String| InputError::Record { path: path.to_path_buf(), record: n + 1, message };
        let text = |idx: Option<usize>| {
            idx.and_then(|f| table.text(n, f)).map(|v| v.into_owned()).filter(|v| !UNKNOWN.contains(&v.as_str()))
        };
        let code_text = text(Some(fields.code)).unwrap_or_default();
        let code = code_text
            .parse::<InseeCode>()
            .map_err(|_| at(format!("{} = « {code_text} » : code INSEE attendu", names[fields.code])))?;
        let population = match text(fields.population) {
            None => None,
            Some(v) => parse_count(&v).map_err(|v| at(format!("population = « {v} » : nombre entier attendu")))?,
        };
        let city = match text(fields.city) {
            Some(c) => Some(c.parse::<InseeCode>().map_err(|e| at(e.to_string()))?),
            None if kind == LayerKind::Arrondissements => {
                return Err(at("commune de rattachement (INSEE_COM ou INSEE_RATT) manquante".into()));
            }
            None => None,
        };
        out.push(LayerRecord {
            code,
            name: text(fields.name).unwrap_or_else(|| code.to_string()),
            population,
            departement: text(fields.departement),
            region: text(fields.region),
            epcis: text(fields.epci).map(|e| split_epcis(&e)).unwrap_or_default(),
            city,
            contour: None,
            measure: None,
        });
    }
    Ok(out)
}

/// EPCI SIREN codes: one, or several separated by `/` (ADMIN EXPRESS 4.0).
fn split_epcis(text: &str) -> Vec<String> {
    text.split('/').map(|s| s.trim().to_string()).filter(|s| !UNKNOWN.contains(&s.as_str())).collect()
}

/// A population: a non-negative whole number (`1500`, `1500.000`, `1 500`),
/// or nothing (blank or `*****`, the DBF spelling of NULL).
pub fn parse_count(text: &str) -> Result<Option<u64>, String> {
    let t: String = text.chars().filter(|c| !c.is_whitespace() && *c != '\u{202f}').collect();
    if t.is_empty() || t.bytes().all(|b| b == b'*') {
        return Ok(None);
    }
    let n: f64 = t.parse().map_err(|_| text.to_string())?;
    if n >= 0.0 && n.fract() == 0.0 && n < 1e12 { Ok(Some(n as u64)) } else { Err(text.to_string()) }
}

#[cfg(test)]
impl LayerRecord {
    /// A record with only what the gazetteer and search tests look at.
    pub(crate) fn bare(code: &str, name: &str, population: u64, city: Option<&str>) -> LayerRecord {
        LayerRecord {
            code: code.parse().unwrap(),
            name: name.to_string(),
            population: Some(population),
            departement: None,
            region: None,
            epcis: Vec::new(),
            city: city.map(|c| c.parse().unwrap()),
            contour: None,
            measure: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rows(Vec<&'static str>, Vec<Vec<&'static str>>);

    impl AttributeTable for Rows {
        fn field_names(&self) -> Vec<String> {
            self.0.iter().map(|s| s.to_string()).collect()
        }
        fn len(&self) -> usize {
            self.1.len()
        }
        fn text(&self, record: usize, field: usize) -> Option<Cow<'_, str>> {
            Some(self.1[record][field]).filter(|v| !v.is_empty()).map(Cow::Borrowed)
        }
    }

    #[test]
    fn reads_the_lower_case_fields_of_admin_express_4() {
        let table = Rows(
            vec!["code_insee", "nom_officiel", "population", "code_insee_du_departement", "codes_siren_des_epci"],
            vec![vec!["01001", "L'Abergement-Clémenciat", "776", "01", "200069193/200040350"]],
        );
        let r = read_records(Path::new("x.gpkg"), &table, LayerKind::Communes).unwrap();
        assert_eq!(r[0].name, "L'Abergement-Clémenciat");
        assert_eq!(r[0].population, Some(776));
        assert_eq!(r[0].epcis, ["200069193", "200040350"]);
    }

    #[test]
    fn arrondissements_of_4_0_name_their_city_with_the_truncated_field() {
        let table = Rows(
            vec!["code_insee", "code_insee_de_la_commune_de_rattach", "nom_officiel"],
            vec![vec!["75101", "75056", "Paris 1er Arrondissement"]],
        );
        let r = read_records(Path::new("x.gpkg"), &table, LayerKind::Arrondissements).unwrap();
        assert_eq!(r[0].city.unwrap().as_str(), "75056");
    }

    #[test]
    fn a_missing_code_field_names_the_fields_present() {
        let table = Rows(vec!["nom"], vec![]);
        let err = read_records(Path::new("x.shp"), &table, LayerKind::Communes).unwrap_err().to_string();
        assert!(err.contains("INSEE_COM") && err.contains("nom"), "{err}");
    }
}
