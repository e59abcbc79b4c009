//! Stage 4b: the arcs of the commune coverage — every border cut at the
//! points where the unit on the other side changes, stored once and shared
//! by the two units it separates (what TopoJSON, mapshaper and GEOS
//! `CoverageUnion` work on).
//!
//! Each unit ring becomes a cycle of arc references. Dissolving a group is
//! then dropping the arcs with the group on both sides, and simplifying a
//! border once simplifies it for both neighbours: no gap, no overlap.
//!
//! Real coverages are not perfectly clean: vertices of two neighbours a few
//! millimetres apart are snapped together first (within
//! [`SNAP_TOLERANCE_DEG`]); borders that still have no exact counterpart are
//! counted and reported, and behave like coastline.

use std::collections::HashMap;

use geo::Coord;

use crate::atlas::{Atlas, sample};
use crate::commune::UnitId;
use crate::diagnostics::Warning;

/// Vertices of different units closer than this (degrees, ≈ 1 cm) are one vertex.
pub const SNAP_TOLERANCE_DEG: f64 = 1e-7;
/// Unmatched borders closer than this (degrees, ≈ 10 m) to another unit are reported as near-misses.
const NEAR_MISS_DEG: f64 = 1e-4;

pub type ArcId = u32;

/// A piece of border, interior of `left` on its left.
#[derive(Debug, Clone)]
pub struct Arc {
    pub coords: Vec<Coord<f64>>,
    pub left: UnitId,
    /// The unit on the other side; `None` on the coast, a national border or an unmatched border.
    pub right: Option<UnitId>,
}

/// A reference to an arc as a ring walks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArcRef {
    pub arc: ArcId,
    /// True when walked as stored (the ring's unit is the arc's `left`).
    pub forward: bool,
}

/// The arcs of a coverage and, per unit, its rings as cycles of arcs
/// (first ring of each polygon is the exterior).
#[derive(Debug, Default)]
pub struct Topology {
    pub arcs: Vec<Arc>,
    pub rings: Vec<Vec<Vec<ArcRef>>>,
    pub snapped_vertices: usize,
}

const OUTSIDE: u32 = u32::MAX;

/// A value per edge: `[unit][ring][edge]`.
type PerEdge<T> = Vec<Vec<Vec<T>>>;
/// Vertices of unmatched edges with their unit, by grid cell.
type Grid = HashMap<(i64, i64), Vec<(Coord<f64>, u32)>>;
/// Vertex lists per unit and ring.
type UnitRings = Vec<Vec<Vec<Coord<f64>>>>;

/// Exact vertex identity, as bits.
pub fn vertex_key(c: Coord<f64>) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
}

/// A unit's rings in topology order, as vertex lists (closed).
fn unit_rings(atlas: &Atlas, u: UnitId) -> Vec<Vec<Coord<f64>>> {
    let Some(mp) = &atlas.unit(u).contour else { return Vec::new() };
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .map(|r| {
            let mut v: Vec<Coord<f64>> = Vec::with_capacity(r.0.len());
            for &c in &r.0 {
                if v.last() != Some(&c) {
                    v.push(c);
                }
            }
            v
        })
        .filter(|r| r.len() >= 4)
        .collect()
}

impl Topology {
    pub fn build(atlas: &Atlas, warnings: &mut Vec<Warning>) -> Topology {
        let n = atlas.units.len();
        let mut rings: UnitRings = (0..n as UnitId).map(|u| unit_rings(atlas, u)).collect();
        let (mut other, mut partner) = match_edges(&rings);
        let snapped = snap_unmatched(&mut rings, &other);
        if snapped > 0 {
            (other, partner) = match_edges(&rings);
        }
        report_unmatched(atlas, &rings, &other, snapped, warnings);
        let mut topo = Topology { snapped_vertices: snapped, ..Topology::default() };
        topo.cut_arcs(&rings, &other, &partner, warnings);
        topo
    }

