//! CPTS territories drawn as polygons: the Santégraphie layer "CPTS et
//! projets de CPTS" (GeoJSON in EPSG:4326, 3857 or 2154) or a shapefile.
//!
//! Field names change between vintages, so the name, stage, id and ACI date
//! fields are detected among the usual spellings, and each can be forced.
//! Which communes a polygon holds is decided later, by area
//! ([`crate::membership`]).

use std::collections::HashMap;
use std::path::Path;

use geo::{BoundingRect, MapCoords, MultiPolygon};
use serde_json::Value;

use super::crs::Crs;
use super::shapefile::read_features;
use super::{InputError, decode_text, read_bytes};
use crate::diagnostics::Warning;
use crate::geometry::orient;
use crate::territory::{IsoDate, Stage};
use crate::text::column_key;
use crate::text::listing;

const ID: &[&str] = &["cpts_id", "id_cpts", "id", "identifiant", "code_cpts", "code", "numero_cpts", "finess"];
const NAME: &[&str] =
    &["nom_cpts", "cpts_nom", "nom", "libelle", "libelle_cpts", "name", "cpts", "nom_de_la_cpts", "raison_sociale"];
const STAGE: &[&str] =
    &["statut", "statut_cpts", "etat", "etat_d_avancement", "avancement", "stade", "etape", "status"];
const DATE: &[&str] = &["date_signature_aci", "date_aci", "date_de_signature_aci", "date_signature"];

/// Which properties to read, when detection is not enough.
#[derive(Debug, Clone, Default)]
pub struct FieldChoice {
    pub id: Option<String>,
    pub name: Option<String>,
    pub stage: Option<String>,
    pub date: Option<String>,
    /// EPSG code of the coordinates when the file does not say it.
    pub crs: Option<u32>,
}

/// A territory as drawn, before its units are known.
#[derive(Debug, Clone)]
pub struct DrawnTerritory {
    pub id: String,
    pub name: String,
    pub stage: Stage,
    pub aci_date: Option<IsoDate>,
    /// WGS84, exteriors counter-clockwise.
    pub area: MultiPolygon<f64>,
    /// `file, entité N` for messages.
    pub location: String,
}

/// Whether a path holds drawn territories rather than a list.
pub fn is_polygon_file(path: &Path) -> bool {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    matches!(ext.as_str(), "geojson" | "json" | "shp")
}

/// One feature: its properties as text, and its geometry in the file's CRS.
struct RawFeature {
    properties: HashMap<String, String>,
    geometry: Option<MultiPolygon<f64>>,
}

pub fn read_drawn_territories(
    path: &Path,
    choice: &FieldChoice,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<DrawnTerritory>, InputError> {
    let is_shp = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("shp"));
    let features = if is_shp { read_shapefile(path, warnings)? } else { read_geojson(path, choice)? };
    if features.is_empty() {
        return Err(InputError::file(path, "aucune entité : le fichier ne dessine aucune CPTS"));
    }
    let keys: Vec<String> = {
        let mut k: Vec<String> = features.iter().flat_map(|f| f.properties.keys().cloned()).collect();
        k.sort();
        k.dedup();
        k
    };
    let pick = |forced: &Option<String>, aliases: &[&str], flag: &str| -> Result<Option<String>, InputError> {
        match forced {
            Some(f) if keys.contains(&column_key(f)) => Ok(Some(column_key(f))),
            Some(f) => Err(InputError::file(
                path,
                format!("{flag} {f} : propriété absente ; propriétés présentes : {}", listing(&keys)),
            )),
            None => Ok(aliases.iter().find(|a| keys.iter().any(|k| k == *a)).map(|a| a.to_string())),
        }
    };
    let stage_key = pick(&choice.stage, STAGE, "--cpts-stage-field")?.ok_or_else(|| {
        InputError::file(
            path,
            format!(
                "propriété de statut introuvable (noms reconnus : {}) ; propriétés présentes : {} ; choisissez-la avec --cpts-stage-field",
                STAGE.join(", "),
                listing(&keys)
            ),
        )
    })?;
    let name_key = pick(&choice.name, NAME, "--cpts-name-field")?;
    let id_key = pick(&choice.id, ID, "--cpts-id-field")?;
    let date_key = pick(&choice.date, DATE, "--cpts-date-field")?;
    let mut out = Vec::new();
    for (i, f) in features.into_iter().enumerate() {
        let location = format!("{}, entité {}", path.display(), i + 1);
        let at = |message: String| InputError::Record { path: path.to_path_buf(), record: i + 1, message };
        let get = |key: &Option<String>| {
            key.as_ref().and_then(|k| f.properties.get(k)).map(|v| v.trim()).filter(|v| !v.is_empty())
        };
        let name = get(&name_key).map(str::to_string);
        let id =
            get(&id_key).map(str::to_string).or_else(|| name.clone()).unwrap_or_else(|| format!("polygone-{}", i + 1));
        let stage_text = get(&Some(stage_key.clone())).unwrap_or("");
        let stage: Stage = stage_text.parse().map_err(|e: crate::territory::StageError| at(e.to_string()))?;
        let aci_date = match get(&date_key) {
            Some(d) => Some(d.parse::<IsoDate>().map_err(|e| at(e.to_string()))?),
            None => None,
        };
        let Some(area) = f.geometry else {
            warnings.push(Warning::at("no_geometry", location, format!("CPTS {id} : pas de polygone ; ignorée")));
            continue;
        };
        out.push(DrawnTerritory { name: name.unwrap_or_else(|| id.clone()), id, stage, aci_date, area, location });
    }
    Ok(out)
}

