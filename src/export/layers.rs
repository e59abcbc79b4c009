//! The export layers and their schemas (documented in the README):
//! communes with their coverage, CPTS territories, covered area by stage,
//! uncovered zones, overlaps, départements and régions. Every geometry is
//! rebuilt from the shared arcs, so layers fit together exactly, simplified
//! or not.

use std::collections::BTreeMap;
use std::io::{self, Write};

use geo::{Coord, MultiPolygon};

use super::geojson::{FeatureWriter, Prop, encode_feature};
use crate::arcs::ArcCoords;
use crate::arcs::Topology;
use crate::area::Area;
use crate::atlas::Atlas;
use crate::commune::{UnitId, UnitKind};
use crate::coverage::{AreaCoverage, Coverage, percent, uncovered_zones};
use crate::dissolve::{assemble, dissolve};
use crate::geometry::{area_km2, ring_twice_signed_area};
use crate::simplify::{degrees, min_ring_area, simplify_arcs};
use crate::territory::Stage;

/// The layers `cptsmap export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layer {
    Communes,
    Cpts,
    Covered,
    Uncovered,
    Overlaps,
    Departements,
    Regions,
}

impl Layer {
    pub const ALL: [Layer; 7] = [
        Layer::Communes,
        Layer::Cpts,
        Layer::Covered,
        Layer::Uncovered,
        Layer::Overlaps,
        Layer::Departements,
        Layer::Regions,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Layer::Communes => "communes",
            Layer::Cpts => "cpts",
            Layer::Covered => "covered",
            Layer::Uncovered => "uncovered",
            Layer::Overlaps => "overlaps",
            Layer::Departements => "departements",
            Layer::Regions => "regions",
        }
    }

    pub fn from_key(key: &str) -> Option<Layer> {
        Layer::ALL.into_iter().find(|l| l.key() == key)
    }
}

/// What to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Coverage threshold: covered means "by a territory at this stage or beyond".
    pub stage: Stage,
    /// Only what lies in this area: its units, the territories and the
    /// départements or régions that reach it, and its own zones blanches
    /// (the connected groups of its uncovered units, so that they add up
    /// to its uncovered population).
    pub area: Area,
    /// Simplification tolerance in metres.
    pub simplify_m: Option<f64>,
    /// Say in every feature that the territories are invented.
    pub fictional: bool,
    /// Only the features whose bounding box meets this box (longitude/latitude).
    pub bbox: Option<geo::Rect<f64>>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions { stage: Stage::PreProjet, area: Area::France, simplify_m: None, fictional: false, bbox: None }
    }
}

/// What was written.
#[derive(Debug, Clone, Copy, Default)]
pub struct LayerSummary {
    pub features: usize,
    /// Rings under the simplification's minimum area, left out.
    pub dropped_rings: usize,
    /// Rings closed by force on an unclean coverage.
    pub open_rings: usize,
}

/// Whether a layer needs the arc topology (everything but exact communes).
pub fn needs_topology(layer: Layer, options: &ExportOptions) -> bool {
    !(layer == Layer::Communes && options.simplify_m.is_none_or(|m| m <= 0.0))
}

/// Everything a layer is drawn from. The topology may be empty (`Topology::default()`)
/// when [`needs_topology`] says so.
pub struct Context<'a> {
    pub atlas: &'a Atlas,
    pub coverage: &'a Coverage,
    pub topology: &'a Topology,
    /// Arcs already simplified at `ExportOptions::simplify_m` (the server keeps one set per zoom band).
    pub simplified: Option<&'a Vec<Vec<Coord<f64>>>>,
}

struct Shaper<'a> {
    atlas: &'a Atlas,
    topology: &'a Topology,
    coords: Box<dyn ArcCoords + Sync + 'a>,
    min_area: f64,
    marks: Vec<bool>,
    summary: LayerSummary,
}

