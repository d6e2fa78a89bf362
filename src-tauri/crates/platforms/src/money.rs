//! Money as the library stores it: integer micros (1/1,000,000 of the currency's major
//! unit) plus an ISO 4217 code. Every platform's wire format converts exactly, without
//! floating point: decimal strings are parsed digit by digit.

use std::fmt;

/// An amount in micros of `currency`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Micros(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("'{0}' is not a decimal amount")]
    NotADecimal(String),
    #[error("'{0}' is too large for the library")]
    Overflow(String),
    #[error("'{0}' is not an ISO 4217 currency code")]
    Currency(String),
}

impl fmt::Display for Micros {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000)
    }
}

/// A three-letter upper-case ISO 4217 code.
pub fn currency(code: &str) -> Result<String, MoneyError> {
    let c = code.trim();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_alphabetic()) {
        Ok(c.to_ascii_uppercase())
    } else {
        Err(MoneyError::Currency(code.to_owned()))
    }
}

/// A decimal in major units (`"12.34"`, `"-0.5"`, `"1.5E2"`, `"3"`) as micros, rounded half
/// to even beyond six decimals (LinkedIn allows scientific notation; Meta's insights
/// `spend`, TikTok's and Microsoft's amounts are major-unit decimals).
pub fn decimal_to_micros(raw: &str) -> Result<Micros, MoneyError> {
    decimal_to_micros_rounding(raw, Rounding::HalfEven)
}

/// How a decimal with more than six decimals is brought to micros.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rounding {
    HalfEven,
    HalfAwayFromZero,
}

/// A JSON double in major units (Google Ads `conversions`, `conversionsValue`) as micros,
/// rounded half away from zero. The number's shortest decimal text is converted, so `0.1`
/// is exactly 100,000 micros rather than the binary double times a million.
pub fn double_to_micros(v: &serde_json::Value) -> Result<Micros, MoneyError> {
    match v {
        serde_json::Value::Number(n) => {
            decimal_to_micros_rounding(&n.to_string(), Rounding::HalfAwayFromZero)
        }
        serde_json::Value::String(s) => decimal_to_micros_rounding(s, Rounding::HalfAwayFromZero),
        other => Err(MoneyError::NotADecimal(other.to_string())),
    }
}

fn decimal_to_micros_rounding(raw: &str, rounding: Rounding) -> Result<Micros, MoneyError> {
    let bad = || MoneyError::NotADecimal(raw.to_owned());
    let s = raw.trim();
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().map_err(|_| bad())?),
        None => (s, 0),
    };
    let (negative, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if (int_part.is_empty() && frac_part.is_empty())
        || !int_part.chars().all(|c| c.is_ascii_digit())
        || !frac_part.chars().all(|c| c.is_ascii_digit())
        || !(-30..=30).contains(&exponent)
    {
        return Err(bad());
    }
    // All digits as one integer, with the decimal point `scale` places from the right.
    let all: String = format!("{int_part}{frac_part}");
    let all = all.trim_start_matches('0');
    let scale = frac_part.len() as i32 - exponent;
    // micros = all × 10^(6 − scale), rounding half to even when dividing.
    let shift = 6 - scale;
    let value: i128 = if all.is_empty() {
        0
    } else {
        if all.len() > 36 {
            return Err(MoneyError::Overflow(raw.to_owned()));
        }
        all.parse::<i128>().map_err(|_| bad())?
    };
    let micros = if shift >= 0 {
        let factor = 10i128
            .checked_pow(shift as u32)
            .ok_or_else(|| MoneyError::Overflow(raw.to_owned()))?;
        value
            .checked_mul(factor)
            .ok_or_else(|| MoneyError::Overflow(raw.to_owned()))?
    } else {
        let divisor = 10i128.pow((-shift) as u32);
        let (q, r) = (value / divisor, value % divisor);
        let twice = r * 2;
        let up = match rounding {
            Rounding::HalfEven => twice > divisor || (twice == divisor && q % 2 == 1),
            Rounding::HalfAwayFromZero => twice >= divisor,
        };
        if up {
            q + 1
        } else {
            q
        }
    };
    let signed = if negative { -micros } else { micros };
    i64::try_from(signed)
        .map(Micros)
        .map_err(|_| MoneyError::Overflow(raw.to_owned()))
}

/// Currencies Meta counts without a minor unit (offset 1); every other has offset 100
/// (Meta's currency table for `daily_budget`, `lifetime_budget`, `bid_amount`, …).
const META_OFFSET_ONE: &[&str] = &[
    "CLP", "COP", "CRC", "HUF", "IDR", "ISK", "JPY", "KRW", "PYG", "TWD",
];

