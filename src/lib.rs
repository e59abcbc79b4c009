//! # cptsmap
//!
//! How far France is from covering its whole population with CPTS
//! (communautés professionnelles territoriales de santé).
//!
//! The data flow, one module per stage:
//!
//! ```text
//!  COMMUNE.shp ─┐  (.prj → WGS84, .cpg/DBF → text)
//!  ARRONDISSEMENT_MUNICIPAL.shp ─┤   load::shapefile, load::crs
//!  ADMIN-EXPRESS 4.0 .gpkg/.fgb ─┤   load::gpkg, load::fgb (+ merged communes)
//!  donnees_communes.csv ─────────┘   load::population
//!            │
//!            ▼
//!        atlas ── units: communes, Paris/Lyon/Marseille replaced by arrondissements,
//!            │     merged communes and postcodes (load::history)
//!            │ ├─ index: R-tree (rstar) for point and area queries
//!            │ └─ gazetteer: codes, names in every spelling, old communes, postcodes
//!            ▼
//!  CPTS list (CSV, spreadsheet) ──► load::territories ──► territory: Stage, Territory → units
//!  CPTS drawn (GeoJSON, shp) ──► load::polygons ──► drawn: checked, repaired once if
//!            │                     its rings cross; R-tree of edges ──► membership: units by area share
//!            │
//!            ▼
//!        topology ── shared border segments → neighbours, connected groups
//!        arcs ────── borders cut where the neighbour changes, shared by both sides
//!            │
//!            ▼
//!        coverage ── union of covered units (each resident once), by stage,
//!            │        région / département / EPCI, overlaps, zones blanches
//!            │ └─ timeline: the stage of each territory on a date (--at), the
//!            │     history month by month (dated stages replayed), its projection
//!            ▼
//!        dissolve ── groups of units → polygons on the shared arcs
//!        simplify ── each arc simplified once: no gap between neighbours
//!            │
//!            ▼
//!        report ── French table, JSON contract, CSV
//!        export ── GeoJSON layers for QGIS (streamed)
//!            │
//!            ▼
//!        area ────── France, a région, a département, an EPCI or a CPTS: one filter
//!        summary ─── an area at a stage: figures, its own zones blanches, CPTS, CSV
//!        places ──── place names for the map
//!        search ──── communes and CPTS by name, code, postcode
//!        plan ────── a draft territory: what it would change; zones blanches cut into drafts
//!            │
//!            ▼
//!        snapshot ── all of it, prepared once, read-only
//!        dated ───── the same at past dates, prepared on first request, kept (bounded)
//!        http ────── axum API (JSON, GeoJSON layers, ETag/304, gzip/brotli) on
//!                    hyper with timeouts, a connection cap and a bounded work gate
//! ```
//!
//! Everything is computed once into plain values; nothing downstream
//! mutates what an upstream stage produced.

pub mod arcs;
pub mod area;
pub mod atlas;
pub mod calendar;
pub mod commune;
pub mod coverage;
pub mod dated;
pub mod diagnostics;
pub mod dissolve;
pub mod drawn;
pub mod export;
pub mod gazetteer;
pub mod geometry;
pub mod http;
pub mod index;
pub mod load;
pub mod membership;
pub mod places;
pub mod plan;
pub mod progress;
pub mod report;
pub mod search;
pub mod simplify;
pub mod snapshot;
pub mod summary;
pub mod territory;
pub mod text;
pub mod timeline;
pub mod topology;
