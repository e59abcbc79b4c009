//! Shares computed from local edges agree with a slow reference: one
//! boolean overlay of each unit with the whole territory.

use geo::{Area, BooleanOps, BoundingRect, Coord, LineString, MultiPolygon, Polygon, wkt};

use super::*;

/// A `n`×`n` grid of unit squares from `(x0, y0)`, each side with a middle
/// vertex (neighbours share their vertices, as commune borders do).
fn grid(n: usize, x0: f64, y0: f64) -> Vec<MultiPolygon<f64>> {
    let mut out = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let (x, y) = (x0 + i as f64, y0 + j as f64);
            let ring = [(0., 0.), (0.5, 0.), (1., 0.), (1., 0.5), (1., 1.), (0.5, 1.), (0., 1.), (0., 0.5), (0., 0.)]
                .map(|(dx, dy)| Coord { x: x + dx, y: y + dy });
            out.push(MultiPolygon(vec![Polygon::new(LineString(ring.to_vec()), vec![])]));
        }
    }
    out
}

/// Shares by [`share`], checked against the reference; returned for further checks.
fn shares(territory: MultiPolygon<f64>, units: &[MultiPolygon<f64>]) -> Vec<f64> {
    let checked = check(&territory).expect("usable territory");
    let region = &checked.region;
    let mut scratch = Scratch::default();
    units
        .iter()
        .map(|unit| {
            let ours = share(region, unit, unit.bounding_rect().unwrap(), &mut scratch);
            let reference = unit.intersection(&checked.area()).unsigned_area() / unit.unsigned_area();
            assert!((ours - reference).abs() < 1e-7, "{unit:?}: {ours} vs {reference}");
            ours
        })
        .collect()
}

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    LineString(points.iter().map(|&(x, y)| Coord { x, y }).collect())
}

#[test]
fn a_polygon_with_a_hole() {
    let territory =
        wkt! { MULTIPOLYGON(((0.3 0.3,4.7 0.3,4.7 4.7,0.3 4.7,0.3 0.3),(1.5 1.5,3.5 1.5,3.5 3.5,1.5 3.5,1.5 1.5))) };
    let s = shares(territory, &grid(6, -0.5, -0.5));
    assert!(s.contains(&0.0) && s.contains(&1.0) && s.iter().any(|&v| v > 0.0 && v < 1.0));
}

#[test]
fn a_multipolygon_with_a_unit_across_its_gap() {
    let territory = wkt! { MULTIPOLYGON(((0. 0.,2.4 0.,2.4 3.,0. 3.,0. 0.)),((2.6 0.,5. 0.,5. 3.,2.6 3.,2.6 0.))) };
    let units = grid(5, 0.0, 0.0);
    let s = shares(territory, &units);
    assert!((s[2 * 5] - 0.8).abs() < 1e-9, "the unit from x = 2 to 3 loses the gap: {}", s[10]);
}

#[test]
fn borders_drawn_on_unit_borders_give_whole_units() {
    // An L of grid cells, starting at a vertex inside the grid so that the
    // runs of edges near it wrap around the ring's first vertex.
    let territory = MultiPolygon(vec![Polygon::new(
        ring(&[(2., 1.), (2., 2.), (1., 2.), (1., 4.), (0., 4.), (0., 1.), (0.5, 1.), (1., 1.), (2., 1.)]),
        vec![],
    )]);
    let s = shares(territory, &grid(5, 0.0, 0.0));
    let inside: Vec<usize> = (0..25).filter(|&k| s[k] > 0.5).collect();
    assert_eq!(inside, vec![1, 2, 3, 6], "cells (0,1), (0,2), (0,3) and (1,1)");
    assert!(s.iter().all(|&v| !(1e-9..=1.0 - 1e-9).contains(&v)), "{s:?}");
}

#[test]
fn a_vertex_on_a_unit_corner_and_edges_along_unit_borders() {
    // A diamond whose vertices are grid vertices.
    let territory = wkt! { MULTIPOLYGON(((2. 0.,4. 2.,2. 4.,0. 2.,2. 0.))) };
    let s = shares(territory, &grid(4, 0.0, 0.0));
    assert_eq!(s.iter().filter(|&&v| (v - 0.5).abs() < 1e-9).count(), 8);
    assert_eq!(s.iter().filter(|&&v| (v - 1.0).abs() < 1e-9).count(), 4);
}

