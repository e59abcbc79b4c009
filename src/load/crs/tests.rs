//! Recognition of real `.prj` texts (from `tests/fixtures/prj/make_prj.py`),
//! refusals, and the public conversion API.

use proptest::prelude::*;

use super::*;

macro_rules! prj {
    ($name:literal) => {
        include_str!(concat!("../../../tests/fixtures/prj/", $name, ".prj"))
    };
}

/// Each CRS as ESRI, GDAL (WKT1) and WKT2 write it, and the code it must get.
const ACCEPTED: &[(&str, &str, &str, u32)] = &[
    (prj!("2154.esri"), prj!("2154.wkt1"), prj!("2154.wkt2"), 2154),
    (prj!("5490.esri"), prj!("5490.wkt1"), prj!("5490.wkt2"), 5490),
    (prj!("2975.esri"), prj!("2975.wkt1"), prj!("2975.wkt2"), 2975),
    (prj!("4471.esri"), prj!("4471.wkt1"), prj!("4471.wkt2"), 4471),
    (prj!("2972.esri"), prj!("2972.wkt1"), prj!("2972.wkt2"), 2972),
    (prj!("3857.esri"), prj!("3857.wkt1"), prj!("3857.wkt2"), 3857),
    (prj!("4326.esri"), prj!("4326.wkt1"), prj!("4326.wkt2"), 4326),
    (prj!("3946.esri"), prj!("3946.wkt1"), prj!("3946.wkt2"), 3946),
    (prj!("4559.esri"), prj!("4559.wkt1"), prj!("4559.wkt2"), 4559),
    (prj!("25831.esri"), prj!("25831.wkt1"), prj!("25831.wkt2"), 25831),
    (prj!("32740.esri"), prj!("32740.wkt1"), prj!("32740.wkt2"), 32740),
];

#[test]
fn esri_ogc_and_wkt2_spellings_give_the_same_crs_as_the_code() {
    for &(esri, wkt1, wkt2, code) in ACCEPTED {
        let reference = Crs::from_epsg(code).unwrap();
        for (flavour, text) in [("esri", esri), ("wkt1", wkt1), ("wkt2", wkt2)] {
            let crs = Crs::from_wkt(text).unwrap_or_else(|e| panic!("EPSG:{code} {flavour}: {e}"));
            assert_eq!(crs.epsg(), Some(code), "EPSG:{code} {flavour}: {crs}");
            assert_eq!(crs.projection(), reference.projection(), "EPSG:{code} {flavour}");
            if !crs.is_wgs84() {
                assert_eq!(crs.to_string(), reference.to_string(), "EPSG:{code} {flavour}");
            }
        }
    }
}

#[test]
fn labels_are_the_french_names_used_in_reports() {
    assert_eq!(Crs::from_wkt(prj!("2154.esri")).unwrap().to_string(), "Lambert-93 (EPSG:2154)");
    assert_eq!(Crs::from_epsg(5490).unwrap().to_string(), "RGAF09 / UTM 20N (EPSG:5490)");
    assert_eq!(Crs::from_epsg(102100).unwrap().to_string(), "Web Mercator (EPSG:3857)");
    // Unchanged from earlier versions: the national report shows it.
    assert_eq!(Crs::from_wkt(prj!("4326.esri")).unwrap().to_string(), "géographique (GCS_WGS_1984)");
    assert_eq!(Crs::wgs84().to_string(), "WGS84 (EPSG:4326)");
}

#[test]
fn lambert93_v2b_is_recognised_by_its_code_and_its_esri_text_as_lambert93() {
    assert_eq!(Crs::from_wkt(prj!("9794.wkt1")).unwrap().epsg(), Some(9794));
    assert_eq!(Crs::from_wkt(prj!("9794.wkt2")).unwrap().epsg(), Some(9794));
    // Without a code, the first known CRS with the same datum family and parameters names it.
    assert_eq!(Crs::from_wkt(prj!("9794.esri")).unwrap().epsg(), Some(2154));
}

fn refusal(text: &str) -> UnknownCrs {
    Crs::from_wkt(text).expect_err("refused")
}

