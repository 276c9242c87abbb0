import SundialHTTP
import Testing

@Suite struct TimeParsingTests {
    @Test(arguments: [
        ("4", Int64(4000)), ("1435781451.781", 1_435_781_451_781), ("1.5", 1500), ("-1.5", -1500), ("0", 0),
        ("1e3", 1_000_000), ("1.0004", 1000), ("1.0006", 1001), ("1.0005", 1000),
        ("2015-07-01T20:10:51.781Z", 1_435_781_451_781), ("2015-07-01T20:10:51Z", 1_435_781_451_000),
        ("2015-07-01T22:10:51.781+02:00", 1_435_781_451_781), ("1970-01-01T00:00:00.123456789Z", 123),
        ("1969-12-31T23:59:59Z", -1000), ("2024-02-29T00:00:00Z", 1_709_164_800_000),
        ("-292273086-05-16T16:47:06Z", TimeParsing.minTimeMs),
        ("292277025-08-18T07:12:54.999999999Z", TimeParsing.maxTimeMs),
    ])
    func parsesTimes(_ s: String, _ ms: Int64) throws {
        #expect(try TimeParsing.parseTime(s) == ms)
    }

    @Test(arguments: ["", "abc", "NaN", "Inf", "2015-13-01T00:00:00Z", "2023-02-29T00:00:00Z", "2015-07-01 20:10:51Z",
                      "2015-07-01T20:10:51", "2015-07-01T25:00:00Z", "nan(0x1)"])
    func rejectsTimes(_ s: String) {
        #expect(throws: APIError.self) { try TimeParsing.parseTime(s) }
        do {
            _ = try TimeParsing.parseTime(s)
        } catch {
            #expect(error.message == "cannot parse \"\(s)\" to a valid timestamp")
        }
    }

    @Test(arguments: [
        ("15s", Int64(15_000_000_000)), ("1m30s", 90_000_000_000), ("1.5", 1_500_000_000), ("0", 0),
        ("5m", 300_000_000_000), ("100ms", 100_000_000), ("1d", 86_400_000_000_000), ("1w", 604_800_000_000_000),
        ("1y", 31_536_000_000_000_000), ("0.001", 1_000_000), ("-1", -1_000_000_000),
    ])
    func parsesDurations(_ s: String, _ ns: Int64) throws {
        #expect(try TimeParsing.parseDurationNanos(s) == ns)
    }

    @Test(arguments: ["", "5x", "m5", "1s1m", "5mm", "1h 2m", "1000y"])
    func rejectsDurations(_ s: String) {
        #expect(throws: APIError.self) { try TimeParsing.parseDurationNanos(s) }
    }

    @Test func overflowingFloatDuration() {
        do {
            _ = try TimeParsing.parseDurationNanos("1e20")
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "cannot parse \"1e20\" to a valid duration. It overflows int64")
        }
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00Z"), (1_435_781_451_781, "2015-07-01T20:10:51.781Z"), (-1000, "1969-12-31T23:59:59Z"),
        (1_709_164_800_500, "2024-02-29T00:00:00.5Z"),
    ])
    func formatsRFC3339(_ ms: Int64, _ s: String) throws {
        #expect(TimeParsing.formatRFC3339(ms) == s)
        #expect(try TimeParsing.parseTime(s) == ms)
    }
}
