//! Civil dates from Unix time, without a date library: the day a file was
//! written or a binary built (`YYYY-MM-DD`, UTC). Also compiled into
//! `build.rs`, so it depends on nothing else of the crate.

/// `(year, month, day)` of a number of seconds since 1970-01-01 UTC
/// (H. Hinnant's `civil_from_days`).
pub fn civil_from_unix(secs: u64) -> (i64, u32, u32) {
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// `YYYY-MM-DD` of a number of seconds since 1970-01-01 UTC.
pub fn iso_day(secs: u64) -> String {
    let (y, m, d) = civil_from_unix(secs);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_days() {
        assert_eq!(iso_day(0), "1970-01-01");
        assert_eq!(iso_day(951_782_400), "2000-02-29");
        assert_eq!(iso_day(1_795_305_600), "2026-11-22");
    }
}