impl<'a> Shaper<'a> {
    fn new(ctx: &Context<'a>, options: &ExportOptions) -> Shaper<'a> {
        let (coords, min_area): (Box<dyn ArcCoords + Sync + 'a>, f64) = match options.simplify_m {
            Some(m) if m > 0.0 => match ctx.simplified {
                Some(arcs) => (Box::new(SimplifiedCoords(arcs)), min_ring_area(degrees(m))),
                None => (
                    Box::new(simplify_arcs(ctx.topology, &ctx.topology.exact(ctx.atlas), degrees(m))),
                    min_ring_area(degrees(m)),
                ),
            },
            _ => (Box::new(ctx.topology.exact(ctx.atlas)), 0.0),
        };
        Shaper {
            atlas: ctx.atlas,
            topology: ctx.topology,
            coords,
            min_area,
            marks: vec![false; ctx.atlas.units.len()],
            summary: LayerSummary::default(),
        }
    }

    /// A single unit, rebuilt from its own cycle of arcs (no linking needed);
    /// its own contour when no topology was built (exact communes layer).
    fn unit_shape(&self, u: UnitId) -> MultiPolygon<f64> {
        if self.topology.rings.is_empty() {
            return self.atlas.unit(u).contour.clone().unwrap_or(MultiPolygon(Vec::new()));
        }
        let rings = self.topology.rings[u as usize]
            .iter()
            .map(|cycle| {
                let mut ring: Vec<Coord<f64>> = Vec::new();
                for &r in cycle {
                    let c = self.coords.coords(r.arc);
                    let skip = usize::from(!ring.is_empty());
                    if r.forward {
                        ring.extend(c.iter().skip(skip));
                    } else {
                        ring.extend(c.iter().rev().skip(skip));
                    }
                }
                ring
            })
            .collect();
        let mut shape = assemble(rings);
        drop_small_rings(&mut shape, self.min_area);
        shape
    }

    /// The dissolved shape of a group of units.
    fn shape(&mut self, members: &[UnitId]) -> MultiPolygon<f64> {
        for &u in members {
            self.marks[u as usize] = true;
        }
        let marks = &self.marks;
        let d = dissolve(self.topology, self.coords.as_ref(), members, &|u| marks[u as usize]);
        for &u in members {
            self.marks[u as usize] = false;
        }
        self.summary.open_rings += d.open_rings;
        let mut shape = d.shape;
        self.summary.dropped_rings += drop_small_rings(&mut shape, self.min_area);
        shape
    }
}

/// Removes rings smaller than `min_area` (degrees²); returns how many.
fn drop_small_rings(shape: &mut MultiPolygon<f64>, min_area: f64) -> usize {
    if min_area <= 0.0 {
        return 0;
    }
    let count = |s: &MultiPolygon<f64>| s.0.iter().map(|p| 1 + p.interiors().len()).sum::<usize>();
    let before = count(shape);
    let big = |r: &geo::LineString<f64>| ring_twice_signed_area(&r.0).abs() / 2.0 >= min_area;
    shape.0.retain(|p| big(p.exterior()));
    for p in &mut shape.0 {
        if !p.interiors().iter().all(big) {
            let kept: Vec<_> = p.interiors().iter().filter(|h| big(h)).cloned().collect();
            *p = geo::Polygon::new(p.exterior().clone(), kept);
        }
    }
    before - count(shape)
}

struct SimplifiedCoords<'a>(&'a Vec<Vec<Coord<f64>>>);

impl ArcCoords for SimplifiedCoords<'_> {
    fn coords(&self, arc: u32) -> &[Coord<f64>] {
        &self.0[arc as usize]
    }
}

fn joined(items: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    items.into_iter().map(|s| s.as_ref().to_string()).collect::<Vec<_>>().join(";")
}

