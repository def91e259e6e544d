//! Reconnect delays: jittered exponential backoff for the in-worker timer and the doubling alarm delay.

/// Full-jitter exponential backoff: attempt `n` waits a uniform delay in `[floor, min(cap, base * 2^n)]` ms.
/// The floor keeps a run of failures from becoming a hot loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Backoff {
    base_ms: u32,
    cap_ms: u32,
    floor_ms: u32,
    attempt: u32,
}

/// In-worker reconnect: base 1 s, cap 30 s, floor 250 ms.
pub const RECONNECT: Backoff = Backoff::new(1_000, 30_000, 250);

/// `opendevbrowser-auto-connect` alarm delay in ms: 5 s doubling to 60 s (PROTOCOL.md §2.2).
pub fn alarm_delay_ms(attempt: u32) -> u32 {
    5_000u32.saturating_mul(1 << attempt.min(4)).min(60_000)
}

impl Backoff {
    /// A backoff at attempt 0.
    pub const fn new(base_ms: u32, cap_ms: u32, floor_ms: u32) -> Self {
        Backoff {
            base_ms,
            cap_ms,
            floor_ms,
            attempt: 0,
        }
    }

    /// Failures since the last reset.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The next delay in ms for a uniform random `unit` in `[0, 1)`, and counts the attempt.
    pub fn next_delay_ms(&mut self, unit: f64) -> u32 {
        let ceiling = self
            .base_ms
            .saturating_mul(1u32 << self.attempt.min(20))
            .min(self.cap_ms)
            .max(self.floor_ms);
        self.attempt = self.attempt.saturating_add(1);
        let span = f64::from(ceiling - self.floor_ms);
        self.floor_ms + (unit.clamp(0.0, 1.0) * span) as u32
    }

    /// Back to attempt 0 (after a successful connect).
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_to_the_cap() {
        let mut b = RECONNECT;
        let tops: Vec<u32> = (0..8).map(|_| b.next_delay_ms(1.0)).collect();
        assert_eq!(
            tops,
            [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]
        );
        assert_eq!(b.attempt(), 8);
        b.reset();
        assert_eq!(b.next_delay_ms(1.0), 1_000);
    }

    #[test]
    fn jitter_stays_above_the_floor() {
        let mut b = RECONNECT;
        assert_eq!(b.next_delay_ms(0.0), 250);
        assert_eq!(b.next_delay_ms(0.5), 250 + 875);
        let mut far = RECONNECT;
        for _ in 0..100 {
            far.next_delay_ms(0.3);
        }
        assert_eq!(far.next_delay_ms(-3.0), 250);
    }

    #[test]
    fn alarm_doubles_from_5s_to_60s() {
        let d: Vec<u32> = (0..7).map(alarm_delay_ms).collect();
        assert_eq!(d, [5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]);
    }
}
