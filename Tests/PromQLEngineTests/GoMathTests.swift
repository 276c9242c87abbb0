@testable import PromQLEngine
import Testing

/// `ln`, `log2`, `log10` answer exactly what Prometheus 2.42 (Go's `math.Log`, `Log2`, `Log10`)
/// answers. The table was recorded from a real Prometheus 2.42 (`ln(x)`, `log2(x)`, `log10(x)` over
/// remote-written samples; values parsed from its shortest round-trip strings, so bit-exact). The
/// random inputs kept are those where glibc's results differ from Go's in the last bit.
@Suite struct GoMathTests {
    static let recorded: [(x: Double, ln: Double, log2: Double, log10: Double)] = [
        (3238327649.007791, 21.898322875781755, 31.592601816675682, 9.510320787887764),
        (6509344730.747603, 22.596504632301613, 32.59986517444603, 9.813537272109858),
        (724362867.6029913, 20.400803023138725, 29.432137351634807, 8.859956179344326),
        (4245191892.0006204, 22.16905285992847, 31.983182622224096, 9.627897326088439),
        (5771029486.597884, 22.47611632210559, 32.42618155634523, 9.76125329330607),
        (9762551055.952946, 23.00181958190166, 33.18461104223217, 9.989563318154055),
        (465826807.1309801, 19.959324464490567, 28.795218424414305, 8.66822447744483),
        (8584684590.628326, 22.87324559103192, 32.999117983217104, 9.933724343403046),
        (40936034.84654566, 17.527521280711223, 25.28686803075785, 7.612105773654702),
        (142429382.54681262, 18.774356873767008, 27.085671557663286, 8.153599591559397),
        (39324819.252487384, 17.487366410648526, 25.22893679885086, 7.59466673516493),
        (9421805883.093576, 22.966292614495956, 33.13335646253814, 9.974134152251),
        (5e-324, -709.0895657128241, -1074, -307.9536855642528),
        (2.5e-308, -708.2799179102919, -1021.8319251304202, -307.60205999132796),
        (0.5, -0.6931471805599453, -1, -0.3010299956639812),
        (1024.0, 6.931471805599453, 10, 3.010299956639812),
        (1e-05, -11.512925464970229, -16.609640474436812, -5),
        (123.456, 4.815884817283264, 6.947853143387016, 2.0915122016277716),
    ]

    @Test func matchesPrometheusBitForBit() {
        for r in Self.recorded {
            #expect(GoMath.log(r.x).bitPattern == r.ln.bitPattern, "ln(\(r.x)) = \(GoMath.log(r.x)), Prometheus \(r.ln)")
            #expect(GoMath.log2(r.x).bitPattern == r.log2.bitPattern, "log2(\(r.x)) = \(GoMath.log2(r.x)), Prometheus \(r.log2)")
            #expect(GoMath.log10(r.x).bitPattern == r.log10.bitPattern, "log10(\(r.x)) = \(GoMath.log10(r.x)), Prometheus \(r.log10)")
        }
    }

    @Test func specialValues() {
        for f in [GoMath.log, GoMath.log2, GoMath.log10] {
            #expect(f(0) == -.infinity)
            #expect(f(-0.0) == -.infinity)
            #expect(f(.infinity) == .infinity)
            #expect(f(-1).isNaN)
            #expect(f(-.infinity).isNaN)
            #expect(f(.nan).isNaN)
            #expect(f(1) == 0)
        }
        #expect(GoMath.frexp(8) == (0.5, 4))
        #expect(GoMath.frexp(-3) == (-0.75, 2))
        #expect(GoMath.frexp(5e-324) == (0.5, -1073))
    }
}
