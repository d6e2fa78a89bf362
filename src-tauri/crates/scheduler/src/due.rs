//! Due times: a wall-clock time a person picked in a client's IANA zone, turned into the
//! UTC instant the scheduler uses, with a warning when the local time does not exist (a DST
//! gap) or happens twice (a DST overlap); and the next free queue slot.

use crate::error::{Result, SchedulerError};
use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A wall-clock time resolved in a zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedDue {
    /// RFC 3339 UTC.
    pub at: String,
    pub zone: String,
    /// `YYYY-MM-DDTHH:MM` as chosen.
    pub wall_time: String,
    /// The UTC offset the time falls in, e.g. `-04:00`.
    pub offset: String,
    /// Set when the time is in a DST gap or overlap: what was chosen instead, in words.
    pub warning: Option<String>,
}

pub fn parse_zone(zone: &str) -> Result<Tz> {
    zone.parse::<Tz>().map_err(|_| {
        SchedulerError::Invalid(format!(
            "{zone:?} is not an IANA time zone (like Europe/Paris or America/New_York)"
        ))
    })
}

pub fn parse_wall(wall: &str) -> Result<NaiveDateTime> {
    NaiveDateTime::parse_from_str(wall, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(wall, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(wall, "%Y-%m-%d %H:%M"))
        .map_err(|_| {
            SchedulerError::Invalid(format!(
                "{wall:?} is not a date and time (YYYY-MM-DDTHH:MM)"
            ))
        })
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Resolve `wall` in `zone`.
/// * A time that happens twice (clocks go back) is the **first** occurrence, with a warning.
/// * A time that does not exist (clocks go forward) moves forward by the length of the gap
///   (02:30 on a spring-forward night becomes 03:30), with a warning.
pub fn resolve(zone: &str, wall: &str) -> Result<ResolvedDue> {
    let tz = parse_zone(zone)?;
    let naive = parse_wall(wall)?;
    let wall_time = naive.format("%Y-%m-%dT%H:%M").to_string();
    let (at, warning) = match tz.from_local_datetime(&naive) {
        LocalResult::Single(t) => (t, None),
        LocalResult::Ambiguous(first, second) => (
            first,
            Some(format!(
                "{} happens twice on {} in {zone} (clocks go back). Scheduled at the first one, UTC{}; the second is UTC{}.",
                naive.format("%H:%M"),
                naive.format("%Y-%m-%d"),
                first.format("%:z"),
                second.format("%:z")
            )),
        ),
        LocalResult::None => {
            // Walk forward minute by minute to the end of the gap (gaps are at most a few
            // hours; 24 h bounds a broken zone rule).
            let mut probe = naive;
            let mut found = None;
            for _ in 0..(24 * 60) {
                probe += Duration::minutes(1);
                if let LocalResult::Single(t) | LocalResult::Ambiguous(t, _) =
                    tz.from_local_datetime(&probe)
                {
                    found = Some((probe - naive, t));
                    break;
                }
            }
            let (gap_so_far, _) = found.ok_or_else(|| {
                SchedulerError::Invalid(format!("{wall_time} does not exist in {zone}"))
            })?;
            // The gap's length is the offset change across it; shift by it.
            let before = tz
                .from_local_datetime(&(naive - Duration::hours(24)))
                .earliest()
                .map(|t| t.offset().fix().local_minus_utc());
            let after = tz
                .from_local_datetime(&(naive + Duration::hours(24)))
                .earliest()
                .map(|t| t.offset().fix().local_minus_utc());
            let shift = match (before, after) {
                (Some(b), Some(a)) if a > b => Duration::seconds(i64::from(a - b)),
                _ => gap_so_far,
            };
            let moved = naive + shift;
            let t = tz.from_local_datetime(&moved).earliest().ok_or_else(|| {
                SchedulerError::Invalid(format!("{wall_time} does not exist in {zone}"))
            })?;
            (
                t,
                Some(format!(
                    "{} does not exist on {} in {zone} (clocks go forward). Scheduled at {} instead.",
                    naive.format("%H:%M"),
                    naive.format("%Y-%m-%d"),
                    moved.format("%H:%M")
                )),
            )
        }
    };
    Ok(ResolvedDue {
        at: rfc3339(at.with_timezone(&Utc)),
        zone: tz.name().to_owned(),
        wall_time,
        offset: at.format("%:z").to_string(),
        warning,
    })
}

use chrono::Offset;

/// The wall-clock time of an instant in a zone (`YYYY-MM-DDTHH:MM`).
pub fn wall_of(zone: &str, at: DateTime<Utc>) -> Result<String> {
    let tz = parse_zone(zone)?;
    Ok(at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
}

/// The first queue slot strictly after `after` that no post already takes. Slots are
/// (weekday 0 = Monday, minute of the day) in the client's zone, so 09:00 stays 09:00
/// across DST. Looks up to 8 weeks ahead.
pub fn next_queue_slot(
    zone: &str,
    slots: &[(u8, u16)],
    taken: &[DateTime<Utc>],
    after: DateTime<Utc>,
) -> Result<Option<ResolvedDue>> {
    if slots.is_empty() {
        return Ok(None);
    }
    let tz = parse_zone(zone)?;
    let start: NaiveDate = after.with_timezone(&tz).date_naive();
    for day in 0..56 {
        let date = start + Duration::days(day);
        let weekday = date.weekday().num_days_from_monday() as u8;
        let mut minutes: Vec<u16> = slots
            .iter()
            .filter(|(d, _)| *d == weekday)
            .map(|(_, m)| *m)
            .collect();
        minutes.sort_unstable();
        for m in minutes {
            let wall = date
                .and_hms_opt(u32::from(m / 60), u32::from(m % 60), 0)
                .expect("minute < 1440");
            let resolved = resolve(zone, &wall.format("%Y-%m-%dT%H:%M").to_string())?;
            let at: DateTime<Utc> = resolved.at.parse().expect("we formatted it");
            if at > after && !taken.contains(&at) {
                return Ok(Some(resolved));
            }
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_time_is_its_utc_instant() {
        let r = resolve("Europe/Paris", "2026-07-01T09:00").unwrap();
        assert_eq!(r.at, "2026-07-01T07:00:00.000Z", "Paris is UTC+2 in summer");
        assert_eq!(r.offset, "+02:00");
        assert!(r.warning.is_none(), "no warning for an ordinary time");
        let r = resolve("Europe/Paris", "2026-12-01T09:00").unwrap();
        assert_eq!(r.at, "2026-12-01T08:00:00.000Z", "Paris is UTC+1 in winter");
    }

    #[test]
    fn nine_oclock_stays_nine_oclock_across_a_dst_change() {
        let before = resolve("America/New_York", "2026-03-07T09:00").unwrap();
        let after = resolve("America/New_York", "2026-03-09T09:00").unwrap();
        assert_eq!(before.at, "2026-03-07T14:00:00.000Z", "EST = UTC-5");
        assert_eq!(after.at, "2026-03-09T13:00:00.000Z", "EDT = UTC-4");
    }

    #[test]
    fn a_time_in_the_spring_gap_moves_forward_with_a_warning() {
        // 2026-03-08 02:00 → 03:00 in New York.
        let r = resolve("America/New_York", "2026-03-08T02:30").unwrap();
        assert_eq!(r.at, "2026-03-08T07:30:00.000Z", "02:30 becomes 03:30 EDT");
        let w = r.warning.expect("a gap warns");
        assert!(w.contains("does not exist") && w.contains("03:30"), "{w}");
    }

    #[test]
    fn a_time_in_the_autumn_overlap_takes_the_first_with_a_warning() {
        // 2026-11-01 02:00 → 01:00 in New York: 01:30 happens twice.
        let r = resolve("America/New_York", "2026-11-01T01:30").unwrap();
        assert_eq!(
            r.at, "2026-11-01T05:30:00.000Z",
            "the first 01:30 is EDT (UTC-4)"
        );
        let w = r.warning.expect("an overlap warns");
        assert!(w.contains("twice") && w.contains("-05:00"), "{w}");
    }

    #[test]
    fn southern_hemisphere_and_half_hour_zones() {
        // Sydney leaves DST on 2026-04-05 03:00 → 02:00.
        let r = resolve("Australia/Sydney", "2026-04-05T02:30").unwrap();
        assert!(r.warning.is_some(), "Sydney's autumn overlap warns");
        let r = resolve("Asia/Kolkata", "2026-05-01T09:00").unwrap();
        assert_eq!(r.at, "2026-05-01T03:30:00.000Z", "India is UTC+5:30");
        let r = resolve("Asia/Kathmandu", "2026-05-01T09:00").unwrap();
        assert_eq!(r.at, "2026-05-01T03:15:00.000Z", "Nepal is UTC+5:45");
    }

    #[test]
    fn bad_zones_and_times_are_clear_errors() {
        let e = resolve("Mars/Olympus", "2026-05-01T09:00").unwrap_err();
        assert!(e.to_string().contains("IANA"), "{e}");
        let e = resolve("UTC", "tomorrow at nine").unwrap_err();
        assert!(e.to_string().contains("YYYY-MM-DD"), "{e}");
    }

    #[test]
    fn the_next_queue_slot_skips_taken_and_past_slots_in_the_clients_zone() {
        // Monday 09:00 and Wednesday 14:30, Paris.
        let slots = [(0u8, 9 * 60u16), (2, 14 * 60 + 30)];
        let after: DateTime<Utc> = "2026-11-23T07:30:00Z".parse().unwrap(); // Mon 08:30 Paris
        let first = next_queue_slot("Europe/Paris", &slots, &[], after)
            .unwrap()
            .unwrap();
        assert_eq!(first.at, "2026-11-23T08:00:00.000Z", "Monday 09:00 Paris");
        let taken = [first.at.parse().unwrap()];
        let second = next_queue_slot("Europe/Paris", &slots, &taken, after)
            .unwrap()
            .unwrap();
        assert_eq!(
            second.at, "2026-11-25T13:30:00.000Z",
            "Wednesday 14:30 Paris"
        );
        assert!(
            next_queue_slot("Europe/Paris", &[], &[], after)
                .unwrap()
                .is_none(),
            "no slots, no queue"
        );
    }
}
