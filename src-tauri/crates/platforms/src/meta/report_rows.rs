//! Insights report pages read by type: a page of a big account's daily report holds
//! hundreds of rows, and an import reads millions of them, so a row is read straight into
//! the fields a [`MetricUpsert`] needs (strings borrowed from the page) instead of into a
//! `serde_json::Value` map per row.
//!
//! Only rows of the exact expected shape take this path. A page or row of any other shape
//! (a number where Meta sends a string, a field of the wrong type, a duplicate key, a value
//! with escapes where it matters) goes through the general `Value` reading in `import.rs`,
//! so every row ends as the same record, or the same "broken" message, either way.

use crate::import::{MetricUpsert, Record};
use crate::money;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// A page: its rows left raw, and the small `paging` / `summary` objects.
#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow, default)]
    data: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    paging: Option<&'a RawValue>,
    #[serde(borrow, default)]
    summary: Option<&'a RawValue>,
}

/// One insights row of the expected shape (unknown fields are skipped).
#[derive(Deserialize)]
struct Row<'a> {
    #[serde(borrow, default)]
    campaign_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    adset_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    ad_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    date_start: Option<Cow<'a, str>>,
    #[serde(default)]
    impressions: Count,
    #[serde(default)]
    clicks: Count,
    #[serde(default)]
    reach: Count,
    #[serde(borrow, default)]
    spend: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    account_currency: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    actions: Option<&'a RawValue>,
    #[serde(borrow, default)]
    action_values: Option<&'a RawValue>,
}

/// An entry of `actions` / `action_values`.
#[derive(Deserialize)]
struct Action<'a> {
    #[serde(borrow, default)]
    action_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    value: Option<&'a RawValue>,
}

/// A whole number sent as a string (Meta's way) or a JSON integer; `null` or absent is
/// `None`. Anything else does not fit, and the row goes the general way.
#[derive(Default)]
struct Count(Option<i64>);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number or its text")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Count, E> {
                Ok(Count(None))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Count, E> {
                Ok(Count(Some(n)))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Count, E> {
                i64::try_from(n)
                    .map(|n| Count(Some(n)))
                    .map_err(|_| E::custom("too large"))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Count, E> {
                s.trim()
                    .parse()
                    .map(|n| Count(Some(n)))
                    .map_err(|_| E::custom("not a whole number"))
            }
        }
        d.deserialize_any(V)
    }
}

/// What a report page holds: its records, and the page's `paging` and `summary` (as a small
/// map for the shared cursor and total readers).
pub(super) struct ReportPage {
    pub records: Vec<Record>,
    pub meta: Map<String, Value>,
}

/// Read a report page. `general` turns a row the typed path does not take into its record;
/// `None` when the page itself is not of the expected shape (the caller reads it whole).
pub(super) fn read(
    bytes: &[u8],
    level: &'static str,
    general: impl Fn(&Value) -> Record,
) -> Option<ReportPage> {
    // A derived struct also accepts an array; a page is an object only.
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let page: Page = serde_json::from_slice(bytes).ok()?;
    let mut meta = Map::new();
    for (key, raw) in [("paging", page.paging), ("summary", page.summary)] {
        if let Some(raw) = raw {
            meta.insert(key.to_owned(), serde_json::from_str(raw.get()).ok()?);
        }
    }
    let records = page
        .data
        .iter()
        .map(|raw| {
            typed(raw, level).unwrap_or_else(|| {
                let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
                general(&value)
            })
        })
        .collect();
    Some(ReportPage { records, meta })
}

/// Text as `http::text` reads it: an empty string is absent.
fn given(s: Option<Cow<'_, str>>) -> Option<String> {
    s.filter(|s| !s.is_empty()).map(Cow::into_owned)
}

/// The row's metric, or `None` when the general reading must decide (any doubt, any error).
fn typed(raw: &RawValue, level: &'static str) -> Option<Record> {
    let row: Row = serde_json::from_str(raw.get()).ok()?;
    let id = match level {
        "campaign" => row.campaign_id,
        "ad_group" => row.adset_id,
        _ => row.ad_id,
    };
    let external_id = given(id)?;
    let date = given(row.date_start)?;
    let spend_micros = match row.spend.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => money::decimal_to_micros(s).ok()?.0,
        None => 0,
    };
    Some(Record::Metric(MetricUpsert {
        level: level.into(),
        external_id,
        date,
        breakdown: String::new(),
        impressions: row.impressions.0.unwrap_or(0),
        clicks: row.clicks.0.unwrap_or(0),
        spend_micros,
        currency: given(row.account_currency),
        conversions_micros: conversions(row.actions)?,
        conversion_value_micros: conversions(row.action_values)?,
        video_views: None,
        reach: row.reach.0,
        extra: extra(row.action_values, row.actions),
    }))
}