#[test]
fn ntf_is_refused_with_the_conversion_to_run_first() {
    for text in [prj!("27572.esri"), prj!("27572.wkt1"), prj!("27572.wkt2"), prj!("4807.esri"), prj!("4807.wkt1")] {
        let error = refusal(text);
        assert_eq!(error.reason, Refusal::Ntf, "{error}");
        let message = error.to_string();
        assert!(message.contains("NTF") && message.contains("ogr2ogr -t_srs EPSG:2154"), "{message}");
        assert!(message.contains("Lambert-93 (EPSG:2154"), "lists what is accepted: {message}");
    }
    assert!(
        refusal(prj!("27572.wkt1")).found.contains("NTF (Paris) / Lambert zone II (Lambert II étendu) (EPSG:27572)")
    );
    assert_eq!(refusal(prj!("4807.wkt2")).reason, Refusal::Ntf, "in grads too");
    assert_eq!(Crs::from_epsg(27572).unwrap_err().reason, Refusal::Ntf);
    assert_eq!(Crs::from_epsg(4807).unwrap_err().reason, Refusal::Ntf);
}

#[test]
fn ed50_and_other_datums_are_refused_by_name() {
    for text in [prj!("23031.esri"), prj!("23031.wkt2")] {
        assert!(matches!(refusal(text).reason, Refusal::Datum(name) if name.contains("European")), "{text}");
    }
    let nad83 = prj!("2154.esri").replace("D_RGF_1993", "D_North_American_1983");
    assert_eq!(refusal(&nad83).reason, Refusal::Datum("D_North_American_1983".into()));
    let clarke_1866 = prj!("2154.esri").replace("6378137.0,298.257222101", "6378206.4,294.9786982");
    assert_eq!(refusal(&clarke_1866).reason, Refusal::Ellipsoid("GRS_1980".into()));
}

