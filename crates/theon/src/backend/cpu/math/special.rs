//! tanh, sigmoid, softplus and erf, built on the exp/expm1/log1p kernels in
//! forms that neither overflow nor cancel.

use super::exp::{exp32, exp32_in_range, exp64, exp64_in_range};
use super::log::{log1p32, log1p64};
use super::poly::{horner32, horner64};
use crate::backend::cpu::simd::{unary_kernel, Arch};

/// tanh for f32: Cephes' odd polynomial for |x| < 0.625, else
/// `1 - 2 / (e^(2|x|) + 1)` (no cancellation there: the quotient is at
/// most 0.23), with the sign of x. One division, in the large branch.
#[inline(always)]
pub(crate) fn tanh32<A: Arch>(x: f32) -> f32 {
    let ax = x.abs();
    let z = x * x;
    let p = horner32::<A, 5>(
        z,
        [
            -5.704_988_7e-3,
            2.063_908_9e-2,
            -5.373_971_6e-2,
            1.333_144_2e-1,
            -3.333_328_2e-1,
        ],
    );
    let small = A::mla32(p * z, x, x);
    // tanh(10) rounds to 1; the clamp also keeps NaN out of the exponent
    // arithmetic (NaN is restored below).
    let big_arg = if ax < 10.0 { ax } else { 10.0 };
    let e = exp32_in_range::<A>(2.0 * big_arg);
    let big = (1.0 - 2.0 / (e + 1.0)).copysign(x);
    let y = if ax < 0.625 { small } else { big };
    // ±0 keeps its sign, NaN stays NaN (`!(ax > 0)` holds for both).
    if ax > 0.0 {
        y
    } else {
        x
    }
}

/// tanh for f64: `x + x R(x²)` with Cephes' rational R for |x| < 0.625,
/// else `1 - 2 / (e^(2|x|) + 1)` with the sign of x. Both branches are
/// `s + s q` for a quotient q, so the branch-free form selects the
/// numerator and denominator first and divides once.
#[inline(always)]
pub(crate) fn tanh64<A: Arch>(x: f64) -> f64 {
    let ax = x.abs();
    let z = x * x;
    let p = horner64::<A, 3>(
        z,
        [
            -9.643_991_794_250_522_386_28e-1,
            -9.928_772_310_019_185_865_64e1,
            -1.614_687_684_417_084_479_52e3,
        ],
    );
    let q = horner64::<A, 4>(
        z,
        [
            1.0,
            1.128_116_784_916_324_314_02e2,
            2.235_488_390_601_004_485_83e3,
            4.844_063_053_251_254_860_48e3,
        ],
    );
    // tanh(20) rounds to 1; the clamp also keeps NaN out of the exponent
    // arithmetic (NaN is restored below).
    let big_arg = if ax < 20.0 { ax } else { 20.0 };
    let e = exp64_in_range::<A>(2.0 * big_arg);
    let small = ax < 0.625;
    let num = if small { z * p } else { -2.0 };
    let den = if small { q } else { e + 1.0 };
    let s = if small { x } else { 1.0f64.copysign(x) };
    let y = A::mla64(s, num / den, s);
    // ±0 keeps its sign, NaN stays NaN (`!(ax > 0)` holds for both).
    if ax > 0.0 {
        y
    } else {
        x
    }
}

/// 1 / (1 + e^-x), as `e^x / (1 + e^x)` for x < 0 so tiny results keep
/// their relative accuracy.
#[inline(always)]
pub(crate) fn sigmoid32<A: Arch>(x: f32) -> f32 {
    let e = exp32::<A>(-x.abs());
    let num = if x >= 0.0 { 1.0 } else { e };
    // Divide by 1 + e including the rounding error of that sum, which
    // would otherwise cost up to half an ulp on its own.
    let d = 1.0 + e;
    let d_err = (1.0 - d) + e;
    let q = num / d;
    q - q * (d_err / d)
}

#[inline(always)]
pub(crate) fn sigmoid64<A: Arch>(x: f64) -> f64 {
    let e = exp64::<A>(-x.abs());
    let num = if x >= 0.0 { 1.0 } else { e };
    // Divide by 1 + e including the rounding error of that sum, which
    // would otherwise cost up to half an ulp on its own.
    let d = 1.0 + e;
    let d_err = (1.0 - d) + e;
    let q = num / d;
    q - q * (d_err / d)
}

/// log(1 + e^x) = max(x, 0) + log1p(e^-|x|).
#[inline(always)]
pub(crate) fn softplus32<A: Arch>(x: f32) -> f32 {
    let pos = if x > 0.0 { x } else { 0.0 };
    pos + log1p32::<A>(exp32::<A>(-x.abs()))
}

#[inline(always)]
pub(crate) fn softplus64<A: Arch>(x: f64) -> f64 {
    let pos = if x > 0.0 { x } else { 0.0 };
    pos + log1p64::<A>(exp64::<A>(-x.abs()))
}

