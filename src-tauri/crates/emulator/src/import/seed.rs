//! Deterministic content: ids, names, statuses, creatives and daily delivery, each a pure
//! function of (account key, index, day). Realistic enough for Demo mode: unicode names,
//! a mix of statuses, shared images, missing optional fields.

use crate::config::ImportSeed;
use chrono::NaiveDate;

/// The word the body text of ad `index`'s creative always contains (Meta: the creative's
/// `body`, its story's `message` and `asset_feed_spec.bodies[0]`; Google: the first
/// description of the ad), so tests can search the imported library for one ad.
pub fn searchable_word(ad_index: usize) -> String {
    format!("zephyr{ad_index}")
}

/// The image whose bytes image `index` repeats under another hash (every tenth image is
/// a byte-identical copy of the one before), so content-addressed storage has duplicates.
pub fn duplicate_image_of(index: usize) -> Option<usize> {
    (index % 10 == 9).then(|| index - 1)
}

/// The library image ad `index` uses (several ads share each image).
pub fn image_of_ad(ad_index: usize, images: usize) -> Option<usize> {
    (images > 0).then(|| (ad_index * 7 + ad_index / 3) % images)
}

/// SplitMix64: a cheap, well-mixed hash for deterministic choices.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut z = a
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(b)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(crate) fn pick<T: Copy>(list: &[T], h: u64) -> T {
    list[usize::try_from(h % list.len() as u64).unwrap_or(0)]
}

/// What an id names; its digit sits between the account key and the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Obj {
    Campaign = 1,
    AdSet = 2,
    Ad = 3,
    Creative = 4,
    Video = 5,
    Image = 6,
    Budget = 7,
}

impl Obj {
    fn of(digit: u8) -> Option<Obj> {
        Some(match digit {
            1 => Obj::Campaign,
            2 => Obj::AdSet,
            3 => Obj::Ad,
            4 => Obj::Creative,
            5 => Obj::Video,
            6 => Obj::Image,
            7 => Obj::Budget,
            _ => return None,
        })
    }
}

/// `{prefix}{key:03}{kind}{index:08}`: numeric like the platforms' own ids.
pub(crate) fn object_id(prefix: &str, key: u32, obj: Obj, index: usize) -> String {
    format!("{prefix}{key:03}{}{index:08}", obj as u8)
}

pub(crate) fn parse_id(prefix: &str, id: &str) -> Option<(u32, Obj, usize)> {
    let rest = id.strip_prefix(prefix)?;
    if rest.len() != 12 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = rest.get(..3)?.parse().ok()?;
    let obj = Obj::of(rest.get(3..4)?.parse().ok()?)?;
    let index = rest.get(4..)?.parse().ok()?;
    Some((key, obj, index))
}

/// Meta's image hash: 32 hex digits like an MD5, carrying the account key and index.
pub(crate) fn image_hash(key: u32, index: usize) -> String {
    format!(
        "{:016x}{key:04x}{index:012x}",
        mix(u64::from(key), index as u64)
    )
}

pub(crate) fn parse_image_hash(hash: &str) -> Option<(u32, usize)> {
    if hash.len() != 32 {
        return None;
    }
    let key = u32::from_str_radix(hash.get(16..20)?, 16).ok()?;
    let index = usize::from_str_radix(hash.get(20..)?, 16).ok()?;
    (image_hash(key, index) == hash).then_some((key, index))
}

/// The bytes behind image `index` of account `key` (duplicates share their original's).
pub(crate) fn image_content(key: u32, index: usize) -> u64 {
    mix(
        u64::from(key) + 1,
        duplicate_image_of(index).unwrap_or(index) as u64,
    )
}

const THEMES: &[&str] = &[
    "Spring Sale",
    "Summer Launch",
    "Back to School",
    "Black Friday",
    "Holiday Gifts",
    "Brand Awareness",
    "App Installs",
    "Lead Gen Q3",
    "Soldes d'été ☀️",
    "新春セール 🎉",
    "Campaña Navideña",
    "Rentrée Café ☕",
];
const FUNNELS: &[&str] = &["Prospecting", "Retargeting", "Lookalike", "Broad"];
const AUDIENCES: &[&str] = &[
    "US 25–44",
    "Lookalike 1% Purchasers",
    "Interests: Running 🏃",
    "Retargeting 30d",
    "Broad FR/DE",
    "東京 18–34",
];
const LEADS: &[&str] = &[
    "Shop the new collection today —",
    "Free shipping on orders over $50 ✨",
    "Découvrez nos nouveautés —",
    "限定セール開催中 —",
    "Últimos días: ¡hasta −40 %! —",
];
const TAILS: &[&str] = &[
    "Limited stock, order now.",
    "Join 10,000 happy customers 😊",
    "Livraison offerte dès 50 €.",
    "Try it free for 30 days.",
];