/// Meta's budget and bid fields: an integer (often a string) in the currency's minor unit
/// as Meta defines it.
pub fn meta_minor_to_micros(raw: &str, currency_code: &str) -> Result<Micros, MoneyError> {
    let code = currency(currency_code)?;
    let minor: i64 = raw
        .trim()
        .parse()
        .map_err(|_| MoneyError::NotADecimal(raw.to_owned()))?;
    let per_major: i64 = if META_OFFSET_ONE.contains(&code.as_str()) {
        1
    } else {
        100
    };
    minor
        .checked_mul(1_000_000 / per_major)
        .map(Micros)
        .ok_or_else(|| MoneyError::Overflow(raw.to_owned()))
}

/// Google Ads `*_micros` fields (int64 carried as JSON strings): already micros.
pub fn google_micros(raw: &str) -> Result<Micros, MoneyError> {
    raw.trim()
        .parse::<i64>()
        .map(Micros)
        .map_err(|_| MoneyError::NotADecimal(raw.to_owned()))
}

/// A JSON number or numeric string in major units (Microsoft's doubles, TikTok's decimals):
/// converted from its textual form, so `0.1` is exactly 100,000 micros.
pub fn json_major_to_micros(v: &serde_json::Value) -> Result<Micros, MoneyError> {
    match v {
        serde_json::Value::Number(n) => decimal_to_micros(&n.to_string()),
        serde_json::Value::String(s) => decimal_to_micros(s),
        other => Err(MoneyError::NotADecimal(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decimals_convert_exactly() {
        for (raw, micros) in [
            ("12.34", 12_340_000),
            ("0.1", 100_000),
            ("-0.5", -500_000),
            ("3", 3_000_000),
            (".25", 250_000),
            ("1.5E2", 150_000_000),
            ("2.5e-3", 2_500),
            ("0.0000005", 0), // half to even: 0.5 micro → 0
            ("0.0000015", 2), // 1.5 micro → 2
            ("0.0000025", 2), // 2.5 micro → 2
            ("1234567.891011", 1_234_567_891_011),
            ("  7.00  ", 7_000_000),
        ] {
            assert_eq!(decimal_to_micros(raw), Ok(Micros(micros)), "{raw}");
        }
        for bad in ["", "abc", "1.2.3", "--1", "1e", "1e99", ".", "1,5"] {
            assert!(decimal_to_micros(bad).is_err(), "{bad}");
        }
        assert!(matches!(
            decimal_to_micros("99999999999999999999"),
            Err(MoneyError::Overflow(_))
        ));
    }

    #[test]
    fn meta_minor_units_depend_on_the_currency() {
        assert_eq!(meta_minor_to_micros("1050", "usd"), Ok(Micros(10_500_000)));
        assert_eq!(
            meta_minor_to_micros("1050", "JPY"),
            Ok(Micros(1_050_000_000))
        );
        assert!(meta_minor_to_micros("10.5", "USD").is_err());
        assert!(meta_minor_to_micros("1", "US").is_err());
    }

    #[test]
    fn google_and_json_amounts() {
        assert_eq!(google_micros("1230000"), Ok(Micros(1_230_000)));
        assert_eq!(
            json_major_to_micros(&serde_json::json!(0.1)),
            Ok(Micros(100_000))
        );
        assert_eq!(
            json_major_to_micros(&serde_json::json!("19.99")),
            Ok(Micros(19_990_000))
        );
        assert_eq!(Micros(-1_500_000).to_string(), "-1.500000");
    }

    #[test]
    fn doubles_round_half_away_from_zero() {
        use serde_json::json;
        assert_eq!(double_to_micros(&json!(1.5)), Ok(Micros(1_500_000)));
        assert_eq!(double_to_micros(&json!(0.1)), Ok(Micros(100_000)));
        assert_eq!(double_to_micros(&json!(0.0000005)), Ok(Micros(1)));
        assert_eq!(double_to_micros(&json!(0.0000025)), Ok(Micros(3)));
        assert_eq!(double_to_micros(&json!(-0.0000025)), Ok(Micros(-3)));
        assert_eq!(double_to_micros(&json!(2)), Ok(Micros(2_000_000)));
        assert_eq!(double_to_micros(&json!(1e-7)), Ok(Micros(0)));
        assert!(double_to_micros(&json!(null)).is_err());
    }

    proptest! {
        /// Any amount with up to six decimals round-trips through its decimal text.
        #[test]
        fn round_trips(units in -1_000_000_000_000i64..1_000_000_000_000, frac in 0u32..1_000_000) {
            let micros = units * 1_000_000 + if units < 0 { -(frac as i64) } else { frac as i64 };
            let text = Micros(micros).to_string();
            prop_assert_eq!(decimal_to_micros(&text), Ok(Micros(micros)));
        }

        /// Arbitrary text never panics.
        #[test]
        fn never_panics(s in ".{0,40}") {
            let _ = decimal_to_micros(&s);
        }
    }
}
