//! Stage 6b: exports for GIS users. GeoJSON (RFC 7946) layers with flat,
//! typed properties — the schemas are documented in the README so that QGIS
//! styles can rely on them.

pub mod geojson;
pub mod layers;