fn read_shapefile(path: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<RawFeature>, InputError> {
    let (dbf, shapes) = read_features(path, warnings)?;
    let keys: Vec<String> = dbf.fields.iter().map(|f| column_key(&f.name)).collect();
    Ok(shapes
        .into_iter()
        .enumerate()
        .map(|(n, geometry)| RawFeature {
            properties: keys
                .iter()
                .enumerate()
                .filter_map(|(f, k)| Some((k.clone(), dbf.text(n, f)?.into_owned())))
                .collect(),
            geometry,
        })
        .collect())
}

fn read_geojson(path: &Path, choice: &FieldChoice) -> Result<Vec<RawFeature>, InputError> {
    let text = decode_text(&read_bytes(path)?);
    let collection: geojson::FeatureCollection =
        text.parse::<geojson::GeoJson>().and_then(geojson::FeatureCollection::try_from).map_err(|e| {
            InputError::file(path, format!("GeoJSON illisible : {e} ; une FeatureCollection de polygones est attendue"))
        })?;
    let declared = collection.foreign_members.as_ref().and_then(|m| m.get("crs")).and_then(crs_member);
    let mut features = Vec::with_capacity(collection.features.len());
    for (i, f) in collection.features.into_iter().enumerate() {
        let geometry = match &f.geometry {
            None => None,
            Some(g) => {
                let converted = match &g.value {
                    geojson::GeometryValue::Polygon { .. } => {
                        geo::Polygon::try_from(&g.value).map(|p| MultiPolygon(vec![p]))
                    }
                    _ => MultiPolygon::<f64>::try_from(&g.value),
                };
                Some(converted.map_err(|_| InputError::Record {
                    path: path.to_path_buf(),
                    record: i + 1,
                    message: format!("géométrie {} ; Polygon ou MultiPolygon attendu", g.value.type_name()),
                })?)
            }
        };
        let properties = f
            .properties
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (column_key(&k), v)
            })
            .collect();
        features.push(RawFeature { properties, geometry });
    }
    let code = match (choice.crs, declared) {
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) if looks_geographic(&features) => 4326,
        (None, None) => {
            return Err(InputError::file(
                path,
                "coordonnées projetées sans membre « crs » : précisez le système avec --cpts-crs 2154 (Lambert-93) ou 3857 (Web Mercator)",
            ));
        }
    };
    let crs = Crs::from_epsg(code).map_err(|e| InputError::file(path, e.to_string()))?;
    if let Some([min_x, min_y, max_x, max_y]) = extent(&features) {
        crs.check_extent(min_x, min_y, max_x, max_y).map_err(|e| InputError::file(path, e))?;
    }
    if !crs.is_wgs84() {
        let convert = crs.to_wgs84();
        for (i, f) in features.iter_mut().enumerate() {
            if let Some(g) = &f.geometry {
                let projected =
                    g.try_map_coords(|c| convert.convert(c.x, c.y).map(|(x, y)| geo::coord! { x: x, y: y }).ok_or(()));
                f.geometry = Some(projected.map_err(|_| InputError::Record {
                    path: path.to_path_buf(),
                    record: i + 1,
                    message: format!("coordonnées hors du domaine de {crs}"),
                })?);
            }
        }
    }
    for f in &mut features {
        if let Some(g) = &mut f.geometry {
            orient(g);
        }
    }
    Ok(features)
}

/// `{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}}` → 2154.
fn crs_member(value: &Value) -> Option<u32> {
    let name = value.get("properties")?.get("name")?.as_str()?;
    if name.contains("CRS84") {
        return Some(4326);
    }
    name.rsplit(':').next()?.parse().ok()
}

/// The box around every geometry, in the file's coordinates: `[min_x, min_y, max_x, max_y]`.
fn extent(features: &[RawFeature]) -> Option<[f64; 4]> {
    features
        .iter()
        .filter_map(|f| f.geometry.as_ref()?.bounding_rect())
        .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
        .reduce(|a, b| [a[0].min(b[0]), a[1].min(b[1]), a[2].max(b[2]), a[3].max(b[3])])
}

fn looks_geographic(features: &[RawFeature]) -> bool {
    features
        .iter()
        .filter_map(|f| f.geometry.as_ref())
        .flat_map(|g| g.0.iter())
        .all(|p| p.exterior().0.iter().all(|c| c.x.abs() <= 180.0 && c.y.abs() <= 90.0))
}