/// The sum of the conversion actions' values in micros; `None` for anything the general
/// reading should judge (a list that is not a list of objects, a value that is not a plain
/// decimal string).
fn conversions(list: Option<&RawValue>) -> Option<i64> {
    let Some(list) = list.filter(|l| l.get() != "null") else {
        return Some(0);
    };
    let actions: Vec<Action> = serde_json::from_str(list.get()).ok()?;
    let mut sum = 0i64;
    for a in actions {
        let kind = a.action_type.as_deref().unwrap_or("");
        if super::import::CONVERSION_ACTIONS.contains(&kind) {
            let value: &str = serde_json::from_str(a.value?.get()).ok()?;
            sum = sum.saturating_add(money::decimal_to_micros(value).ok()?.0);
        }
    }
    Some(sum)
}

/// `{"action_values":…,"actions":…}` from the raw lists, without whitespace.
fn extra(action_values: Option<&RawValue>, actions: Option<&RawValue>) -> String {
    let values = action_values.map_or("null", RawValue::get);
    let actions = actions.map_or("null", RawValue::get);
    let mut out = String::with_capacity(values.len() + actions.len() + 30);
    out.push_str("{\"action_values\":");
    compact_into(&mut out, values);
    out.push_str(",\"actions\":");
    compact_into(&mut out, actions);
    out.push('}');
    out
}

/// Copy JSON text leaving out whitespace outside strings.
fn compact_into(out: &mut String, json: &str) {
    let (mut in_string, mut escaped) = (false, false);
    for ch in json.chars() {
        if in_string {
            out.push(ch);
            match (escaped, ch) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if !ch.is_ascii_whitespace() {
            if ch == '"' {
                in_string = true;
            }
            out.push(ch);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn general(v: &Value) -> Record {
        match v {
            Value::Object(row) => super::super::import::metric(row, "ad"),
            _ => Record::Broken {
                kind: "metric".into(),
                external_id: String::new(),
                message: "not an object".into(),
            },
        }
    }

    /// Every row gives the record the general reading gives, whichever path it takes.
    #[test]
    fn the_typed_path_agrees_with_the_general_reading() {
        let rows = [
            r#"{"ad_id":"311","date_start":"2026-01-02","impressions":"1234","clicks":"56","spend":"12.34","reach":"1000","actions":[{"action_type":"link_click","value":"56"},{"action_type":"purchase","value":"3"},{"action_type":"lead","value":"1.5"}],"action_values":[{"action_type":"purchase","value":"120.50"}],"account_currency":"USD"}"#,
            r#"{"ad_id":"312","date_start":"2026-01-03","impressions":7,"clicks":null,"spend":"0.01"}"#,
            r#"{"ad_id":"313","date_start":"2026-01-03","impressions":"x"}"#,
            r#"{"ad_id":"314","date_start":"2026-01-03","spend":1.5}"#,
            r#"{"ad_id":"","date_start":"2026-01-03"}"#,
            r#"{"ad_id":"315"}"#,
            r#"{"ad_id":"316","date_start":"2026-01-03","actions":[{"action_type":"purchase","value":2}]}"#,
            r#"{"ad_id":"317","date_start":"2026-01-03","actions":{"purchase":1}}"#,
            r#"{"ad_id":"318","date_start":"2026-01-03","actions":[{"action_type":"purchase","value":"abc"}]}"#,
            r#"{"ad_id":"319","date_start":"2026-01-03","spend":"","account_currency":"","reach":"  42 "}"#,
            r#"{"ad_id":320,"date_start":"2026-01-03"}"#,
            r#"{"ad_id":"321","date_start":"2026-01-03","actions":[{"action_type":"purchase","value":"1\u0030"}]}"#,
            r#""not a row""#,
        ];
        let page = format!(
            r#"{{"data":[{}],"paging":{{"cursors":{{"after":"QQ"}},"next":"https:\/\/x"}}}}"#,
            rows.join(",")
        );
        let read = read(page.as_bytes(), "ad", general).expect("the page");
        for (i, raw) in rows.iter().enumerate() {
            let value: Value = serde_json::from_str(raw).unwrap();
            let expected = general(&value);
            assert_eq!(read.records[i], expected, "row {i}: {raw}");
        }
        assert_eq!(read.meta["paging"]["next"], "https://x");
        let fast: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, raw)| {
                typed(&RawValue::from_string(raw.to_string()).unwrap(), "ad").is_some()
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(
            fast,
            vec![0, 1, 9],
            "rows of the expected shape take the typed path"
        );
    }

    #[test]
    fn extra_is_compact_and_keeps_the_lists() {
        assert_eq!(
            extra(
                Some(&RawValue::from_string("[ {\"a\" : \"b c\"} ]".into()).unwrap()),
                None
            ),
            r#"{"action_values":[{"a":"b c"}],"actions":null}"#
        );
        let mut out = String::new();
        compact_into(&mut out, "{ \"k\\\" \" : [1, 2] }");
        assert_eq!(out, "{\"k\\\" \":[1,2]}");
    }

    #[test]
    fn a_page_of_another_shape_is_left_to_the_general_reading() {
        assert!(read(br#"{"data":{"x":1}}"#, "ad", general).is_none());
        assert!(read(b"[]", "ad", general).is_none());
        let empty = read(b"{}", "ad", general).expect("no rows");
        assert!(empty.records.is_empty() && empty.meta.is_empty());
    }
}
