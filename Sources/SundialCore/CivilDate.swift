/// Proleptic Gregorian calendar dates and day counts since 1970-01-01 (UTC), both directions,
/// with Howard Hinnant's `civil_from_days` / `days_from_civil` algorithms (exact for every
/// `Int64` day count the callers produce; no Foundation). Used by PromQL's date functions, the
/// HTTP API's RFC 3339 parsing and formatting, snapshot names and `sundial tsdb list`.
public enum CivilDate {
    /// The (year, month 1–12, day 1–31) of `days` since 1970-01-01 (negative: before it).
    @inlinable
    public static func fromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Days since 1970-01-01 of `year`-`month`-`day` (month 1–12; the day is not range-checked).
    @inlinable
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The day count and the milliseconds into that day of a timestamp (floor division, so
    /// instants before 1970 land on the right day).
    @inlinable
    public static func split(ms: Int64) -> (days: Int64, msOfDay: Int64) {
        let days = ms >= 0 ? ms / 86_400_000 : (ms - 86_399_999) / 86_400_000
        return (days, ms - days * 86_400_000)
    }
}