#[test]
fn units_other_than_degrees_and_metres_are_refused() {
    let grads = prj!("4326.esri").replace(r#"UNIT["Degree",0.0174532925199433]"#, r#"UNIT["Grad",0.0157079632679489]"#);
    assert_eq!(refusal(&grads).reason, Refusal::AngularUnit("Grad".into()));
    let feet = prj!("2154.wkt1").replace(r#"UNIT["metre",1,"#, r#"UNIT["US survey foot",0.304800609601219,"#);
    assert_eq!(refusal(&feet).reason, Refusal::LinearUnit("US survey foot".into()));
    let wkt2_grads = prj!("5490.wkt2")
        .replace(r#"ANGLEUNIT["degree",0.0174532925199433]"#, r#"ANGLEUNIT["grad",0.015707963267949]"#);
    assert_eq!(refusal(&wkt2_grads).reason, Refusal::AngularUnit("grad".into()));
}

#[test]
fn unimplemented_methods_and_odd_parameters_are_refused() {
    let polyconic = r#"PROJCS["Mystery",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Polyconic"],UNIT["Meter",1.0]]"#;
    assert_eq!(refusal(polyconic).reason, Refusal::Method("Polyconic".into()));
    assert_eq!(refusal(r#"PROJCS["Mystery",PROJECTION["Polyconic"]]"#).reason, Refusal::MissingBase);
    let world_mercator = prj!("3857.wkt1").replace(r#",EXTENSION["PROJ4","+proj=merc +a=6378137 +b=6378137 +lat_ts=0 +lon_0=0 +x_0=0 +y_0=0 +k=1 +units=m +nadgrids=@null +wktext +no_defs"],AUTHORITY["EPSG","3857"]"#, "");
    assert_eq!(refusal(&world_mercator).reason, Refusal::Method("Mercator_1SP".into()), "ellipsoidal Mercator");
    let rotated =
        prj!("2154.esri").replace("UNIT[\"Meter\"", "PARAMETER[\"Rectified_Grid_Angle\",12.0],UNIT[\"Meter\"");
    assert_eq!(refusal(&rotated).reason, Refusal::UnexpectedParameter("Rectified_Grid_Angle".into()));
    let lying = prj!("2154.wkt1").replace(r#"PARAMETER["central_meridian",3]"#, r#"PARAMETER["central_meridian",4]"#);
    assert_eq!(refusal(&lying).reason, Refusal::Mismatch(2154));
    assert!(matches!(Crs::from_epsg(4979).unwrap_err().reason, Refusal::UnknownCode));
}

#[test]
fn esri_web_mercator_on_its_sphere_is_web_mercator_and_world_mercator_is_refused() {
    // `CRS.from_string("ESRI:102113").to_wkt("WKT1_ESRI")` (pyproj)
    let sphere = r#"PROJCS["WGS_1984_Web_Mercator",GEOGCS["GCS_WGS_1984_Major_Auxiliary_Sphere",DATUM["D_WGS_1984_Major_Auxiliary_Sphere",SPHEROID["WGS_1984_Major_Auxiliary_Sphere",6378137.0,0.0]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Mercator"],PARAMETER["False_Easting",0.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",0.0],PARAMETER["Standard_Parallel_1",0.0],UNIT["Meter",1.0]]"#;
    assert_eq!(Crs::from_wkt(sphere).unwrap().epsg(), Some(3857));
    // EPSG:3395, Mercator on the ellipsoid: another projection.
    let world = sphere.replace("6378137.0,0.0", "6378137.0,298.257223563");
    assert_eq!(refusal(&world).reason, Refusal::Method("Mercator".into()));
    let shifted = prj!("3857.esri").replace(r#"PARAMETER["False_Easting",0.0]"#, r#"PARAMETER["False_Easting",10.0]"#);
    assert_eq!(refusal(&shifted).reason, Refusal::UnexpectedParameter("false_easting = 10".into()));
    let no_meridian = prj!("2154.esri").replace(r#"PARAMETER["Central_Meridian",3.0],"#, "");
    assert_eq!(refusal(&no_meridian).reason, Refusal::MissingParameter("central_meridian"));
}

#[test]
fn projections_can_be_shared_between_threads_and_copied() {
    fn copy_send_sync<T: Copy + Send + Sync>() {}
    copy_send_sync::<Projection>();
}

#[test]
fn garbage_is_refused_with_its_first_characters() {
    for text in ["not a crs", "", "PROJCS[\"x\",", "\u{0}\u{1}binary", "GEOCCS[\"WGS 84\"]"] {
        let error = refusal(text);
        assert!(!error.to_string().is_empty());
    }
    let error = refusal("not a crs at all, just some words that go on and on and on for a long while");
    assert!(matches!(error.reason, Refusal::Unreadable(_)));
    assert!(error.to_string().contains("« not a crs at all"), "{error}");
    assert_eq!(refusal("GEOCCS[\"WGS 84\"]").reason, Refusal::Kind("GEOCCS".into()));
}

#[test]
fn a_custom_lambert_conic_on_rgf93_is_exact_and_named_by_its_wkt() {
    let custom =
        prj!("2154.esri").replace("PARAMETER[\"Central_Meridian\",3.0]", "PARAMETER[\"Central_Meridian\",2.0]");
    let crs = Crs::from_wkt(&custom).unwrap();
    assert_eq!((crs.to_string().as_str(), crs.epsg()), ("RGF_1993_Lambert_93", None));
    let p = crs.projection().from_wgs84(2.0, 46.5).unwrap();
    assert!((p.x - 700_000.0).abs() < 1e-9 && (p.y - 6_600_000.0).abs() < 1e-9);
    assert!(crs.check_extent(0.0, 0.0, 1.0, 1.0).is_err(), "degrees are still refused");
}

#[test]
fn degrees_under_a_projected_crs_and_metres_under_a_geographic_one_are_refused() {
    let lambert93 = Crs::from_wkt(prj!("2154.esri")).unwrap();
    let message = lambert93.check_extent(2.2, 48.8, 2.5, 48.9).unwrap_err();
    assert!(
        message.contains("en degrés") && message.contains("le .prj annonce Lambert-93 (EPSG:2154) : mètres attendus")
    );
    let message = Crs::wgs84().check_extent(600_000.0, 6_800_000.0, 700_000.0, 6_900_000.0).unwrap_err();
    assert!(message.contains("en mètres") && message.contains("sans .prj") && message.contains("degrés attendus"));
    let message = Crs::from_epsg(4171).unwrap().check_extent(-200.0, 40.0, 10.0, 50.0).unwrap_err();
    assert!(message.contains("le système déclaré est géographique (EPSG:4171)"), "{message}");
    assert!(Crs::from_epsg(4326).unwrap().check_extent(-61.8, -21.4, 55.8, 51.1).is_ok());
    assert!(lambert93.check_extent(f64::NAN, 0.0, 1.0, 1.0).is_err());
}

#[test]
fn a_box_far_from_the_area_of_use_is_refused() {
    // Réunion in UTM 40S coordinates, declared as Mayotte's UTM 38S or as Lambert-93.
    let reunion = (314_000.0, 7_634_000.0, 380_000.0, 7_691_000.0);
    assert!(Crs::from_epsg(2975).unwrap().check_extent(reunion.0, reunion.1, reunion.2, reunion.3).is_ok());
    let message = Crs::from_epsg(4471).unwrap().check_extent(reunion.0, reunion.1, reunion.2, reunion.3).unwrap_err();
    assert!(message.contains("zone d'usage") && message.contains("Mayotte"), "{message}");
    assert!(Crs::from_epsg(2154).unwrap().check_extent(reunion.0, reunion.1, reunion.2, reunion.3).is_err());
    // Metropole in Lambert-93, and in a neighbouring conic zone: close enough.
    assert!(Crs::from_epsg(2154).unwrap().check_extent(99_000.0, 6_046_000.0, 1_243_000.0, 7_110_000.0).is_ok());
    assert!(Crs::from_epsg(3946).unwrap().check_extent(1_650_000.0, 5_100_000.0, 1_900_000.0, 5_300_000.0).is_ok());
    // Web Mercator covers the world.
    assert!(Crs::from_epsg(3857).unwrap().check_extent(-7e6, -2.4e6, 6.2e6, 6.6e6).is_ok());
}

#[test]
fn geographic_coordinates_outside_their_range_have_no_wgs84_image() {
    let p = Crs::wgs84().projection();
    assert_eq!(p.to_wgs84(2.0, 48.0), Some(Coord { x: 2.0, y: 48.0 }));
    assert_eq!(p.to_wgs84(700_000.0, 6_600_000.0), None);
    assert_eq!(p.from_wgs84(2.0, 91.0), None);
    assert_eq!(Crs::wgs84().to_wgs84().convert(f64::NAN, 0.0), None);
}

proptest! {
    #[test]
    fn every_known_crs_round_trips_over_its_area(index in 0..known::PROJECTED.len(), u in 0.0..1.0_f64, v in 0.0..1.0_f64) {
        let known = &known::PROJECTED[index];
        let projection = Crs::from_epsg(known.code).unwrap().projection();
        // Up to 60° of latitude, where Web Mercator's scale (1 / cos φ) still
        // allows one tolerance in metres.
        let area = known.area;
        let (south, north) = (area.south.max(-60.0), area.north.min(60.0));
        let (lon, lat) = (area.west + u * (area.east - area.west), south + v * (north - south));
        let p = projection.from_wgs84(lon, lat).unwrap();
        let back = projection.to_wgs84(p.x, p.y).unwrap();
        prop_assert!((back.x - lon).abs() < 1e-12 && (back.y - lat).abs() < 1e-12, "EPSG:{}: {back:?}", known.code);
        let again = projection.from_wgs84(back.x, back.y).unwrap();
        // A few units in the last place of coordinates up to 1e7 m.
        prop_assert!((again.x - p.x).abs() < 8e-9 && (again.y - p.y).abs() < 8e-9, "EPSG:{}", known.code);
    }

    #[test]
    fn no_wkt_text_makes_the_reader_panic(text in "\\PC{0,200}") {
        let _ = Crs::from_wkt(&text);
    }

    #[test]
    fn no_mangled_prj_makes_the_reader_panic(cut in 0..600usize, junk in "[\\[\\]\",()A-Z0-9.-]{0,4}") {
        let text = prj!("2154.wkt2");
        let cut = text.char_indices().map(|(i, _)| i).find(|&i| i >= cut).unwrap_or(text.len());
        let _ = Crs::from_wkt(&format!("{}{junk}{}", &text[..cut], &text[cut..]));
    }
}
