//! Stage 2b: an R-tree over the unit contours, for point and area queries.
//!
//! The tree stores bounding boxes; every hit is confirmed against the exact
//! contour, so a point on the sea next to a coastal commune finds nothing.

use geo::{Coord, Rect};
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{AABB, RTree};

use crate::atlas::Atlas;
use crate::commune::UnitId;
use crate::geometry::point_in_multipolygon;

type Entry = GeomWithData<Rectangle<[f64; 2]>, UnitId>;

pub struct UnitIndex {
    tree: RTree<Entry>,
}

impl UnitIndex {
    pub fn build(atlas: &Atlas) -> UnitIndex {
        let entries = atlas
            .units
            .iter()
            .enumerate()
            .filter_map(|(i, u)| {
                let b = u.bbox?;
                Some(GeomWithData::new(
                    Rectangle::from_corners([b.min().x, b.min().y], [b.max().x, b.max().y]),
                    i as UnitId,
                ))
            })
            .collect();
        UnitIndex { tree: RTree::bulk_load(entries) }
    }

    /// The unit whose contour contains the point (longitude, latitude in WGS84).
    pub fn locate(&self, atlas: &Atlas, lon: f64, lat: f64) -> Option<UnitId> {
        let p = Coord { x: lon, y: lat };
        self.tree
            .locate_all_at_point(&[lon, lat])
            .map(|e| e.data)
            .find(|&id| atlas.unit(id).contour.as_ref().is_some_and(|mp| point_in_multipolygon(p, mp)))
    }

    /// Units whose bounding box meets the rectangle (unconfirmed candidates).
    pub fn candidates(&self, rect: Rect<f64>) -> impl Iterator<Item = UnitId> + '_ {
        let env = AABB::from_corners([rect.min().x, rect.min().y], [rect.max().x, rect.max().y]);
        self.tree.locate_in_envelope_intersecting(&env).map(|e| e.data)
    }
}
