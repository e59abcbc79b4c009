//! Property tests of the dissolve on a grid coverage: random groups of
//! square units (enclaves, several parts, parts touching at a point).

use cptsmap::arcs::Topology;
use cptsmap::atlas::Atlas;
use cptsmap::commune::UnitId;
use cptsmap::dissolve::dissolve;
use cptsmap::load::fields::LayerRecord;
use cptsmap::load::names::AreaNames;
use geo::{Area, BooleanOps, MultiPolygon, Validation, wkt};
use proptest::prelude::*;

const SIDE: usize = 6;

/// A SIDE×SIDE grid of unit squares at a French longitude/latitude, shared vertices identical.
fn grid() -> Atlas {
    let records = (0..SIDE * SIDE)
        .map(|i| {
            let (x, y) = ((i % SIDE) as f64 * 0.01 + 2.0, (i / SIDE) as f64 * 0.01 + 46.0);
            let r = |v: f64| (v * 1e6).round() / 1e6;
            let (x0, y0, x1, y1) = (r(x), r(y), r(x + 0.01), r(y + 0.01));
            let mut mp: MultiPolygon<f64> = wkt! { MULTIPOLYGON(((0. 0.,1. 0.,1. 1.,0. 1.,0. 0.))) };
            mp.0[0].exterior_mut(|ring| {
                ring.0 = vec![(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)].into_iter().map(Into::into).collect()
            });
            LayerRecord {
                code: format!("01{:03}", i + 1).parse().unwrap(),
                name: format!("U{i}"),
                population: Some(100),
                departement: Some("01".into()),
                region: Some("84".into()),
                epcis: vec![],
                city: None,
                contour: Some(mp),
                measure: None,
            }
        })
        .collect();
    Atlas::assemble(vec![("grid".into(), records)], None, AreaNames::default(), Vec::new())
}

fn dissolved(atlas: &Atlas, topo: &Topology, members: &[UnitId]) -> MultiPolygon<f64> {
    let mut marks = vec![false; atlas.units.len()];
    members.iter().for_each(|&u| marks[u as usize] = true);
    let d = dissolve(topo, &topo.exact(atlas), members, &|u| marks[u as usize]);
    assert_eq!(d.open_rings, 0);
    d.shape
}

fn planar_area(atlas: &Atlas, members: &[UnitId]) -> f64 {
    members.iter().map(|&u| atlas.unit(u).contour.as_ref().unwrap().unsigned_area()).sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn dissolve_is_valid_and_keeps_the_area(cells in proptest::collection::vec(any::<bool>(), SIDE * SIDE)) {
        let mut atlas = grid();
        let topo = Topology::build(&mut atlas, &mut Vec::new());
        let members: Vec<UnitId> = (0..SIDE * SIDE).filter(|&i| cells[i]).map(|i| i as UnitId).collect();
        let shape = dissolved(&atlas, &topo, &members);
        prop_assert!(shape.is_valid(), "invalid: {:?}", shape);
        let expected = planar_area(&atlas, &members);
        prop_assert!((shape.unsigned_area() - expected).abs() <= 1e-12 * expected.max(1e-12));
        // Every exterior counter-clockwise, every hole clockwise (RFC 7946).
        for p in &shape.0 {
            prop_assert!(cptsmap::geometry::ring_twice_signed_area(&p.exterior().0) > 0.0);
            for h in p.interiors() {
                prop_assert!(cptsmap::geometry::ring_twice_signed_area(&h.0) < 0.0);
            }
        }
    }

    #[test]
    fn dissolving_two_disjoint_groups_equals_dissolving_their_union(
        cells in proptest::collection::vec(0u8..3, SIDE * SIDE)
    ) {
        let mut atlas = grid();
        let topo = Topology::build(&mut atlas, &mut Vec::new());
        let pick = |k: u8| -> Vec<UnitId> { (0..SIDE * SIDE).filter(|&i| cells[i] == k).map(|i| i as UnitId).collect() };
        let (a, b) = (pick(1), pick(2));
        let mut both = [a.clone(), b.clone()].concat();
        both.sort_unstable();
        let union = dissolved(&atlas, &topo, &a).union(&dissolved(&atlas, &topo, &b));
        let direct = dissolved(&atlas, &topo, &both);
        let diff = union.xor(&direct).unsigned_area();
        prop_assert!(diff <= 1e-9 * direct.unsigned_area().max(1e-12), "differ by {diff}");
    }
}

#[test]
fn an_enclave_becomes_a_hole_and_a_point_contact_two_polygons() {
    let mut atlas = grid();
    let topo = Topology::build(&mut atlas, &mut Vec::new());
    // A 3×3 block without its centre (units 0-2, 6, 8, 12-14 of the grid).
    let ring: Vec<UnitId> = vec![0, 1, 2, 6, 8, 12, 13, 14];
    let shape = dissolved(&atlas, &topo, &ring);
    assert_eq!(shape.0.len(), 1);
    assert_eq!(shape.0[0].interiors().len(), 1, "the centre is a hole");
    assert!(shape.is_valid());
    // Two squares touching at one corner: two polygons, not one pinched ring.
    let diagonal = dissolved(&atlas, &topo, &[0, 7]);
    assert_eq!(diagonal.0.len(), 2);
    assert!(diagonal.is_valid());
    // The block without its centre and one corner: the hole (7) touches the outside (14) at
    // one point, and must come out as a hole, not as a pinched ring.
    let notch: Vec<UnitId> = vec![0, 1, 2, 6, 8, 12, 13];
    let shape = dissolved(&atlas, &topo, &notch);
    assert!(shape.is_valid(), "{shape:?}");
    assert_eq!(shape.0.len(), 1);
    assert_eq!(shape.0[0].interiors().len(), 1);
}