    /// Cuts every ring into arcs where the unit on the other side changes.
    /// An arc is created by the smaller unit id of its two sides (or by its
    /// only side); units are walked in increasing order, so the larger side
    /// always finds the arc already made, through the partner edge.
    fn cut_arcs(
        &mut self,
        rings: &[Vec<Vec<Coord<f64>>>],
        other: &[Vec<Vec<u32>>],
        partner: &[Vec<Vec<EdgeRef>>],
        warnings: &mut Vec<Warning>,
    ) {
        // For each edge of an owner run: (arc, number of edges in that arc).
        let mut edge_arc: PerEdge<(ArcId, u32)> =
            other.iter().map(|ur| ur.iter().map(|r| vec![(ArcId::MAX, 0); r.len()]).collect()).collect();
        let mut mismatched = 0usize;
        self.rings = Vec::with_capacity(rings.len());
        for (u, unit_rings) in rings.iter().enumerate() {
            let u32u = u as u32;
            let mut unit_refs = Vec::with_capacity(unit_rings.len());
            for (r, ring) in unit_rings.iter().enumerate() {
                let sides = &other[u][r];
                let m = sides.len();
                // Edge `j` continues the run of edge `i` when the same unit lies across both and,
                // on that unit's side, the two edges follow each other in the same ring (so both
                // sides cut the border at the same places, even where a neighbour's parts touch).
                let continues = |i: usize, j: usize| {
                    if sides[i] != sides[j] {
                        return false;
                    }
                    if sides[i] == OUTSIDE {
                        return true;
                    }
                    let (p, q) = (partner[u][r][i], partner[u][r][j]);
                    let len = other[p.unit as usize][p.ring as usize].len() as u32;
                    q.unit == p.unit && q.ring == p.ring && q.edge == (p.edge + len - 1) % len
                };
                // Start at a cut so that no run wraps around the ring's end.
                let start = (0..m).find(|&i| !continues((i + m - 1) % m, i)).unwrap_or(0);
                let mut refs = Vec::new();
                let mut i = 0;
                while i < m {
                    let first = (start + i) % m;
                    let side = sides[first];
                    let mut len = 1;
                    while len < m - i && continues((start + i + len - 1) % m, (start + i + len) % m) {
                        len += 1;
                    }
                    let shared = if side != OUTSIDE && side < u32u {
                        // The partner of this run's last edge is the first edge of the owner's arc.
                        let p = partner[u][r][(first + len - 1) % m];
                        let (id, edges) = edge_arc[p.unit as usize][p.ring as usize][p.edge as usize];
                        (id != ArcId::MAX && edges as usize == len).then_some(id)
                    } else {
                        None
                    };
                    match shared {
                        Some(id) => refs.push(ArcRef { arc: id, forward: false }),
                        None => {
                            if side != OUTSIDE && side < u32u {
                                mismatched += 1;
                            }
                            let id = self.arcs.len() as ArcId;
                            let mut coords = Vec::with_capacity(len + 1);
                            for k in 0..len {
                                let e = (first + k) % m;
                                coords.push(ring[e]);
                                edge_arc[u][r][e] = (id, len as u32);
                            }
                            coords.push(ring[(first + len) % m]);
                            let right = (side != OUTSIDE && side > u32u).then_some(side);
                            self.arcs.push(Arc { coords, left: u32u, right });
                            refs.push(ArcRef { arc: id, forward: true });
                        }
                    }
                    i += len;
                }
                unit_refs.push(refs);
            }
            self.rings.push(unit_refs);
        }
        if mismatched > 0 {
            warnings.push(Warning::new(
                "topology_mismatch",
                format!("{mismatched} bords communs découpés différemment de part et d'autre : gardés en double"),
            ));
        }
    }

    /// The unit on the other side of an arc, as seen from `unit`.
    pub fn other_side(&self, a: ArcRef) -> Option<UnitId> {
        let arc = &self.arcs[a.arc as usize];
        if a.forward { arc.right } else { Some(arc.left) }
    }
}

/// Where an edge sits: unit, ring, edge index.
#[derive(Debug, Clone, Copy, Default)]
struct EdgeRef {
    unit: u32,
    ring: u32,
    edge: u32,
}

/// For every edge, the unit across it (or OUTSIDE) and the matching edge of that unit.
fn match_edges(rings: &[Vec<Vec<Coord<f64>>>]) -> (PerEdge<u32>, PerEdge<EdgeRef>) {
    let mut entries: Vec<([u64; 4], bool, EdgeRef)> = Vec::new();
    for (u, unit_rings) in rings.iter().enumerate() {
        for (r, ring) in unit_rings.iter().enumerate() {
            for e in 0..ring.len() - 1 {
                let (a, b) = (ring[e], ring[e + 1]);
                let (ka, kb) = (vertex_key(a), vertex_key(b));
                let forward = (a.x, a.y) < (b.x, b.y);
                let key = if forward { [ka.0, ka.1, kb.0, kb.1] } else { [kb.0, kb.1, ka.0, ka.1] };
                entries.push((key, forward, EdgeRef { unit: u as u32, ring: r as u32, edge: e as u32 }));
            }
        }
    }
    entries.sort_unstable_by_key(|e| e.0);
    let mut other: PerEdge<u32> =
        rings.iter().map(|ur| ur.iter().map(|r| vec![OUTSIDE; r.len() - 1]).collect()).collect();
    let mut partner: PerEdge<EdgeRef> =
        rings.iter().map(|ur| ur.iter().map(|r| vec![EdgeRef::default(); r.len() - 1]).collect()).collect();
    let mut i = 0;
    while i < entries.len() {
        let mut j = i + 1;
        while j < entries.len() && entries[j].0 == entries[i].0 {
            j += 1;
        }
        // A border shared by exactly two units walked in opposite directions;
        // anything else (overlap, same direction, three units) is left unmatched.
        if j - i == 2 {
            let (x, y) = (&entries[i], &entries[i + 1]);
            if x.2.unit != y.2.unit && x.1 != y.1 {
                other[x.2.unit as usize][x.2.ring as usize][x.2.edge as usize] = y.2.unit;
                other[y.2.unit as usize][y.2.ring as usize][y.2.edge as usize] = x.2.unit;
                partner[x.2.unit as usize][x.2.ring as usize][x.2.edge as usize] = y.2;
                partner[y.2.unit as usize][y.2.ring as usize][y.2.edge as usize] = x.2;
            }
        }
        i = j;
    }
    (other, partner)
}

