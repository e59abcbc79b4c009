//! Stage 4: how units touch. IGN contours share identical vertices along
//! common borders, so "touching" is a matter of finding the occurrences of
//! each exact point: [`shared_vertices`] does that in time linear in the
//! vertices, on every core, with memory for a few runs per ring only.
//!
//! Two units are neighbours when they share a border segment — the same two
//! vertices — so a single touching point does not connect them
//! ([`connected_groups`]). The arc topology ([`crate::arcs`]) is built on
//! the same grouping.
//!
//! # Performance
//!
//! A global sort of every vertex (or segment) costs `n log n` and 16–48
//! bytes per vertex: 6.7 s and 1.9 GB on 20 M vertices. Here each ring is
//! cut into runs of consecutive vertices lying in the same small grid cell
//! (a few runs per ring); runs are bucketed by cell, and each cell's
//! vertices are sorted on their own, in cache, cells spread over the cores.
//! Identical points always fall in the same cell, so every group is found.

use std::collections::HashMap;

use geo::Coord;
use rayon::prelude::*;

use crate::atlas::Atlas;
use crate::commune::UnitId;

/// A closed ring (last point repeating the first) of a unit.
#[derive(Debug, Clone, Copy)]
pub struct RingRef<'a> {
    pub unit: UnitId,
    pub coords: &'a [Coord<f64>],
}

impl RingRef<'_> {
    /// Vertices without the closing repeat.
    pub fn len(&self) -> usize {
        self.coords.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The vertex before `at` along the ring.
    pub fn previous(&self, at: usize) -> Coord<f64> {
        self.coords[(at + self.len() - 1) % self.len()]
    }

    /// The vertex after `at` along the ring.
    pub fn next(&self, at: usize) -> Coord<f64> {
        self.coords[at + 1]
    }
}

/// One occurrence of a vertex: which ring (index in the slice given to
/// [`shared_vertices`]) and where in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub ring: u32,
    pub at: u32,
}

/// Exact vertex identity, as bits.
pub fn point_key(c: Coord<f64>) -> (u64, u64) {
    (c.x.to_bits(), c.y.to_bits())
}

/// A 64-bit digest of a point's bits (a multiply–xorshift mix): sorting on
/// it is cheaper than on the 128-bit identity; equal digests are then
/// confirmed on the coordinates themselves.
#[inline]
fn digest(c: Coord<f64>) -> u64 {
    let mut h = c.x.to_bits().wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ c.y.to_bits().rotate_left(29);
    h = (h ^ (h >> 32)).wrapping_mul(0xD6E8_FEB8_6659_FD93);
    h ^ (h >> 32)
}

/// Grid cells per degree: cells of ≈ 3 km, so that a cell holds a few
/// hundred vertices even at full resolution.
const CELLS_PER_DEGREE: f64 = 32.0;

fn cell(c: Coord<f64>) -> (i32, i32) {
    ((c.x * CELLS_PER_DEGREE).floor() as i32, (c.y * CELLS_PER_DEGREE).floor() as i32)
}

/// Consecutive vertices of a ring in one cell.
#[derive(Debug, Clone, Copy)]
struct Run {
    ring: u32,
    start: u32,
    end: u32,
}

