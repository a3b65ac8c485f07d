//! What the pages read, remembered until their organisation next changes.
//!
//! Every change to an organisation's records is a [`Change`](crate::services::change::Change)
//! that commits with an audit event; the commit tells this cache, which forgets everything it
//! remembers of that organisation before the writer's next page is read. Other processes on
//! the same database are heard too: PostgreSQL replicas announce their commits with
//! `NOTIFY`, and a SQLite file written by another process (the command line) moves its
//! `data_version`. Until the cache can hear them — the listener is connecting, or its
//! connection dropped — every read goes to the database.
//!
//! A read is remembered under its organisation and a key naming everything its answer depends
//! on: what is read, the actor's [`Scope`](proplink_shared::Scope), the filter, the page. Two
//! actors with the same scope share an answer; judging whether an actor may see a single
//! record stays with `authorize`, after the answer is in hand. Entries also lapse after
//! [`ReadCache::TTL`], a bound on how long a missed announcement could show an old answer.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use proplink_shared::OrgId;

type Answer = Arc<dyn Any + Send + Sync>;

#[derive(Default)]
struct OrgReads {
    /// Moves on every change; an answer read under an older generation is not kept.
    generation: u64,
    answers: HashMap<String, (Instant, Answer)>,
}

#[derive(Default)]
struct State {
    /// Moves when everything is forgotten at once.
    epoch: u64,
    orgs: HashMap<OrgId, OrgReads>,
    answers: usize,
}

/// Where a read stood when it started: its answer is kept only if nothing changed since.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Stamp {
    epoch: u64,
    generation: u64,
}

#[derive(Clone)]
pub struct ReadCache {
    state: Arc<RwLock<State>>,
    /// Whether changes made elsewhere can be heard; answers are neither kept nor given without.
    hearing: Arc<AtomicBool>,
    ttl: Duration,
}

impl ReadCache {
    /// How long an answer is given at most, even with no change heard.
    pub const TTL: Duration = Duration::from_secs(60);
    /// Beyond this many answers the cache starts over: a bound on its memory.
    const MAX_ANSWERS: usize = 4_000;

    /// A cache that gives answers once [`ReadCache::hearing`] says changes can be heard.
    #[must_use]
    pub fn new(ttl: Duration) -> ReadCache {
        ReadCache {
            state: Arc::default(),
            hearing: Arc::new(AtomicBool::new(false)),
            ttl,
        }
    }

    /// A cache that never answers: every read goes to the database.
    #[must_use]
    pub fn off() -> ReadCache {
        ReadCache::new(Duration::ZERO)
    }

    /// The remembered answer to `key` in `org`, or `load`'s, remembered if nothing changed in
    /// `org` while it was loading.
    pub async fn remember<T, E, F, Fut>(&self, org: OrgId, key: String, load: F) -> Result<T, E>
    where
        T: Clone + Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let Some(stamp) = self.stamp(org) else {
            return load().await;
        };
        if let Some(answer) = self.get::<T>(org, &key) {
            return Ok(answer);
        }
        let answer = load().await?;
        self.put(org, key, stamp, Arc::new(answer.clone()));
        Ok(answer)
    }

    fn stamp(&self, org: OrgId) -> Option<Stamp> {
        if self.ttl.is_zero() || !self.hearing.load(Ordering::Acquire) {
            return None;
        }
        let state = self.state.read().ok()?;
        Some(Stamp {
            epoch: state.epoch,
            generation: state.orgs.get(&org).map_or(0, |o| o.generation),
        })
    }

    fn get<T: Clone + 'static>(&self, org: OrgId, key: &str) -> Option<T> {
        let state = self.state.read().ok()?;
        let (at, answer) = state.orgs.get(&org)?.answers.get(key)?;
        if at.elapsed() >= self.ttl {
            return None;
        }
        answer.downcast_ref::<T>().cloned()
    }

    fn put(&self, org: OrgId, key: String, stamp: Stamp, answer: Answer) {
        let Ok(mut state) = self.state.write() else {
            return;
        };
        if state.epoch != stamp.epoch || !self.hearing.load(Ordering::Acquire) {
            return;
        }
        if state.answers >= Self::MAX_ANSWERS {
            forget_all(&mut state);
            return;
        }
        let reads = state.orgs.entry(org).or_default();
        if reads.generation != stamp.generation {
            return;
        }
        if reads
            .answers
            .insert(key, (Instant::now(), answer))
            .is_none()
        {
            state.answers += 1;
        }
    }

    /// `org` changed: nothing read of it before now is given again.
    pub fn changed(&self, org: OrgId) {
        if let Ok(mut state) = self.state.write() {
            let reads = state.orgs.entry(org).or_default();
            reads.generation += 1;
            let dropped = std::mem::take(&mut reads.answers).len();
            state.answers = state.answers.saturating_sub(dropped);
        }
    }

    /// Something changed that cannot be placed: nothing read before now is given again.
    pub fn changed_everywhere(&self) {
        if let Ok(mut state) = self.state.write() {
            forget_all(&mut state);
        }
    }

    /// Whether answers are being remembered: on, and hearing other processes' changes.
    #[must_use]
    pub fn remembers(&self) -> bool {
        !self.ttl.is_zero() && self.hearing.load(Ordering::Acquire)
    }

    /// Whether changes made by other processes can be heard. Hearing or not, everything read
    /// so far is forgotten: what was missed in between cannot be known.
    pub fn hearing(&self, hearing: bool) {
        self.hearing.store(hearing, Ordering::Release);
        self.changed_everywhere();
    }
}

