//! Integration tests: the real binary on hand-made fixtures and on the
//! bundled national data.

mod dissolve;
mod export;
mod fixtures;
mod gdal;
mod http;
mod lists;
mod names;
mod national;
mod util;