/// Grid cell of a point for a given cell size.
fn cell(c: Coord<f64>, size: f64) -> (i64, i64) {
    ((c.x / size).floor() as i64, (c.y / size).floor() as i64)
}

/// Vertices of unmatched edges, with their unit.
fn unmatched_vertices(rings: &[Vec<Vec<Coord<f64>>>], other: &[Vec<Vec<u32>>]) -> Vec<(Coord<f64>, u32)> {
    let mut out = Vec::new();
    for (u, unit_rings) in rings.iter().enumerate() {
        for (r, ring) in unit_rings.iter().enumerate() {
            for (e, &side) in other[u][r].iter().enumerate() {
                if side == OUTSIDE {
                    out.push((ring[e], u as u32));
                    out.push((ring[e + 1], u as u32));
                }
            }
        }
    }
    out
}

/// For each vertex, the distinct positions of other units' vertices within
/// `tolerance` (a grid of that cell size: only the 3×3 cells around are read).
fn others_within(vertices: &[(Coord<f64>, u32)], tolerance: f64) -> Vec<Vec<Coord<f64>>> {
    let mut grid: Grid = HashMap::new();
    for &(c, u) in vertices {
        grid.entry(cell(c, tolerance)).or_default().push((c, u));
    }
    vertices
        .iter()
        .map(|&(c, u)| {
            let (cx, cy) = cell(c, tolerance);
            (-1..=1)
                .flat_map(|dx| (-1..=1).map(move |dy| (cx + dx, cy + dy)))
                .flat_map(|k| grid.get(&k).into_iter().flatten())
                .filter(|&&(d, v)| v != u && d != c && (d.x - c.x).hypot(d.y - c.y) <= tolerance)
                .map(|&(d, _)| d)
                .collect()
        })
        .collect()
}

/// Moves vertices of unmatched edges onto a vertex of another unit closer
/// than [`SNAP_TOLERANCE_DEG`] (the smaller of the two, so the result does
/// not depend on the order). Returns how many vertex positions moved.
fn snap_unmatched(rings: &mut [Vec<Vec<Coord<f64>>>], other: &[Vec<Vec<u32>>]) -> usize {
    let vertices = unmatched_vertices(rings, other);
    let mut target: HashMap<(u64, u64), Coord<f64>> = HashMap::new();
    for (&(c, _), near) in vertices.iter().zip(others_within(&vertices, SNAP_TOLERANCE_DEG)) {
        let best = near.into_iter().fold(c, |b, d| if (d.x, d.y) < (b.x, b.y) { d } else { b });
        if best != c {
            target.insert(vertex_key(c), best);
        }
    }
    if target.is_empty() {
        return 0;
    }
    let mut moved = 0;
    for unit_rings in rings.iter_mut() {
        for ring in unit_rings.iter_mut() {
            for c in ring.iter_mut() {
                if let Some(&t) = target.get(&vertex_key(*c)) {
                    *c = t;
                    moved += 1;
                }
            }
            ring.dedup();
        }
    }
    moved
}

/// Reports snapped vertices and borders that still have no exact counterpart
/// while another unit lies within [`NEAR_MISS_DEG`] (a real coast has none).
fn report_unmatched(
    atlas: &Atlas,
    rings: &[Vec<Vec<Coord<f64>>>],
    other: &[Vec<Vec<u32>>],
    snapped: usize,
    warnings: &mut Vec<Warning>,
) {
    if snapped > 0 {
        warnings.push(Warning::new(
            "snapped_vertices",
            format!("{snapped} sommets de communes voisines distants de moins de {SNAP_TOLERANCE_DEG}° (≈ 1 cm) confondus pour la topologie"),
        ));
    }
    let vertices = unmatched_vertices(rings, other);
    // Two coastal neighbours share the vertex where their border meets the sea: identical
    // vertices are no defect, only distinct ones a few metres apart.
    let mut units: Vec<u32> = vertices
        .iter()
        .zip(others_within(&vertices, NEAR_MISS_DEG))
        .filter(|(_, near)| !near.is_empty())
        .map(|(&(_, u), _)| u)
        .collect();
    units.sort_unstable();
    units.dedup();
    if !units.is_empty() {
        let names: Vec<String> = units.iter().map(|&u| atlas.unit(u).code.to_string()).collect();
        warnings.push(Warning::new(
            "unmatched_border",
            format!(
                "{} unités ont un bord sans vis-à-vis exact chez leur voisine (écart de moins de 10 m) : traité comme une limite extérieure pour les dissolutions et les zones ; les populations ne changent pas : {}",
                units.len(),
                sample(&names)
            ),
        ));
    }
}
