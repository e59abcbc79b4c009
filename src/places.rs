//! Place names for the map, from the bundled data alone (no tile server):
//! each commune (Paris, Lyon and Marseille once, not by arrondissement)
//! with a point inside it and its population.
//!
//! The map shows the chef-lieu of each département from the national view,
//! then more communes as one zooms in, the most populous first. Until the
//! name tables carry the préfectures, the chef-lieu of a département is
//! taken to be its most populous commune (true for most of them).

use std::collections::{BTreeMap, HashMap};

use geo::{InteriorPoint, Rect};
use serde::Serialize;

use crate::atlas::Atlas;
use crate::commune::{ARRONDISSEMENT_CITIES, UnitKind};

#[derive(Debug, Clone, Serialize)]
pub struct Place {
    pub name: String,
    pub code: String,
    pub departement: String,
    pub population: u64,
    pub lon: f64,
    pub lat: f64,
    /// The chef-lieu of its département: shown from the national view.
    pub chef_lieu: bool,
}

/// Every place, the most populous first.
pub struct Places {
    list: Vec<Place>,
}

/// Smallest population labelled at each zoom (Leaflet levels); chefs-lieux always.
const MIN_POPULATION: [(u8, u64); 7] =
    [(6, u64::MAX), (7, 60_000), (8, 25_000), (9, 10_000), (10, 4_000), (11, 1_500), (12, 500)];

/// Most labels in one answer (the page also drops those that would overlap).
pub const MAX_PLACES: usize = 400;

impl Places {
    pub fn build(atlas: &Atlas) -> Places {
        let mut list: Vec<Place> = Vec::new();
        // Arrondissements are gathered into their city: one label « Paris ».
        let mut cities: HashMap<String, (u64, Rect<f64>, String)> = HashMap::new();
        for unit in &atlas.units {
            match unit.kind {
                UnitKind::Arrondissement { city } => {
                    let Some(b) = unit.bbox else { continue };
                    let e = cities.entry(city.to_string()).or_insert((0, b, unit.departement.clone()));
                    e.0 += unit.counted_population();
                    e.1 = Rect::new(
                        geo::coord! { x: e.1.min().x.min(b.min().x), y: e.1.min().y.min(b.min().y) },
                        geo::coord! { x: e.1.max().x.max(b.max().x), y: e.1.max().y.max(b.max().y) },
                    );
                }
                UnitKind::Commune => {
                    let Some(p) = unit.contour.as_ref().and_then(|c| c.interior_point()) else { continue };
                    list.push(Place {
                        name: unit.name.clone(),
                        code: unit.code.to_string(),
                        departement: unit.departement.clone(),
                        population: unit.counted_population(),
                        lon: round5(p.x()),
                        lat: round5(p.y()),
                        chef_lieu: false,
                    });
                }
            }
        }
        for (code, (population, b, departement)) in cities {
            let name =
                ARRONDISSEMENT_CITIES.iter().find(|(c, _)| *c == code).map_or(code.clone(), |(_, n)| n.to_string());
            let c = b.center();
            list.push(Place {
                name,
                code,
                departement,
                population,
                lon: round5(c.x),
                lat: round5(c.y),
                chef_lieu: false,
            });
        }
        list.sort_by(|a, b| b.population.cmp(&a.population).then_with(|| a.code.cmp(&b.code)));
        let mut largest: BTreeMap<String, usize> = BTreeMap::new();
        for (i, p) in list.iter().enumerate() {
            largest.entry(p.departement.clone()).or_insert(i);
        }
        for i in largest.into_values() {
            list[i].chef_lieu = true;
        }
        Places { list }
    }

    /// The places to label at a zoom level, within a box if given, most populous first.
    pub fn at_zoom(&self, zoom: u8, bbox: Option<Rect<f64>>) -> Vec<&Place> {
        let min = MIN_POPULATION.iter().find(|(z, _)| zoom <= *z).map_or(0, |(_, p)| *p);
        self.list
            .iter()
            .filter(|p| p.chef_lieu || p.population >= min)
            .filter(|p| {
                bbox.is_none_or(|b| {
                    b.min().x <= p.lon && p.lon <= b.max().x && b.min().y <= p.lat && p.lat <= b.max().y
                })
            })
            .take(MAX_PLACES)
            .collect()
    }
}

fn round5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}