/// Writes one layer as a GeoJSON FeatureCollection.
pub fn write_layer(ctx: &Context, layer: Layer, options: &ExportOptions, out: impl Write) -> io::Result<LayerSummary> {
    let mut writer = FeatureWriter::new(out, &format!("cptsmap_{}", layer.key()))?;
    let mut shaper = Shaper::new(ctx, options);
    let in_area = |u: UnitId| options.area.contains(ctx.atlas, ctx.coverage, u);
    // A feature is kept when the box of its units meets the requested box.
    let in_box = |members: &[UnitId]| options.bbox.is_none_or(|b| meets(ctx.atlas, members, b));
    let fictional = Prop::Bool(options.fictional);
    match layer {
        Layer::Communes => communes(ctx, options, &mut shaper, &mut writer, &in_area, options.fictional)?,
        Layer::Cpts => {
            for t in ctx.coverage.territories.iter().filter(|t| t.stage >= options.stage) {
                if !t.units.iter().any(|&u| in_area(u)) || !in_box(&t.units) {
                    continue;
                }
                let shape = shaper.shape(&t.units);
                let figures = ctx.coverage.report.cpts.iter().find(|f| f.id == t.id);
                let population = figures.map_or(0, |f| f.population);
                let props = [
                    ("id", Prop::Str(&t.id)),
                    ("name", Prop::Str(&t.name)),
                    ("stage", Prop::Str(t.stage.key())),
                    ("stage_label", Prop::Str(t.stage.label())),
                    ("aci_date", t.aci_date.map_or(Prop::Null, |d| Prop::Text(d.to_string()))),
                    (
                        "lettre_intention_date",
                        t.lettre_intention_date.map_or(Prop::Null, |d| Prop::Text(d.to_string())),
                    ),
                    ("projet_sante_date", t.projet_sante_date.map_or(Prop::Null, |d| Prop::Text(d.to_string()))),
                    ("units", Prop::Int(Some(t.units.len() as u64))),
                    ("population", Prop::Int(Some(population))),
                    ("size_class", Prop::Int(figures.map(|f| u64::from(f.size_class)))),
                    ("area_km2", Prop::Real(figures.map_or(0.0, |f| f.area_km2))),
                    ("departements", Prop::Text(figures.map(|f| joined(&f.departements)).unwrap_or_default())),
                    ("fictional", fictional.clone()),
                ];
                writer.feature(&props, Some(&shape))?;
            }
        }
        Layer::Covered => {
            let stages: Vec<Stage> = Stage::DESCENDING
                .into_iter()
                .filter(|s| options.stage == Stage::PreProjet || *s == options.stage)
                .collect();
            for stage in stages {
                let members: Vec<UnitId> = (0..ctx.atlas.units.len() as UnitId)
                    .filter(|&u| in_area(u) && ctx.coverage.covered_at(u, stage))
                    .collect();
                if !in_box(&members) {
                    continue;
                }
                let population: u64 = members.iter().map(|&u| ctx.atlas.unit(u).counted_population()).sum();
                let total: u64 = (0..ctx.atlas.units.len() as UnitId)
                    .filter(|&u| in_area(u))
                    .map(|u| ctx.atlas.unit(u).counted_population())
                    .sum();
                let shape = shaper.shape(&members);
                let props = [
                    ("stage", Prop::Str(stage.key())),
                    ("stage_label", Prop::Str(stage.label())),
                    ("units", Prop::Int(Some(members.len() as u64))),
                    ("population", Prop::Int(Some(population))),
                    ("percent", Prop::Real(percent(population, total))),
                    ("area_km2", Prop::Real(round2(members.iter().map(|&u| ctx.atlas.unit(u).area_km2).sum()))),
                    ("fictional", fictional.clone()),
                ];
                writer.feature(&props, Some(&shape))?;
            }
        }
        Layer::Uncovered => {
            let uncovered: Vec<UnitId> =
                ctx.coverage.uncovered_at(options.stage).into_iter().filter(|&u| in_area(u)).collect();
            let (zones, _) = uncovered_zones(ctx.atlas, &uncovered);
            for (rank, zone) in zones.zones.iter().enumerate() {
                let members = &zone.members;
                if !in_box(members) {
                    continue;
                }
                let shape = shaper.shape(members);
                let props = [
                    ("zone", Prop::Int(Some(rank as u64 + 1))),
                    ("stage", Prop::Str(options.stage.key())),
                    ("stage_label", Prop::Str(options.stage.label())),
                    ("units", Prop::Int(Some(zone.units as u64))),
                    ("population", Prop::Int(Some(zone.population))),
                    ("area_km2", Prop::Real(zone.area_km2)),
                    ("departements", Prop::Text(joined(&zone.departements))),
                    ("main_unit", Prop::Str(&zone.main_unit)),
                    ("codes", Prop::Text(joined(zone.codes.iter().map(|c| c.to_string())))),
                    ("fictional", fictional.clone()),
                ];
                writer.feature(&props, Some(&shape))?;
            }
        }
        Layer::Overlaps => {
            for u in 0..ctx.atlas.units.len() as UnitId {
                let ts: Vec<&crate::territory::Territory> = ctx.coverage.covering[u as usize]
                    .iter()
                    .map(|&t| &ctx.coverage.territories[t as usize])
                    .filter(|t| t.stage >= options.stage)
                    .collect();
                if ts.len() < 2 || !in_area(u) || !in_box(&[u]) {
                    continue;
                }
                let unit = ctx.atlas.unit(u);
                let shape = shaper.shape(&[u]);
                let props = [
                    ("code", Prop::Text(unit.code.to_string())),
                    ("name", Prop::Str(&unit.name)),
                    ("population", Prop::Int(unit.population)),
                    ("departement", Prop::Str(&unit.departement)),
                    ("cpts_count", Prop::Int(Some(ts.len() as u64))),
                    ("cpts_ids", Prop::Text(joined(ts.iter().map(|t| t.id.as_str())))),
                    ("cpts_names", Prop::Text(joined(ts.iter().map(|t| t.name.as_str())))),
                    ("fictional", fictional.clone()),
                ];
                writer.feature(&props, Some(&shape))?;
            }
        }
        Layer::Departements | Layer::Regions => {
            let by_dep = layer == Layer::Departements;
            let mut groups: BTreeMap<&str, Vec<UnitId>> = BTreeMap::new();
            // The départements (régions) that reach the area.
            let mut reached: std::collections::BTreeSet<&str> = Default::default();
            for (u, unit) in ctx.atlas.units.iter().enumerate() {
                let key = if by_dep { unit.departement.as_str() } else { unit.region.as_str() };
                groups.entry(key).or_default().push(u as UnitId);
                if in_area(u as UnitId) {
                    reached.insert(key);
                }
            }
            let areas = if by_dep { &ctx.coverage.report.departements } else { &ctx.coverage.report.regions };
            for (code, members) in groups {
                let keep = reached.contains(code) && in_box(&members);
                let Some(area) = areas.iter().find(|a| a.code == code).filter(|_| keep) else { continue };
                let shape = shaper.shape(&members);
                let mut props = area_props(area);
                props.push(("area_km2", Prop::Real(round2(area_km2(&shape)))));
                props.push(("fictional", fictional.clone()));
                writer.feature(&props, Some(&shape))?;
            }
        }
    }
    let mut summary = shaper.summary;
    summary.features = writer.finish()?;
    Ok(summary)
}

