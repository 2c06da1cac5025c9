//! The time of day as the decision log and `/v1/pack` write it, without a clock library.

use std::time::{SystemTime, UNIX_EPOCH};

use policy_engine::Date;

/// Now as an RFC 3339 UTC time, to the second
pub(super) fn now() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // The calendar is the engine's (`Date`); a clock past its year 9999 shows the epoch.
    let (y, m, d) = i64::try_from(days)
        .ok()
        .and_then(|days| Date::from_ymd(1970, 1, 1)?.add_days(days))
        .map_or((1970, 1, 1), Date::ymd);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn now_is_rfc3339_utc_to_the_second() {
        let t = super::now();
        let b = t.as_bytes();
        assert_eq!(b.len(), 20, "{t}");
        assert!(t.starts_with("20"), "{t}");
        assert_eq!(
            (b[4], b[7], b[10], b[13], b[16], b[19]),
            (b'-', b'-', b'T', b':', b':', b'Z'),
            "{t}"
        );
        assert!(t.chars().filter(char::is_ascii_digit).count() == 14, "{t}");
    }
}