/// Calls `visit` with each set of two or more occurrences of one exact point
/// among `rings`, on every core; `init` makes one accumulator per parallel
/// job, and all of them are returned for the caller to merge.
pub fn shared_vertices<T: Send>(
    rings: &[RingRef<'_>],
    init: impl Fn() -> T + Sync + Send,
    visit: impl Fn(&mut T, &[Occurrence]) + Sync + Send,
) -> Vec<T> {
    let (runs, starts) = bucket_runs(rings);
    let buckets = starts.len() - 1;
    (0..buckets)
        .into_par_iter()
        .fold(
            || (init(), Scratch::default()),
            |(mut acc, mut scratch), b| {
                let Scratch { entries, same, group } = &mut scratch;
                entries.clear();
                for run in &runs[starts[b]..starts[b + 1]] {
                    let coords = rings[run.ring as usize].coords;
                    for at in run.start..run.end {
                        entries.push((digest(coords[at as usize]), Occurrence { ring: run.ring, at }));
                    }
                }
                entries.sort_unstable_by_key(|e| e.0);
                let mut i = 0;
                while i < entries.len() {
                    let mut j = i + 1;
                    while j < entries.len() && entries[j].0 == entries[i].0 {
                        j += 1;
                    }
                    if j - i >= 2 {
                        // Equal digests: group by the exact point (a collision splits here).
                        same.clear();
                        same.extend(entries[i..j].iter().map(|e| {
                            let o = e.1;
                            (point_key(rings[o.ring as usize].coords[o.at as usize]), o)
                        }));
                        same.sort_unstable_by_key(|e| e.0);
                        let mut k = 0;
                        while k < same.len() {
                            let mut l = k + 1;
                            while l < same.len() && same[l].0 == same[k].0 {
                                l += 1;
                            }
                            if l - k >= 2 {
                                group.clear();
                                group.extend(same[k..l].iter().map(|e| e.1));
                                visit(&mut acc, group);
                            }
                            k = l;
                        }
                    }
                    i = j;
                }
                (acc, scratch)
            },
        )
        .map(|(acc, _)| acc)
        .collect()
}

/// Buffers reused from one cell to the next.
#[derive(Default)]
struct Scratch {
    entries: Vec<(u64, Occurrence)>,
    same: Vec<((u64, u64), Occurrence)>,
    group: Vec<Occurrence>,
}

/// Runs of every ring, grouped by cell: `runs[starts[b]..starts[b + 1]]` is bucket `b`.
fn bucket_runs(rings: &[RingRef<'_>]) -> (Vec<Run>, Vec<usize>) {
    let per_ring: Vec<Vec<((i32, i32), Run)>> = rings
        .par_iter()
        .enumerate()
        .map(|(r, ring)| {
            let mut out = Vec::new();
            let n = ring.len();
            let mut start = 0;
            while start < n {
                let c = cell(ring.coords[start]);
                let mut end = start + 1;
                while end < n && cell(ring.coords[end]) == c {
                    end += 1;
                }
                out.push((c, Run { ring: r as u32, start: start as u32, end: end as u32 }));
                start = end;
            }
            out
        })
        .collect();
    let mut bucket_of: foldhash::HashMap<(i32, i32), u32> = foldhash::HashMap::default();
    let mut counts: Vec<usize> = Vec::new();
    let mut tagged: Vec<(u32, Run)> = Vec::with_capacity(per_ring.iter().map(Vec::len).sum());
    for (c, run) in per_ring.into_iter().flatten() {
        let next = bucket_of.len() as u32;
        let b = *bucket_of.entry(c).or_insert(next);
        if b as usize == counts.len() {
            counts.push(0);
        }
        counts[b as usize] += 1;
        tagged.push((b, run));
    }
    let mut starts = Vec::with_capacity(counts.len() + 1);
    let mut total = 0;
    starts.push(0);
    for c in &counts {
        total += c;
        starts.push(total);
    }
    let mut cursor = starts.clone();
    let mut runs = vec![Run { ring: 0, start: 0, end: 0 }; tagged.len()];
    for (b, run) in tagged {
        runs[cursor[b as usize]] = run;
        cursor[b as usize] += 1;
    }
    (runs, starts)
}

/// The rings of some units of the atlas (exteriors and holes), with the unit of each.
pub fn rings_of<'a>(atlas: &'a Atlas, units: impl IntoIterator<Item = UnitId>) -> Vec<RingRef<'a>> {
    let mut out = Vec::new();
    for u in units {
        let Some(mp) = &atlas.unit(u).contour else { continue };
        for p in &mp.0 {
            for r in std::iter::once(p.exterior()).chain(p.interiors()) {
                if r.0.len() >= 4 {
                    out.push(RingRef { unit: u, coords: &r.0 });
                }
            }
        }
    }
    out
}

