//! The counter-based generator behind the random ops. A stream's state is
//! two `u64`s, `[key, counter]`; element `i` of a draw of `n` elements gets
//! its own sub-stream seeded by the `(counter + i + 1)`-th output of
//! SplitMix64 keyed by `key`, and the draw leaves `[key, counter + n]`.
//! So a draw depends only on the state and the element's position, a
//! distribution may take any number of values per element, and the same
//! state always gives the same numbers.

/// SplitMix64's increment (the golden ratio in 64-bit fixed point).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// SplitMix64's output function (Steele, Lea and Flood 2014).
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The state a seed starts from: the key is the seed mixed (so nearby
/// seeds give unrelated streams), the counter is zero.
pub fn seed_state(seed: u64) -> [u64; 2] {
    [mix(seed.wrapping_add(GOLDEN)), 0]
}

/// The sub-stream of one element: SplitMix64 started from a seed.
pub struct ElementStream {
    state: u64,
}

impl ElementStream {
    /// Element `index` of a draw made from state `[key, counter]`.
    pub fn new(key: u64, counter: u64, index: u64) -> ElementStream {
        let position = counter.wrapping_add(index).wrapping_add(1);
        ElementStream {
            state: mix(key.wrapping_add(position.wrapping_mul(GOLDEN))),
        }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(GOLDEN);
        mix(self.state)
    }

    /// A uniform double in `[0, 1)` with 53 random bits.
    pub fn next_unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A standard normal value (Box-Muller on two uniforms; `1 - u` keeps
    /// the logarithm's argument in `(0, 1]`).
    pub fn next_normal(&mut self) -> f64 {
        let radius = (-2.0 * (1.0 - self.next_unit()).ln()).sqrt();
        let angle = 2.0 * std::f64::consts::PI * self.next_unit();
        radius * angle.cos()
    }

    /// An integer in `[0, span)` (`span >= 1`) by widening multiplication.
    pub fn next_below(&mut self, span: u128) -> u128 {
        (u128::from(self.next_u64()) * span) >> 64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_its_published_first_outputs() {
        // SplitMix64 seeded with 1234567 (the reference implementation's
        // test vector): the first outputs are fixed numbers.
        let mut s = ElementStream { state: 1234567 };
        assert_eq!(s.next_u64(), 6457827717110365317);
        assert_eq!(s.next_u64(), 3203168211198807973);
        assert_eq!(s.next_u64(), 9817491932198370423);
    }

    #[test]
    fn elements_are_positions_of_one_stream() {
        // Element i of a draw at counter c equals element 0 at counter c + i.
        let key = seed_state(7)[0];
        let mut a = ElementStream::new(key, 10, 5);
        let mut b = ElementStream::new(key, 15, 0);
        assert_eq!(a.next_u64(), b.next_u64());
        let mut c = ElementStream::new(key, 10, 6);
        assert_ne!(ElementStream::new(key, 10, 5).next_u64(), c.next_u64());
    }

    #[test]
    fn unit_values_stay_in_the_half_open_interval() {
        let mut s = ElementStream::new(3, 0, 0);
        for _ in 0..10_000 {
            let u = s.next_unit();
            assert!((0.0..1.0).contains(&u));
        }
        assert_eq!(ElementStream::new(3, 0, 0).next_below(1), 0);
    }
}
