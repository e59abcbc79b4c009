//! Whether a layer's bounding box fits the CRS it declares.
//!
//! A `.prj` copied from another file, or a GeoJSON `crs` member that lies,
//! does not make the conversion fail: degrees read as Lambert-93 metres land
//! in the Atlantic, and the figures silently change. The bounding box tells:
//! degree-sized coordinates under a projected CRS, metre-sized ones under a
//! geographic CRS, or a box that falls far from the CRS's area of use are
//! refused, saying what was expected.

use super::{Crs, Declared};

/// How far outside its area of use (degrees, ≈ 200 km) a box may fall:
/// enough for offshore data and generous areas, not for another territory
/// (Mayotte and La Réunion are 6° of latitude apart).
const MARGIN_DEGREES: f64 = 2.0;

impl Crs {
    /// Checks a bounding box in this CRS's units against the CRS; the error
    /// is a French sentence saying what was found and what was expected.
    ///
    /// # Examples
    ///
    /// ```
    /// use cptsmap::load::crs::Crs;
    ///
    /// let lambert93 = Crs::from_epsg(2154)?;
    /// assert!(lambert93.check_extent(99_000.0, 6_046_000.0, 1_243_000.0, 7_110_000.0).is_ok());
    /// let degrees = lambert93.check_extent(-4.8, 42.3, 8.2, 51.1).unwrap_err();
    /// assert!(degrees.contains("en degrés") && degrees.contains("mètres attendus"), "{degrees}");
    /// # Ok::<(), cptsmap::load::crs::UnknownCrs>(())
    /// ```
    pub fn check_extent(&self, min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> Result<(), String> {
        if ![min_x, min_y, max_x, max_y].iter().all(|v| v.is_finite()) {
            return Err(format!("emprise non numérique (x de {min_x} à {max_x}, y de {min_y} à {max_y})"));
        }
        let in_degree_range = min_x >= -180.0 && max_x <= 180.0 && min_y >= -90.0 && max_y <= 90.0;
        match (self.is_wgs84(), in_degree_range) {
            (true, true) => Ok(()),
            (true, false) => Err(format!(
                "coordonnées en mètres (x de {min_x:.0} à {max_x:.0}, y de {min_y:.0} à {max_y:.0}) alors que {} : \
                 degrés attendus (longitude de -180 à 180, latitude de -90 à 90)",
                self.declaration()
            )),
            (false, true) => Err(format!(
                "coordonnées en degrés (x de {min_x} à {max_x}, y de {min_y} à {max_y}) alors que {} : mètres attendus",
                self.declaration()
            )),
            (false, false) => self.check_area_of_use(min_x, min_y, max_x, max_y),
        }
    }

    /// Who said what the CRS is, for the messages.
    fn declaration(&self) -> String {
        match self.declared {
            Declared::Wkt => format!("le .prj annonce {}", self.label),
            Declared::Code => format!("le système déclaré est {}", self.label),
            Declared::Assumed => format!("sans .prj, {} est supposé", self.label),
        }
    }

    /// Converts nine points of the box (corners, middles of the sides, centre)
    /// and checks that they fall near the area of use.
    fn check_area_of_use(&self, min_x: f64, min_y: f64, max_x: f64, max_y: f64) -> Result<(), String> {
        let Some(area) = self.area else {
            return Ok(());
        };
        let xs = [min_x, (min_x + max_x) / 2.0, max_x];
        let ys = [min_y, (min_y + max_y) / 2.0, max_y];
        let (mut west, mut south, mut east, mut north) =
            (f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY);
        for point in xs.iter().flat_map(|&x| ys.iter().filter_map(move |&y| self.projection.to_wgs84(x, y))) {
            (west, east) = (west.min(point.x), east.max(point.x));
            (south, north) = (south.min(point.y), north.max(point.y));
        }
        if west > east {
            return Err(format!(
                "coordonnées hors du domaine de {} (x de {min_x:.0} à {max_x:.0}, y de {min_y:.0} à {max_y:.0})",
                self.label
            ));
        }
        let near = east >= area.west - MARGIN_DEGREES
            && west <= area.east + MARGIN_DEGREES
            && north >= area.south - MARGIN_DEGREES
            && south <= area.north + MARGIN_DEGREES;
        if near {
            return Ok(());
        }
        Err(format!(
            "coordonnées hors de la zone d'usage : {}, mais elles tombent vers longitude {west:.1} à {east:.1}, \
             latitude {south:.1} à {north:.1}, loin de {} (longitude {} à {}, latitude {} à {})",
            self.declaration(),
            area.name,
            area.west,
            area.east,
            area.south,
            area.north
        ))
    }
}
