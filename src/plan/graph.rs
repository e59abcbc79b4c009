//! Units as a graph: two units are neighbours when an arc of the commune
//! coverage has one on each side — a shared border segment; a single
//! touching point makes no arc, so it connects nothing (the rule of the
//! zones blanches).
//!
//! [`parts`] splits a set of units into its connected parts; [`Graph`]
//! holds a set's neighbours with the length of each shared border, which
//! the suggestions use to grow compact territories.

use crate::arcs::Topology;
use crate::atlas::Atlas;
use crate::commune::UnitId;
use crate::topology::{find, union};

/// The connected parts of `units` (sorted, without duplicates): each part
/// sorted, parts ordered by their smallest unit. Units without contour have
/// no border: each is a part of its own.
pub fn parts(topology: &Topology, units: &[UnitId]) -> Vec<Vec<UnitId>> {
    let mut parent: Vec<u32> = (0..units.len() as u32).collect();
    for (i, &u) in units.iter().enumerate() {
        for r in topology.rings.get(u as usize).into_iter().flatten().flatten() {
            if let Some(v) = topology.other_side(*r)
                && v != u
                && let Ok(j) = units.binary_search(&v)
            {
                union(&mut parent, i as u32, j as u32);
            }
        }
    }
    let mut groups: std::collections::BTreeMap<u32, Vec<UnitId>> = Default::default();
    for i in 0..units.len() as u32 {
        groups.entry(find(&mut parent, i)).or_default().push(units[i as usize]);
    }
    // Roots are the smallest index of their part (see `union`), so parts come out in order.
    groups.into_values().collect()
}

/// Length of a line in km, on a local equirectangular approximation: good
/// to a fraction of a percent over a border a few km long, which is all a
/// measure of compactness needs.
pub fn length_km(coords: &[geo::Coord<f64>]) -> f64 {
    coords
        .windows(2)
        .map(|w| {
            let lat = ((w[0].y + w[1].y) / 2.0).to_radians();
            let dx = (w[1].x - w[0].x) * lat.cos() * 111.32;
            let dy = (w[1].y - w[0].y) * 110.57;
            dx.hypot(dy)
        })
        .sum()
}

/// The neighbours of a set of units, in local indices (positions in `units`).
#[derive(Debug, Clone)]
pub struct Graph {
    /// Sorted, without duplicates.
    pub units: Vec<UnitId>,
    /// For each unit, its neighbours in the set and the length of their common border (km).
    pub edges: Vec<Vec<(u32, f64)>>,
    /// For each unit, the length of its whole border (km), coast included.
    pub perimeter: Vec<f64>,
}

impl Graph {
    /// The graph of `units` (sorted, without duplicates).
    pub fn build(atlas: &Atlas, topology: &Topology, units: &[UnitId]) -> Graph {
        let mut edges: Vec<Vec<(u32, f64)>> = vec![Vec::new(); units.len()];
        let mut perimeter = vec![0.0; units.len()];
        for (i, &u) in units.iter().enumerate() {
            for r in topology.rings.get(u as usize).into_iter().flatten().flatten() {
                let length = length_km(topology.coords(atlas, r.arc));
                perimeter[i] += length;
                let Some(v) = topology.other_side(*r) else { continue };
                let Ok(j) = units.binary_search(&v) else { continue };
                if v == u {
                    continue;
                }
                match edges[i].iter_mut().find(|(k, _)| *k == j as u32) {
                    Some((_, shared)) => *shared += length,
                    None => edges[i].push((j as u32, length)),
                }
            }
        }
        Graph { units: units.to_vec(), edges, perimeter }
    }

    /// The connected parts of the local units for which `keep` is true, each sorted.
    pub fn components(&self, keep: &dyn Fn(u32) -> bool) -> Vec<Vec<u32>> {
        let mut seen = vec![false; self.units.len()];
        let mut out = Vec::new();
        for start in 0..self.units.len() as u32 {
            if seen[start as usize] || !keep(start) {
                continue;
            }
            seen[start as usize] = true;
            let mut part = vec![start];
            let mut next = 0;
            while next < part.len() {
                let i = part[next];
                next += 1;
                for &(j, _) in &self.edges[i as usize] {
                    if !seen[j as usize] && keep(j) {
                        seen[j as usize] = true;
                        part.push(j);
                    }
                }
            }
            part.sort_unstable();
            out.push(part);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_degree_of_latitude_is_about_111_km() {
        let line = [geo::Coord { x: 2.0, y: 46.0 }, geo::Coord { x: 2.0, y: 47.0 }];
        assert!((length_km(&line) - 110.57).abs() < 1e-9);
        let east = [geo::Coord { x: 0.0, y: 60.0 }, geo::Coord { x: 1.0, y: 60.0 }];
        assert!((length_km(&east) - 55.66).abs() < 0.01, "half as long at 60° N");
    }
}
