//! Integration tests: the real binary on hand-made fixtures and on the
//! bundled national data.

mod bundled;
mod damaged;
mod dense;
mod dissolve;
mod export;
mod fixtures;
mod gdal;
mod gpkg;
mod http;
mod http_areas;
mod http_errors;
mod lists;
mod names;
mod national;
mod plan;
mod projection;
mod server;
mod timeline;
mod util;
