//! The one place the server reads the time. Tests move it forward to expire sessions and
//! codes; the demo walks it through two years of history so its audit trail reads true.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use time::{Duration, OffsetDateTime};

#[derive(Clone, Debug, Default)]
pub struct Clock(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    /// When set, `micros` is the time itself; otherwise an offset from the system clock.
    manual: AtomicBool,
    micros: AtomicI64,
}

impl Clock {
    /// The system clock.
    #[must_use]
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands at `at` until moved.
    #[must_use]
    pub fn manual(at: OffsetDateTime) -> Self {
        let clock = Self::default();
        clock.set(at);
        clock
    }

    #[must_use]
    pub fn now(&self) -> OffsetDateTime {
        let micros = self.0.micros.load(Ordering::SeqCst);
        if self.0.manual.load(Ordering::SeqCst) {
            from_micros(micros)
        } else {
            OffsetDateTime::now_utc() + Duration::microseconds(micros)
        }
    }

    pub fn set(&self, at: OffsetDateTime) {
        self.0.micros.store(to_micros(at), Ordering::SeqCst);
        self.0.manual.store(true, Ordering::SeqCst);
    }

    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.whole_microseconds()).unwrap_or(i64::MAX);
        self.0.micros.fetch_add(by, Ordering::SeqCst);
    }
}

/// Instants are stored as microseconds since the Unix epoch.
#[must_use]
pub fn to_micros(at: OffsetDateTime) -> i64 {
    i64::try_from(at.unix_timestamp_nanos() / 1_000).unwrap_or(i64::MAX)
}

#[must_use]
pub fn from_micros(micros: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(micros) * 1_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}