fn area_props(a: &AreaCoverage) -> Vec<(&'static str, Prop<'_>)> {
    let mut props = vec![
        ("code", Prop::Str(&a.code)),
        ("name", Prop::Str(&a.name)),
        ("region", a.region.as_deref().map_or(Prop::Null, Prop::Str)),
        ("units", Prop::Int(Some(a.units as u64))),
        ("population", Prop::Int(Some(a.population))),
        ("covered_population", Prop::Int(Some(a.covered_population))),
        ("percent", Prop::Real(a.percent)),
    ];
    for s in &a.by_stage {
        let (pop, pct) = match s.stage {
            Stage::AciSigne => ("pop_aci_signe", "pct_aci_signe"),
            Stage::ProjetSanteValide => ("pop_projet_sante_valide", "pct_projet_sante_valide"),
            Stage::LettreIntention => ("pop_lettre_intention", "pct_lettre_intention"),
            Stage::PreProjet => ("pop_pre_projet", "pct_pre_projet"),
        };
        props.push((pop, Prop::Int(Some(s.population))));
        props.push((pct, Prop::Real(s.percent)));
    }
    props
}

/// Features per chunk encoded on two threads, then written in order:
/// memory stays bounded whatever the size of the layer.
const CHUNK: usize = 2048;

fn communes(
    ctx: &Context,
    options: &ExportOptions,
    shaper: &mut Shaper,
    writer: &mut FeatureWriter<impl Write>,
    in_area: &(dyn Fn(UnitId) -> bool + Sync),
    fictional: bool,
) -> io::Result<()> {
    let in_box = |u: UnitId| {
        options.bbox.is_none_or(|b| ctx.atlas.unit(u).bbox.is_some_and(|ub| geo::Intersects::intersects(&ub, &b)))
    };
    let units: Vec<UnitId> = (0..ctx.atlas.units.len() as UnitId).filter(|&u| in_area(u) && in_box(u)).collect();
    let shaper = &*shaper;
    for chunk in units.chunks(CHUNK) {
        let half = chunk.len().div_ceil(2);
        let encode = |part: &[UnitId]| -> Vec<Vec<u8>> {
            part.iter().map(|&u| commune_feature(ctx, options, shaper, u, fictional)).collect()
        };
        let (first, second) = std::thread::scope(|s| {
            let second = s.spawn(|| encode(&chunk[half..]));
            (encode(&chunk[..half]), second.join().unwrap_or_default())
        });
        for f in first.iter().chain(&second) {
            writer.encoded(f)?;
        }
    }
    Ok(())
}