fn forget_all(state: &mut State) {
    state.epoch += 1;
    state.orgs.clear();
    state.answers = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(n: u128) -> OrgId {
        OrgId::from(uuid::Uuid::from_u128(n))
    }

    async fn read(cache: &ReadCache, org: OrgId, key: &str, value: u32) -> u32 {
        cache
            .remember(org, key.to_owned(), || async {
                Ok::<_, std::convert::Infallible>(value)
            })
            .await
            .unwrap_or_else(|e| match e {})
    }

    fn listening() -> ReadCache {
        let cache = ReadCache::new(ReadCache::TTL);
        cache.hearing(true);
        cache
    }

    #[tokio::test]
    async fn an_answer_is_given_again_until_its_organisation_changes() {
        let cache = listening();
        assert_eq!(read(&cache, org(1), "k", 1).await, 1);
        assert_eq!(read(&cache, org(1), "k", 2).await, 1);
        assert_eq!(
            read(&cache, org(2), "k", 3).await,
            3,
            "another organisation"
        );
        cache.changed(org(1));
        assert_eq!(read(&cache, org(1), "k", 4).await, 4);
        assert_eq!(
            read(&cache, org(2), "k", 5).await,
            3,
            "untouched by org 1's change"
        );
    }

    #[tokio::test]
    async fn nothing_is_remembered_while_changes_elsewhere_cannot_be_heard() {
        let cache = ReadCache::new(ReadCache::TTL);
        assert_eq!(read(&cache, org(1), "k", 1).await, 1);
        assert_eq!(read(&cache, org(1), "k", 2).await, 2);
        cache.hearing(true);
        assert_eq!(read(&cache, org(1), "k", 3).await, 3);
        assert_eq!(read(&cache, org(1), "k", 4).await, 3);
        cache.hearing(false);
        assert_eq!(read(&cache, org(1), "k", 5).await, 5);
    }

    #[tokio::test]
    async fn an_answer_loaded_across_a_change_is_not_kept() {
        let cache = listening();
        let loaded = cache
            .remember(org(1), "k".into(), || async {
                // The organisation changes while this read is under way.
                cache.changed(org(1));
                Ok::<_, std::convert::Infallible>(1)
            })
            .await
            .unwrap_or_else(|e| match e {});
        assert_eq!(loaded, 1);
        assert_eq!(read(&cache, org(1), "k", 2).await, 2);
    }

    #[tokio::test]
    async fn answers_lapse_and_failures_are_not_remembered() {
        let cache = ReadCache::new(Duration::from_millis(30));
        cache.hearing(true);
        assert_eq!(read(&cache, org(1), "k", 1).await, 1);
        tokio::time::sleep(Duration::from_millis(40)).await;
        assert_eq!(read(&cache, org(1), "k", 2).await, 2);
        let failed: Result<u32, &str> = cache
            .remember(org(1), "f".into(), || async { Err("down") })
            .await;
        assert_eq!(failed, Err("down"));
        assert_eq!(read(&cache, org(1), "f", 3).await, 3);
    }

    #[tokio::test]
    async fn a_key_read_as_another_type_is_a_miss_not_a_mix_up() {
        let cache = listening();
        assert_eq!(read(&cache, org(1), "k", 1).await, 1);
        let other: String = cache
            .remember(org(1), "k".into(), || async {
                Ok::<_, std::convert::Infallible>("text".to_owned())
            })
            .await
            .unwrap_or_else(|e| match e {});
        assert_eq!(other, "text");
    }
}
