#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Go's `math.Log`, `math.Log2` and `math.Log10`, operation for operation, so `ln`, `log2` and
/// `log10` give Prometheus's answers to the last bit. glibc's `log` is correctly rounded where Go's
/// (FreeBSD's `e_log.c` algorithm, also what Go's amd64 assembly computes) is within one ulp: the
/// two differ in the last digit for some inputs (found by the compliance corpus,
/// Tests/IntegrationTests/ComplianceTests.swift). Pure functions; thread-safe.
enum GoMath {
    // e_log.c constants, by their exact bits.
    static let ln2Hi = Double(bitPattern: 0x3FE6_2E42_FEE0_0000)
    static let ln2Lo = Double(bitPattern: 0x3DEA_39EF_3579_3C76)
    static let l1 = Double(bitPattern: 0x3FE5_5555_5555_5593)
    static let l2 = Double(bitPattern: 0x3FD9_9999_9997_FA04)
    static let l3 = Double(bitPattern: 0x3FD2_4924_9422_9359)
    static let l4 = Double(bitPattern: 0x3FCC_71C5_1D8E_78AF)
    static let l5 = Double(bitPattern: 0x3FC7_4664_96CB_03DE)
    static let l6 = Double(bitPattern: 0x3FC3_9A09_D078_C69F)
    static let l7 = Double(bitPattern: 0x3FC2_F112_DF3E_5244)
    /// Go's constant `Sqrt2/2` rounded to a double.
    static let halfSqrt2 = Double(bitPattern: 0x3FE6_A09E_667F_3BCD)
    /// Go's constant `1/Ln2` rounded to a double.
    static let invLn2 = 1.442695040888963407359924681001892137
    /// Go's constant `1/Ln10` rounded to a double.
    static let invLn10 = 0.434294481903251827651128918916605082

    /// Go `math.Frexp`: `x = frac × 2^exp` with `|frac|` in [0.5, 1); 0, ±Inf and NaN give `(x, 0)`.
    static func frexp(_ x: Double) -> (frac: Double, exp: Int) {
        if x == 0 || x.isInfinite || x.isNaN { return (x, 0) }
        var f = x
        var exp = 0
        if Swift.abs(f) < Double.leastNormalMagnitude {
            f *= Double(sign: .plus, exponent: 52, significand: 1)
            exp = -52
        }
        var bits = f.bitPattern
        exp += Int((bits >> 52) & 0x7FF) - 1023 + 1
        bits &= ~(UInt64(0x7FF) << 52)
        bits |= UInt64(1022) << 52
        return (Double(bitPattern: bits), exp)
    }

    /// Go `math.Log`: natural logarithm; NaN below 0, -Inf at 0, +Inf at +Inf.
    static func log(_ x: Double) -> Double {
        if x.isNaN || x == .infinity { return x }
        if x < 0 { return .nan }
        if x == 0 { return -.infinity }
        // Go's amd64 assembly (`log_amd64.s`, what Prometheus release binaries run) reads the
        // exponent field directly, without normalising subnormals first as the pure-Go `Frexp`
        // does; reproduced so `ln(5e-324)` is Prometheus's -709.0895657128241 too.
        let bits = x.bitPattern
        var f1 = Double(bitPattern: (bits & 0x000F_FFFF_FFFF_FFFF) | 0x3FE0_0000_0000_0000)
        var ki = Int((bits >> 52) & 0x7FF) - 0x3FE
        if f1 < halfSqrt2 {
            f1 *= 2
            ki -= 1
        }
        let f = f1 - 1
        let k = Double(ki)
        let s = f / (2 + f)
        let s2 = s * s
        let s4 = s2 * s2
        let t1 = s2 * (l1 + s4 * (l3 + s4 * (l5 + s4 * l7)))
        let t2 = s4 * (l2 + s4 * (l4 + s4 * l6))
        let r = t1 + t2
        let hfsq = 0.5 * f * f
        return k * ln2Hi - ((hfsq - (s * (hfsq + r) + k * ln2Lo)) - f)
    }

    /// Go `math.Log2`: exact for powers of two, else `Log(frac) × (1/Ln2) + exp`.
    static func log2(_ x: Double) -> Double {
        let (frac, exp) = frexp(x)
        if frac == 0.5 { return Double(exp - 1) }
        return log(frac) * invLn2 + Double(exp)
    }

    /// Go `math.Log10`: `Log(x) × (1/Ln10)`.
    static func log10(_ x: Double) -> Double {
        log(x) * invLn10
    }

