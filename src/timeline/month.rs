//! Calendar months (`AAAA-MM`), the unit of the history. The value of a
//! month is the situation on its first day ([`Month::first_day`]), so that
//! a monthly figure and `report --at AAAA-MM-01` always agree.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::territory::IsoDate;

/// A month of the Gregorian calendar, counted from year 0 so that months
/// subtract and add like integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month(u32);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("mois « {0} » non reconnu ; attendu AAAA-MM (par exemple 2023-03), entre 1900 et 2100")]
pub struct InvalidMonth(pub String);

impl Month {
    /// `month` from 1 to 12.
    pub fn new(year: u16, month: u8) -> Option<Month> {
        (1..=12).contains(&month).then(|| Month(u32::from(year) * 12 + u32::from(month) - 1))
    }

    /// The month a date falls in.
    pub fn of(date: IsoDate) -> Month {
        Month(u32::from(date.year) * 12 + u32::from(date.month) - 1)
    }

    pub fn year(self) -> u32 {
        self.0 / 12
    }

    /// 1 to 12.
    pub fn number(self) -> u32 {
        self.0 % 12 + 1
    }

    /// The day whose situation the month's value is.
    pub fn first_day(self) -> IsoDate {
        // Months are only made from dates and `AAAA-MM` of years 1900–2100, or
        // a bounded number of months after them: the year fits.
        IsoDate { year: u16::try_from(self.year()).unwrap_or(u16::MAX), month: self.number() as u8, day: 1 }
    }

    /// `n` months later.
    pub fn plus(self, n: u32) -> Month {
        Month(self.0.saturating_add(n))
    }

    /// Months from `earlier` to `self` (0 if `earlier` is not earlier).
    pub fn since(self, earlier: Month) -> u32 {
        self.0.saturating_sub(earlier.0)
    }

    /// Every month from `self` to `last`, both included.
    pub fn through(self, last: Month) -> impl Iterator<Item = Month> {
        (self.0..=last.0).map(Month)
    }

    /// « mars 2023 ».
    pub fn french(self) -> String {
        const NAMES: [&str; 12] = [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        ];
        format!("{} {}", NAMES[(self.number() - 1) as usize], self.year())
    }
}

impl FromStr for Month {
    type Err = InvalidMonth;

    fn from_str(text: &str) -> Result<Month, InvalidMonth> {
        let bad = || InvalidMonth(text.to_string());
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || !(1..=2).contains(&m.len()) {
            return Err(bad());
        }
        let year: u16 = y.parse().map_err(|_| bad())?;
        let month: u8 = m.parse().map_err(|_| bad())?;
        if !(1900..=2100).contains(&year) {
            return Err(bad());
        }
        Month::new(year, month).ok_or_else(bad)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.number())
    }
}

impl Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_and_print_as_year_and_month() {
        let m: Month = "2023-03".parse().unwrap();
        assert_eq!(m.to_string(), "2023-03");
        assert_eq!(m.first_day().to_string(), "2023-03-01");
        assert_eq!(m.french(), "mars 2023");
        assert!("2023-13".parse::<Month>().is_err());
        assert!("2023-03-01".parse::<Month>().is_err());
        assert!("23-03".parse::<Month>().is_err());
        assert!("3000-01".parse::<Month>().is_err());
    }

    #[test]
    fn months_count_across_years() {
        let dec: Month = "2022-12".parse().unwrap();
        assert_eq!(dec.plus(1).to_string(), "2023-01");
        assert_eq!(dec.plus(15).since(dec), 15);
        assert_eq!(dec.since(dec.plus(1)), 0);
        assert_eq!(dec.through(dec.plus(2)).count(), 3);
        let d: IsoDate = "2023-02-28".parse().unwrap();
        assert_eq!(Month::of(d), dec.plus(2));
    }
}
