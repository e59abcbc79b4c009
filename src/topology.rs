//! Stage 4: how units touch. Two units are neighbours when they share a
//! border segment — the same two vertices — so a single touching point does
//! not connect them. IGN contours share identical vertices along common
//! borders, which makes this exact and cheap: sort the segments, read pairs.

use crate::atlas::Atlas;
use crate::commune::UnitId;

/// A segment with its endpoints in a canonical order, as exact bit patterns.
type SegmentKey = [u64; 4];

fn key(a: geo::Coord<f64>, b: geo::Coord<f64>) -> SegmentKey {
    let (p, q) = ((a.x.to_bits(), a.y.to_bits()), (b.x.to_bits(), b.y.to_bits()));
    // Compare as numbers, not bits, so that the order does not depend on signs.
    if (a.x, a.y) <= (b.x, b.y) { [p.0, p.1, q.0, q.1] } else { [q.0, q.1, p.0, p.1] }
}

/// Groups `members` into connected components of the shared-border graph.
/// Units without contour form a group of their own. Groups come out sorted,
/// each group sorted by unit id, ordered by their smallest id.
pub fn connected_groups(atlas: &Atlas, members: &[UnitId]) -> Vec<Vec<UnitId>> {
    let mut segments: Vec<(SegmentKey, u32)> = Vec::new();
    for (m, &id) in members.iter().enumerate() {
        let Some(mp) = &atlas.unit(id).contour else {
            continue;
        };
        for poly in &mp.0 {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                segments.extend(ring.0.windows(2).filter(|w| w[0] != w[1]).map(|w| (key(w[0], w[1]), m as u32)));
            }
        }
    }
    segments.sort_unstable();
    let mut parent: Vec<u32> = (0..members.len() as u32).collect();
    for pair in segments.windows(2) {
        if pair[0].0 == pair[1].0 && pair[0].1 != pair[1].1 {
            union(&mut parent, pair[0].1, pair[1].1);
        }
    }
    let mut groups: std::collections::BTreeMap<u32, Vec<UnitId>> = Default::default();
    for m in 0..members.len() as u32 {
        groups.entry(find(&mut parent, m)).or_default().push(members[m as usize]);
    }
    let mut out: Vec<Vec<UnitId>> = groups
        .into_values()
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    out.sort_unstable_by_key(|g| g[0]);
    out
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        parent[i as usize] = parent[parent[i as usize] as usize];
        i = parent[i as usize];
    }
    i
}

fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb) as usize] = ra.min(rb);
    }
}