fn commune_feature(ctx: &Context, options: &ExportOptions, shaper: &Shaper, u: UnitId, fictional: bool) -> Vec<u8> {
    let unit = ctx.atlas.unit(u);
    let ts: Vec<&crate::territory::Territory> =
        ctx.coverage.covering[u as usize].iter().map(|&t| &ctx.coverage.territories[t as usize]).collect();
    let best = ctx.coverage.best[u as usize];
    let shape = if unit.contour.is_some() { Some(shaper.unit_shape(u)) } else { None };
    let props = [
        ("code", Prop::Text(unit.code.to_string())),
        ("name", Prop::Str(&unit.name)),
        (
            "kind",
            Prop::Str(match unit.kind {
                UnitKind::Commune => "commune",
                UnitKind::Arrondissement { .. } => "arrondissement",
            }),
        ),
        ("population", Prop::Int(unit.population)),
        ("departement", Prop::Str(&unit.departement)),
        ("region", Prop::Str(&unit.region)),
        ("epci", Prop::Text(joined(&unit.epcis))),
        ("covered", Prop::Bool(ctx.coverage.covered_at(u, options.stage))),
        ("best_stage", best.map_or(Prop::Null, |s| Prop::Str(s.key()))),
        ("best_stage_label", best.map_or(Prop::Null, |s| Prop::Str(s.label()))),
        ("cpts_count", Prop::Int(Some(ts.len() as u64))),
        ("cpts_ids", Prop::Text(joined(ts.iter().map(|t| t.id.as_str())))),
        ("cpts_names", Prop::Text(joined(ts.iter().map(|t| t.name.as_str())))),
        ("uncovered_zone", Prop::Int(ctx.coverage.zone_of[u as usize].map(|z| u64::from(z) + 1))),
        ("area_km2", Prop::Real(round2(unit.area_km2))),
        ("fictional", Prop::Bool(fictional)),
    ];
    let mut buf = Vec::with_capacity(4096);
    encode_feature(&props, shape.as_ref(), &mut buf);
    buf
}

/// Whether the bounding box of some units meets `bbox` (units without contour never do).
fn meets(atlas: &Atlas, members: &[UnitId], bbox: geo::Rect<f64>) -> bool {
    members.iter().any(|&u| atlas.unit(u).bbox.is_some_and(|ub| geo::Intersects::intersects(&ub, &bbox)))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