/// The campaign's display name, e.g. "Spring Sale — Prospecting 0007".
pub(crate) fn campaign_name(key: u32, c: usize) -> String {
    let h = mix(u64::from(key), c as u64);
    format!("{} — {} {c:04}", pick(THEMES, h), pick(FUNNELS, h >> 8))
}

pub(crate) fn ad_set_name(key: u32, s: usize) -> String {
    let h = mix(u64::from(key) + 7, s as u64);
    format!("{} — Set {s:04}", pick(AUDIENCES, h))
}

pub(crate) fn ad_name(a: usize) -> String {
    let variant = match a % 5 {
        0 => "Static",
        1 => "Static — Été",
        2 => "Video 15s 🎬",
        3 => "Carousel 🎠",
        _ => "Dynamic",
    };
    format!("Ad {a:05} — {variant}")
}

/// The body text of ad `a`'s creative; it contains [`searchable_word`].
pub(crate) fn ad_body(key: u32, a: usize) -> String {
    let h = mix(u64::from(key) + 3, a as u64);
    format!(
        "{} {} {}",
        pick(LEADS, h),
        searchable_word(a),
        pick(TAILS, h >> 16)
    )
}

pub(crate) fn ad_title(key: u32, a: usize) -> String {
    let h = mix(u64::from(key) + 5, a as u64);
    pick(
        &[
            "New Arrivals",
            "Save 20% Today",
            "Nouveautés 2026",
            "Our Bestsellers ⭐",
            "Naïve Café Blend",
        ],
        h,
    )
    .to_owned()
}

/// The Meta-style status of a campaign, ad set or ad: mostly active, some paused,
/// archived or deleted.
pub(crate) fn meta_status(obj: Obj, i: usize) -> &'static str {
    match obj {
        Obj::Campaign => match i % 12 {
            5 | 9 => "PAUSED",
            7 => "ARCHIVED",
            11 => "DELETED",
            _ => "ACTIVE",
        },
        Obj::AdSet => match i % 23 {
            3 | 14 => "PAUSED",
            10 => "ARCHIVED",
            _ => "ACTIVE",
        },
        _ => match i % 17 {
            4 => "PAUSED",
            9 => "DELETED",
            12 => "ARCHIVED",
            _ => "ACTIVE",
        },
    }
}

/// The Google Ads status of a campaign, ad group or ad.
pub(crate) fn google_status(obj: Obj, i: usize) -> &'static str {
    match meta_status(obj, i) {
        "PAUSED" => "PAUSED",
        "ARCHIVED" | "DELETED" => "REMOVED",
        _ => "ENABLED",
    }
}

/// One object's delivery on one day; ad sets and campaigns add up their ads'.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Day {
    pub impressions: u64,
    pub reach: u64,
    pub clicks: u64,
    /// Spend in minor units (cents).
    pub spend_cents: u64,
    pub purchases: u64,
    pub purchase_value_cents: u64,
    pub leads: u64,
    pub landing_page_views: u64,
}

impl Day {
    pub fn add(&mut self, o: &Day) {
        self.impressions += o.impressions;
        self.reach += o.reach;
        self.clicks += o.clicks;
        self.spend_cents += o.spend_cents;
        self.purchases += o.purchases;
        self.purchase_value_cents += o.purchase_value_cents;
        self.leads += o.leads;
        self.landing_page_views += o.landing_page_views;
    }

    pub fn delivered(&self) -> bool {
        self.impressions > 0
    }
}

/// The days (counted back from today, inclusive) an ad delivers on: a window of 7–21
/// days inside the seed's `days`, ending today or earlier.
pub(crate) fn ad_window(salt: u64, key: u32, a: usize, days: u32) -> (u32, u32) {
    let h = mix(salt ^ u64::from(key) << 20, a as u64);
    let days = days.max(1);
    let len = (7 + (h % 15) as u32).min(days);
    let end_back = ((h >> 20) % u64::from(days - len + 1)) as u32;
    (end_back, end_back + len - 1)
}

