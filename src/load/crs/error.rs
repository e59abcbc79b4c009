//! Why a coordinate system is refused, in French for the user: what was
//! found, why cptsmap cannot convert it exactly, what to do, and what it
//! accepts.

use super::wkt::SyntaxError;

/// What to run when the data are on a datum cptsmap does not convert.
const CONVERT_FIRST: &str = "convertissez d'abord, par exemple : ogr2ogr -t_srs EPSG:2154 sortie.shp entree.shp";

/// The systems cptsmap accepts, for the error messages.
const SUPPORTED: &str = "WGS84 et systèmes géographiques compatibles en degrés (EPSG:4326, 4171, 4258, 5489, 4558, \
     4624, 4627, 4470, 7084, 7086, 9777, 9782), Lambert-93 (EPSG:2154, 9793, 9794), CC42 à CC50 (EPSG:3942 à 3950), \
     UTM 20N (EPSG:5490, 4559, 32620), UTM 22N (EPSG:2972, 32622), UTM 40S (EPSG:2975, 32740), \
     UTM 38S (EPSG:4471, 32738), UTM 30N à 32N (EPSG:25830 à 25832, 32630 à 32632), Web Mercator (EPSG:3857), \
     et toute projection conique conforme de Lambert ou Mercator transverse en mètres sur ces datums";

/// A coordinate system cptsmap cannot turn into WGS84 exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("système de coordonnées non pris en charge : {found} ; {reason}. Systèmes acceptés : {supported}", supported = SUPPORTED)]
pub struct UnknownCrs {
    /// The CRS as the input names it (`NTF (Paris) / Lambert zone II (EPSG:27572)`),
    /// or the first characters of an unreadable text.
    pub found: String,
    pub reason: Refusal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("WKT illisible ({0})")]
    Unreadable(SyntaxError),
    #[error("code EPSG inconnu de cptsmap")]
    UnknownCode,
    #[error(
        "datum NTF (ellipsoïde Clarke 1880 IGN, méridien de Paris) : son passage exact en WGS84 demande la grille \
         de l'IGN, que cptsmap n'applique pas ; {hint}",
        hint = CONVERT_FIRST
    )]
    Ntf,
    #[error(
        "datum « {0} » : seuls WGS84 et les réseaux qui lui sont liés sans grille (RGF93, ETRS89, RGAF09, \
         RRAF 1991, RGFG95, RGR92, RGM04) sont convertis exactement ; {hint}",
        hint = CONVERT_FIRST
    )]
    Datum(String),
    #[error("ellipsoïde « {0} » : GRS 1980 ou WGS 84 attendu ; {hint}", hint = CONVERT_FIRST)]
    Ellipsoid(String),
    #[error("méridien d'origine « {0} » : Greenwich attendu ; {hint}", hint = CONVERT_FIRST)]
    PrimeMeridian(String),
    #[error("unité angulaire « {0} » : degrés attendus")]
    AngularUnit(String),
    #[error("unité de longueur « {0} » : mètres attendus")]
    LinearUnit(String),
    #[error("type « {0} » : système géographique (GEOGCS, GEOGCRS) ou projeté (PROJCS, PROJCRS) attendu")]
    Kind(String),
    #[error("pas de système géographique de base (GEOGCS, BASEGEOGCRS)")]
    MissingBase,
    #[error("méthode de projection « {0} » non prise en charge")]
    Method(String),
    #[error("paramètre « {0} » manquant")]
    MissingParameter(&'static str),
    #[error("paramètre « {0} » non pris en charge par cette méthode")]
    UnexpectedParameter(String),
    #[error("paramètre « {0} » sans valeur numérique")]
    ParameterValue(String),
    #[error("paramètres sans projection possible (parallèles, échelle ou origine)")]
    ImpossibleParameters,
    #[error("la définition ne correspond pas au code EPSG:{0} qu'elle annonce")]
    Mismatch(u32),
}
