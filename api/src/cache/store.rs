//! A byte-bounded store: least recently used entries go first when a new one would not fit,
//! and an index from tag to keys lets a write drop exactly what it touched.

use super::key::Key;
use super::stats::{Snapshot, Stats};
use super::tags::Tag;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// Bytes an entry costs beyond its key and value (map slots, tag index, bookkeeping).
const OVERHEAD: usize = 128;

struct Entry<V> {
    value: Arc<V>,
    tags: Vec<Tag>,
    bytes: usize,
    used: u64,
}

struct Inner<V> {
    entries: HashMap<Key, Entry<V>>,
    by_tag: HashMap<Tag, HashSet<Key>>,
    by_use: BTreeMap<u64, Key>,
    clock: u64,
    bytes: usize,
    /// Bumped by every invalidation: an answer computed before it must not be stored after it.
    generation: u64,
}

/// The store; `V` is what a hit returns.
pub struct Store<V> {
    inner: Mutex<Inner<V>>,
    limit: usize,
    stats: Stats,
}

impl<V> std::fmt::Debug for Store<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("limit", &self.limit)
            .field("stats", &self.stats())
            .finish()
    }
}

impl<V> Store<V> {
    /// A store holding at most `limit` bytes.
    pub fn new(limit: usize) -> Self {
        Store {
            inner: Mutex::new(Inner {
                entries: HashMap::new(),
                by_tag: HashMap::new(),
                by_use: BTreeMap::new(),
                clock: 0,
                bytes: 0,
                generation: 0,
            }),
            limit,
            stats: Stats::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<V>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The entry under `key`, counting a hit or a miss.
    pub fn get(&self, key: &Key) -> Option<Arc<V>> {
        let mut inner = self.lock();
        inner.clock += 1;
        let now = inner.clock;
        let found = inner.entries.get_mut(key).map(|entry| {
            let before = entry.used;
            entry.used = now;
            (before, entry.value.clone())
        });
        match found {
            Some((before, value)) => {
                inner.by_use.remove(&before);
                inner.by_use.insert(now, *key);
                Stats::bump(&self.stats.hits, 1);
                Some(value)
            }
            None => {
                Stats::bump(&self.stats.misses, 1);
                None
            }
        }
    }

    /// The generation to pass to [`Store::insert`] for an answer about to be computed.
    pub fn generation(&self) -> u64 {
        self.lock().generation
    }

    /// Keeps `value` (`bytes` large) tagged with what it read, unless an invalidation happened
    /// since `generation` was taken (the answer may predate the write) or it exceeds the limit;
    /// the value, shared, either way.
    pub fn insert(
        &self,
        key: Key,
        value: V,
        bytes: usize,
        tags: Vec<Tag>,
        generation: u64,
    ) -> Arc<V> {
        let value = Arc::new(value);
        let bytes = bytes + key.weight() + OVERHEAD;
        if bytes > self.limit {
            return value;
        }
        let mut inner = self.lock();
        if inner.generation != generation {
            return value;
        }
        remove(&mut inner, &key);
        while inner.bytes + bytes > self.limit {
            let Some((_, oldest)) = inner.by_use.pop_first() else {
                break;
            };
            remove(&mut inner, &oldest);
            Stats::bump(&self.stats.evictions, 1);
        }
        inner.clock += 1;
        let used = inner.clock;
        for tag in &tags {
            inner.by_tag.entry(tag.clone()).or_default().insert(key);
        }
        inner.by_use.insert(used, key);
        inner.bytes += bytes;
        inner.entries.insert(
            key,
            Entry {
                value: value.clone(),
                tags,
                bytes,
                used,
            },
        );
        value
    }

    /// Drops every entry that read one of `tags`.
    pub fn invalidate(&self, tags: &[Tag]) {
        let mut inner = self.lock();
        inner.generation += 1;
        let keys: HashSet<Key> = tags
            .iter()
            .filter_map(|tag| inner.by_tag.get(tag))
            .flatten()
            .cloned()
            .collect();
        for key in &keys {
            remove(&mut inner, key);
        }
        Stats::bump(&self.stats.invalidations, keys.len() as u64);
    }

    /// Drops everything (after a lost database listener: what changed meanwhile is unknown).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        let dropped = inner.entries.len() as u64;
        inner.entries.clear();
        inner.by_tag.clear();
        inner.by_use.clear();
        inner.bytes = 0;
        Stats::bump(&self.stats.invalidations, dropped);
    }

    /// The most bytes the store holds.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// The counters and the current size.
    pub fn stats(&self) -> Snapshot {
        let inner = self.lock();
        self.stats
            .snapshot(inner.entries.len() as u64, inner.bytes as u64)
    }
}

fn remove<V>(inner: &mut Inner<V>, key: &Key) {
    let Some(entry) = inner.entries.remove(key) else {
        return;
    };
    inner.bytes -= entry.bytes;
    inner.by_use.remove(&entry.used);
    for tag in &entry.tags {
        if let Some(keys) = inner.by_tag.get_mut(tag) {
            keys.remove(key);
            if keys.is_empty() {
                inner.by_tag.remove(tag);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: i64) -> Key {
        Key::new(&format!("{{ film(id: {n}) {{ title }} }}"), None, "{}")
    }

    #[test]
    fn invalidates_only_what_was_touched() {
        let store = Store::new(1 << 20);
        let g = store.generation();
        store.insert(key(1), 1, 10, vec![Tag::Film(1)], g);
        store.insert(key(2), 2, 10, vec![Tag::Film(2)], g);
        store.invalidate(&[Tag::Film(1)]);
        assert!(store.get(&key(1)).is_none());
        assert_eq!(store.get(&key(2)).as_deref(), Some(&2));
    }

    #[test]
    fn an_answer_older_than_a_write_is_not_kept() {
        let store = Store::new(1 << 20);
        let g = store.generation();
        store.invalidate(&[Tag::Film(1)]);
        store.insert(key(1), 1, 10, vec![Tag::Film(1)], g);
        assert!(store.get(&key(1)).is_none());
    }

    #[test]
    fn stays_within_its_limit() {
        let store = Store::new(4096);
        for n in 0..1000 {
            let g = store.generation();
            store.insert(key(n), n, 100, vec![Tag::Film(n)], g);
            assert!(store.stats().bytes <= 4096);
        }
        assert!(store.stats().evictions > 0);
        assert!(store.get(&key(999)).is_some());
    }
}