    /// Go `math.Exp` as its amd64 assembly computes it on CPUs with AVX2 and FMA (`exp_amd64.s`,
    /// after Shibata's SLEEF method; what Prometheus release binaries run on current x86 servers):
    /// `k = round(x·log2 e)`, `r = (x − k·ln2)/16` with a two-part ln 2 and fused multiply-adds, a
    /// degree-8 Taylor polynomial for e^r − 1 in fused Horner steps, four squarings
    /// `y ← y(y + 2)` (the last fused with the final `+ 1`), then `× 2^k` (through 2^-1022 below
    /// the normal range). Checked bit for bit against Prometheus 2.42 (GoMathTests). On CPUs
    /// without FMA, Go itself rounds differently in the last bit.
    static func exp(_ x: Double) -> Double {
        if x.isNaN || x == .infinity { return x }
        if x == -.infinity { return 0 }
        if x > 7.09782712893384e+02 { return .infinity }
        let t = log2e * x
        let kd = t.rounded(.toNearestOrEven)
        // CVTSD2SL: out of Int32 range gives the "integer indefinite" Int32.min.
        let k = kd >= -2_147_483_648 && kd <= 2_147_483_647 ? Int(kd) : Int(Int32.min)
        let fk = Double(k)
        var r = x.addingProduct(-fk, ln2U)
        r = r.addingProduct(-fk, ln2L)
        r *= 0.0625
        var p = c8
        p = c7.addingProduct(p, r)
        p = c6.addingProduct(p, r)
        p = c5.addingProduct(p, r)
        p = c4.addingProduct(p, r)
        p = c3.addingProduct(p, r)
        p = (0.5).addingProduct(p, r)
        p = (1.0).addingProduct(p, r)
        var y = r * p
        for _ in 0..<3 { y *= y + 2 }
        y = (1.0).addingProduct(y, y + 2)
        let biased = k + 0x3FF
        if biased <= 0 {
            if biased < -52 { return 0 }
            y *= Double(bitPattern: UInt64(biased + 0x3FE) << 52)
            return y * Double(bitPattern: UInt64(1) << 52)
        }
        if biased >= 0x7FF { return .infinity }
        return y * Double(bitPattern: UInt64(biased) << 52)
    }

    static let log2e = 1.4426950408889634073599246810018920
    /// ln 2 split so that `k × ln2U` is exact for the k that occur.
    static let ln2U = 0.69314718055966295651160180568695068359375
    static let ln2L = 0.28235290563031577122588448175013436025525412068e-12
    /// Taylor coefficients 1/3! … 1/8! as Go's table holds them (decimal literals rounded to double).
    static let c3 = 1.6666666666666666667e-1
    static let c4 = 4.1666666666666666667e-2
    static let c5 = 8.3333333333333333333e-3
    static let c6 = 1.3888888888888888889e-3
    static let c7 = 1.9841269841269841270e-4
    static let c8 = 2.4801587301587301587e-5

    /// Go `math.Pow` for finite non-zero `x` and finite `y` (the `^` operator): the integer part of
    /// `y` by repeated squaring of `Frexp(x)`'s fraction, the fractional part as `Exp(yf × Log(x))`.
    /// `Exp` is ``exp(_:)`` (Go's amd64 FMA path). Special values (zeros,
    /// infinities, NaN) follow C99 Annex F as Go's do, so they go to glibc's `pow`.
    static func pow(_ x: Double, _ y: Double) -> Double {
        if y == 0 || x == 1 { return 1 }
        if y == 1 { return x }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 || x.isInfinite || y.isInfinite { return Glibc.pow(x, y) }
        if y == 0.5 { return x.squareRoot() }
        if y == -0.5 { return 1 / x.squareRoot() }
        var yi = Swift.abs(y).rounded(.towardZero)
        var yf = Swift.abs(y) - yi
        if yf != 0 && x < 0 { return .nan }
        if yi >= 9_223_372_036_854_775_808 {
            // A huge even integer: overflow or underflow for every x but -1.
            if x == -1 { return 1 }
            return (Swift.abs(x) < 1) == (y > 0) ? 0 : .infinity
        }
        var a1 = 1.0
        var ae = 0
        if yf != 0 {
            if yf > 0.5 {
                yf -= 1
                yi += 1
            }
            a1 = exp(yf * log(x))
        }
        var (x1, xe) = frexp(x)
        var i = Int64(yi)
        while i != 0 {
            if xe < -(1 << 12) || (1 << 12) < xe {
                // Catastrophic overflow: let the final scaling handle it.
                ae += xe
                break
            }
            if i & 1 == 1 {
                a1 *= x1
                ae += xe
            }
            x1 *= x1
            xe <<= 1
            if x1 < 0.5 {
                x1 += x1
                xe -= 1
            }
            i >>= 1
        }
        if y < 0 {
            a1 = 1 / a1
            ae = -ae
        }
        return Glibc.scalbn(a1, Int32(clamping: ae))
    }
}