#[test]
fn a_self_intersecting_territory_is_repaired_then_measured() {
    // A bow-tie: both lobes count.
    let territory = wkt! { MULTIPOLYGON(((0. 0.,4. 4.,4. 0.,0. 4.,0. 0.))) };
    assert!(check(&territory).unwrap().repaired.is_some());
    let s = shares(territory, &grid(4, 0.0, 0.0));
    assert!((s[0] - 0.5).abs() < 1e-9, "cell (0,0): below the diagonal, in the left lobe");
    assert!((s[3 * 4] - 0.5).abs() < 1e-9, "cell (3,0): in the right lobe");
}

#[test]
fn a_zig_zag_border_crossing_every_unit() {
    // 4 000 vertices between radius 1 and 0.5: long edges through many units.
    let n = 4000;
    let points: Vec<(f64, f64)> = (0..=n)
        .map(|k: usize| {
            let a = std::f64::consts::TAU * (k % n) as f64 / n as f64;
            let r = if k.is_multiple_of(2) { 4.0 } else { 2.0 };
            (r * a.cos(), r * a.sin())
        })
        .collect();
    let territory = MultiPolygon(vec![Polygon::new(ring(&points), vec![])]);
    let s = shares(territory, &grid(10, -5.0, -5.0));
    assert!(s.iter().filter(|&&v| v > 0.0 && v < 1.0).count() > 20);
}

#[test]
fn a_unit_larger_than_the_territory_and_one_far_away() {
    let territory = wkt! { MULTIPOLYGON(((1.2 1.2,1.4 1.2,1.3 1.4,1.2 1.2))) };
    let units = vec![
        wkt! { MULTIPOLYGON(((0. 0.,3. 0.,3. 3.,0. 3.,0. 0.))) },
        wkt! { MULTIPOLYGON(((10. 10.,11. 10.,11. 11.,10. 10.))) },
    ];
    let s = shares(territory, &units);
    assert!((s[0] - 0.02 / 9.0).abs() < 1e-9 && s[1] == 0.0, "{s:?}");
}

/// A polygon from lattice points: every degeneracy a drawing can hold
/// (vertices on unit corners and edges, edges along unit borders, spikes,
/// repeated vertices, self-crossings, parts overlapping or touching).
fn lattice_polygon(rings: &[Vec<(u8, u8)>]) -> MultiPolygon<f64> {
    let closed = |points: &Vec<(u8, u8)>| {
        let mut r: Vec<(f64, f64)> = points.iter().map(|&(x, y)| (f64::from(x) * 0.5, f64::from(y) * 0.5)).collect();
        r.push(r[0]);
        ring(&r)
    };
    let (first, rest) = rings.split_first().expect("one ring at least");
    // The second ring is a hole of the first, the others separate parts.
    let mut polygons = vec![Polygon::new(closed(first), rest.iter().take(1).map(closed).collect())];
    polygons.extend(rest.iter().skip(1).map(|r| Polygon::new(closed(r), Vec::new())));
    MultiPolygon(polygons)
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(512))]
    #[test]
    fn shares_agree_with_the_overlay_on_any_lattice_drawing(
        rings in proptest::collection::vec(proptest::collection::vec((0u8..=8, 0u8..=8), 3..9), 1..4)
    ) {
        let territory = lattice_polygon(&rings);
        if check(&territory).is_ok() {
            // Units on the same lattice, and units off it.
            let mut units = grid(4, 0.0, 0.0);
            units.extend(grid(3, 0.25, 0.25));
            shares(territory, &units);
        }
    }
}

#[test]
fn a_repair_whose_lobes_touch_keeps_them_inside() {
    // Found by the property test: two self-crossing parts and a hole whose
    // repair has lobes touching at vertices; read back as OGC polygons, one
    // lobe came out as a "hole" outside its exterior.
    let territory = lattice_polygon(&[
        vec![(6, 0), (7, 8), (3, 0), (6, 7)],
        vec![(2, 7), (2, 3), (8, 6), (8, 4)],
        vec![(0, 3), (6, 5), (1, 0), (7, 0)],
    ]);
    let mut units = grid(4, 0.0, 0.0);
    units.extend(grid(3, 0.25, 0.25));
    let s = shares(territory, &units);
    assert!(s.iter().filter(|&&v| v > 0.0 && v < 1.0).count() > 5, "{s:?}");
}