/// Ad `a`'s delivery `back` days before today (zero outside its window).
pub(crate) fn ad_day(salt: u64, key: u32, a: usize, back: u32, days: u32) -> Day {
    let (end, start) = ad_window(salt, key, a, days);
    if back < end || back > start {
        return Day::default();
    }
    let h = mix(
        mix(salt, u64::from(key)),
        (a as u64) << 12 | u64::from(back),
    );
    let impressions = 200 + h % 4_800;
    let clicks = impressions * (1 + (h >> 13) % 5) / 100;
    let spend_cents = clicks * (20 + (h >> 17) % 130);
    let conversions = clicks / (20 + (h >> 23) % 30);
    let lead_ad = a % 4 == 3;
    Day {
        impressions,
        reach: impressions * 4 / 5,
        clicks,
        spend_cents,
        purchases: if lead_ad { 0 } else { conversions },
        purchase_value_cents: if lead_ad {
            0
        } else {
            conversions * (1_500 + (h >> 29) % 8_000)
        },
        leads: if lead_ad { conversions } else { 0 },
        landing_page_views: clicks * 3 / 4,
    }
}

/// The level a metric row is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Level {
    Campaign,
    AdSet,
    Ad,
}

impl Level {
    pub fn count(self, seed: &ImportSeed) -> usize {
        match self {
            Level::Campaign => seed.campaigns,
            Level::AdSet => seed.ad_sets(),
            Level::Ad => seed.ads(),
        }
    }

    /// The ads under object `i` of this level.
    pub fn ads(self, seed: &ImportSeed, i: usize) -> std::ops::Range<usize> {
        let per = match self {
            Level::Campaign => seed.ad_sets_per_campaign * seed.ads_per_ad_set,
            Level::AdSet => seed.ads_per_ad_set,
            Level::Ad => 1,
        };
        i * per..(i + 1) * per
    }

    /// The campaign object `i` of this level belongs to.
    pub fn campaign(self, seed: &ImportSeed, i: usize) -> usize {
        match self {
            Level::Campaign => i,
            Level::AdSet => i / seed.ad_sets_per_campaign.max(1),
            Level::Ad => i / (seed.ad_sets_per_campaign * seed.ads_per_ad_set).max(1),
        }
    }
}

/// Object `i`'s delivery on a day: the sum of its ads', so every level reconciles.
pub(crate) fn level_day(
    salt: u64,
    seed: &ImportSeed,
    key: u32,
    level: Level,
    i: usize,
    back: u32,
) -> Day {
    let mut day = Day::default();
    for a in level.ads(seed, i) {
        day.add(&ad_day(salt, key, a, back, seed.days));
    }
    day
}

/// The inclusive day range, as days back from `today`, that `since..=until` covers inside
/// the seed's history (`None`: no overlap).
pub(crate) fn back_range(
    today: NaiveDate,
    since: NaiveDate,
    until: NaiveDate,
    days: u32,
) -> Option<(u32, u32)> {
    let to_back = |d: NaiveDate| (today - d).num_days();
    let newest = to_back(until).max(0);
    let oldest = to_back(since).min(i64::from(days.max(1)) - 1);
    (newest <= oldest).then_some((newest as u32, oldest as u32))
}

/// Money in minor units as the major-unit decimal string Meta's insights use.
pub(crate) fn major(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_hashes_round_trip() {
        let id = object_id("2385", 4, Obj::Ad, 49_999);
        assert_eq!(parse_id("2385", &id), Some((4, Obj::Ad, 49_999)));
        assert_eq!(parse_id("2385", "238500"), None, "a short id is not ours");
        let hash = image_hash(3, 19_999);
        assert_eq!(hash.len(), 32);
        assert_eq!(parse_image_hash(&hash), Some((3, 19_999)));
        let mut forged = hash.clone();
        forged.replace_range(0..1, if hash.starts_with('0') { "1" } else { "0" });
        assert_eq!(parse_image_hash(&forged), None, "a forged hash is refused");
    }

    #[test]
    fn windows_stay_inside_the_history() {
        for a in 0..2_000 {
            let (end, start) = ad_window(1, 2, a, 90);
            assert!(end <= start && start < 90, "ad {a}: {end}..{start}");
            assert!((7..=21).contains(&(start - end + 1)), "ad {a}: length");
        }
        let (end, start) = ad_window(1, 2, 5, 3);
        assert!(start < 3 && end == 0, "a short history clamps the window");
    }

    #[test]
    fn duplicates_share_bytes_not_hashes() {
        assert_eq!(image_content(1, 9), image_content(1, 8));
        assert_ne!(image_hash(1, 9), image_hash(1, 8));
        assert_ne!(image_content(1, 7), image_content(1, 8));
    }
}