/// erf(x)/x as a polynomial in x² on |x| ≤ 1 (Chebyshev fit, mpmath).
const ERF_SMALL: [f64; 13] = [
    5.957_176_147_748_911_404_4e-11,
    -1.137_284_885_679_167_367e-9,
    1.465_977_527_404_743_581_4e-8,
    -1.635_031_270_105_469_501_1e-7,
    1.646_100_048_412_136_803_3e-6,
    -1.492_559_526_683_118_156_5e-5,
    1.205_533_111_164_271_092_3e-4,
    -8.548_326_980_833_789_905_2e-4,
    5.223_977_624_818_014_467_3e-3,
    -2.686_617_064_507_679_324_8e-2,
    1.128_379_167_095_487_866_6e-1,
    -3.761_263_890_318_374_805_6e-1,
    1.128_379_167_095_512_573_8,
];

/// erfc(x) e^(x²) on [1, 2.5] in v = (x - 1.75) / 0.75.
const ERFC_MID: [f64; 18] = [
    -9.112_420_747_968_596_199_5e-12,
    4.854_620_639_719_183_257_2e-11,
    -2.124_508_639_624_497_858_2e-10,
    1.077_129_031_363_032_648e-9,
    -5.413_557_157_390_592_499_3e-9,
    2.621_456_807_948_761_850_3e-8,
    -1.236_603_545_911_041_939_7e-7,
    5.680_082_501_519_670_702_3e-7,
    -2.534_510_784_127_339_531_5e-6,
    1.096_289_654_215_919_393_6e-5,
    -4.585_616_713_646_622_551_5e-5,
    1.849_560_777_696_110_942_9e-4,
    -7.168_914_456_118_456_818_9e-4,
    2.659_179_124_249_122_267_4e-3,
    -9.390_935_492_460_325_981_1e-3,
    3.136_704_192_398_451_552_7e-2,
    -9.823_225_913_586_391_106_1e-2,
    2.849_722_347_374_364_020_1e-1,
];

/// erfc(x) e^(x²) on [2.5, 6] in v = (x - 4.25) / 1.75.
const ERFC_TAIL: [f64; 18] = [
    -2.044_969_687_021_586_309_7e-9,
    6.827_201_822_898_355_675_9e-9,
    -1.333_211_594_983_728_700_5e-8,
    4.278_950_664_169_662_861_5e-8,
    -1.527_797_717_419_810_264_8e-7,
    4.809_810_786_492_991_748_1e-7,
    -1.476_495_966_632_075_877_6e-6,
    4.517_622_606_655_662_681_3e-6,
    -1.363_207_871_912_140_912_4e-5,
    4.048_731_420_044_751_510_7e-5,
    -1.183_541_195_652_103_958_2e-4,
    3.403_114_102_769_243_289_2e-4,
    -9.617_329_863_853_806_776_3e-4,
    2.669_003_736_985_278_457_5e-3,
    -7.266_954_317_229_227_246_5e-3,
    1.939_134_046_298_696_587_8e-2,
    -5.065_257_997_557_818_559_1e-2,
    1.293_452_747_859_925_325_4e-1,
];

/// erf for f64: `x P(x²)` on |x| < 1, else `1 - e^(-x²) Q(|x|)` (the error
/// of x² barely matters there, since e^(-x²) Q ≤ 0.16 is subtracted from 1).
#[inline(always)]
pub(crate) fn erf64<A: Arch>(x: f64) -> f64 {
    let ax = x.abs();
    let t = ax * ax;
    let small = ax * horner64::<A, 13>(t, ERF_SMALL);
    let mid = horner64::<A, 18>((ax - 1.75) * (1.0 / 0.75), ERFC_MID);
    let tail = horner64::<A, 18>((ax - 4.25) * (1.0 / 1.75), ERFC_TAIL);
    let q = if ax < 2.5 { mid } else { tail };
    let big = 1.0 - exp64::<A>(-t) * q;
    let big = if ax >= 6.0 { 1.0 } else { big };
    let y = if ax < 1.0 { small } else { big };
    y.copysign(x)
}

/// erf for f32, evaluated in f64 and rounded once.
#[inline(always)]
pub(crate) fn erf32<A: Arch>(x: f32) -> f32 {
    erf64::<A>(x as f64) as f32
}

unary_kernel!(
    /// `out[i] = tanh x[i]` (f32).
    tanh_f32, tanh_f32_on, f32, tanh32
);
unary_kernel!(
    /// `out[i] = tanh x[i]` (f64).
    tanh_f64, tanh_f64_on, f64, tanh64
);
unary_kernel!(
    /// `out[i] = 1 / (1 + e^-x[i])` (f32).
    sigmoid_f32, sigmoid_f32_on, f32, sigmoid32
);
unary_kernel!(
    /// `out[i] = 1 / (1 + e^-x[i])` (f64).
    sigmoid_f64, sigmoid_f64_on, f64, sigmoid64
);
unary_kernel!(
    /// `out[i] = ln(1 + e^x[i])` (f32).
    softplus_f32, softplus_f32_on, f32, softplus32
);
unary_kernel!(
    /// `out[i] = ln(1 + e^x[i])` (f64).
    softplus_f64, softplus_f64_on, f64, softplus64
);
unary_kernel!(
    /// `out[i] = erf x[i]` (f32, computed in f64).
    erf_f32, erf_f32_on, f32, erf32
);
unary_kernel!(
    /// `out[i] = erf x[i]` (f64).
    erf_f64, erf_f64_on, f64, erf64
);