/// Whether two occurrences of a point sit on a common segment (same next or
/// previous vertex, whichever the direction).
fn on_common_segment(rings: &[RingRef<'_>], a: Occurrence, b: Occurrence) -> bool {
    let (ra, rb) = (&rings[a.ring as usize], &rings[b.ring as usize]);
    let (an, ap) = (point_key(ra.next(a.at as usize)), point_key(ra.previous(a.at as usize)));
    let (bn, bp) = (point_key(rb.next(b.at as usize)), point_key(rb.previous(b.at as usize)));
    an == bp || an == bn || ap == bn || ap == bp
}

/// Groups `members` into connected components of the shared-border graph.
/// Units without contour form a group of their own. Groups come out sorted,
/// each group sorted by unit id, ordered by their smallest id.
pub fn connected_groups(atlas: &Atlas, members: &[UnitId]) -> Vec<Vec<UnitId>> {
    let rings = rings_of(atlas, members.iter().copied());
    let pairs: Vec<Vec<(UnitId, UnitId)>> = shared_vertices(&rings, Vec::new, |pairs, group| {
        for (i, &a) in group.iter().enumerate() {
            for &b in &group[i + 1..] {
                let (ua, ub) = (rings[a.ring as usize].unit, rings[b.ring as usize].unit);
                if ua != ub && on_common_segment(&rings, a, b) {
                    pairs.push((ua, ub));
                }
            }
        }
    });
    let index: HashMap<UnitId, u32> = members.iter().enumerate().map(|(i, &u)| (u, i as u32)).collect();
    let mut parent: Vec<u32> = (0..members.len() as u32).collect();
    for (a, b) in pairs.into_iter().flatten() {
        union(&mut parent, index[&a], index[&b]);
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

/// Union-find over `0..n` (`parent[i] == i` at the start), with path halving.
pub(crate) fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        parent[i as usize] = parent[parent[i as usize] as usize];
        i = parent[i as usize];
    }
    i
}

/// Joins the sets of `a` and `b`; the root is the smaller index, so a set's
/// root is its smallest member.
pub(crate) fn union(parent: &mut [u32], a: u32, b: u32) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        parent[ra.max(rb) as usize] = ra.min(rb);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(points: &[(f64, f64)]) -> Vec<Coord<f64>> {
        points.iter().chain(&points[..1]).map(|&(x, y)| Coord { x, y }).collect()
    }

    #[test]
    fn every_shared_point_is_found_once_whatever_the_cells() {
        // Two squares sharing the edge x = 1, drawn across a cell boundary (1/16°).
        let a = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
        let b = ring(&[(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0)]);
        let rings = [RingRef { unit: 0, coords: &a }, RingRef { unit: 1, coords: &b }];
        let found: Vec<Vec<usize>> = shared_vertices(&rings, Vec::new, |acc, g| acc.push(g.len()));
        let mut sizes: Vec<usize> = found.into_iter().flatten().collect();
        sizes.sort_unstable();
        assert_eq!(sizes, [2, 2], "the two corners of the common edge");
    }

    #[test]
    fn a_common_edge_connects_and_a_single_point_does_not() {
        let a = ring(&[(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]);
        let b = ring(&[(1.0, 0.0), (2.0, 0.0), (2.0, 1.0), (1.0, 1.0)]);
        let c = ring(&[(2.0, 1.0), (3.0, 1.0), (3.0, 2.0), (2.0, 2.0)]);
        let rings = [RingRef { unit: 0, coords: &a }, RingRef { unit: 1, coords: &b }, RingRef { unit: 2, coords: &c }];
        let pairs: Vec<(UnitId, UnitId)> = shared_vertices(&rings, Vec::new, |pairs, g| {
            for (i, &x) in g.iter().enumerate() {
                for &y in &g[i + 1..] {
                    if on_common_segment(&rings, x, y) {
                        pairs.push((rings[x.ring as usize].unit, rings[y.ring as usize].unit));
                    }
                }
            }
        })
        .into_iter()
        .flatten()
        .collect();
        assert!(pairs.iter().all(|&(x, y)| (x.min(y), x.max(y)) == (0, 1)), "{pairs:?}");
        assert!(!pairs.is_empty());
    }
}
