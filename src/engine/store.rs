//! How an explored graph keeps its states: interned, each under a dense id given in insertion
//! order.
//!
//! A system chooses its store ([`crate::systems::System::Store`]):
//! - [`Plain`] keeps the states themselves, in an insertion-ordered hash map;
//! - [`Packed`] keeps each state as the bytes of its [`Codec`] encoding, back to back in chunks,
//!   with a hash table of ids over them. A state costs its encoding, an offset and a table slot;
//!   hashing and comparing work on a few machine words instead of the rich struct. States are
//!   decoded when a decider asks for one.

use std::borrow::Cow;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use indexmap::map::raw_entry_v1::{RawEntryApiV1, RawEntryMut};
use indexmap::IndexMap;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

/// A store of interned states.
///
/// Exploring threads look successors up concurrently ([`Store::lookup`]); what they miss is
/// interned a batch at a time ([`Store::intern`]), which gives new states their ids in the
/// order the batch lists them, so ids never depend on the threads' timing.
pub trait Store: Send + Sync + Sized {
    type State: Clone;
    /// Where an exploring thread keeps what its look-ups missed: nothing, or their encodings.
    type Spill: Default + Send + Sync;
    /// A missed state, as its thread hands it over: the state itself, or where its encoding
    /// lies in the thread's spill.
    type Key: Send + Sync;

    fn new() -> Self;
    /// The id of a state if interned, else its hash and key (kept in `spill` if need be). The
    /// exploring threads call it for every successor: most are interned already.
    fn lookup(&self, s: &Self::State, spill: &mut Self::Spill) -> Result<u32, (u64, Self::Key)>;
    /// Interns a batch of missed states, in order, each named by its hash, its key and the index
    /// of the spill that holds it: the id of each. A state new to the store gets the next id
    /// where the batch first names it; a later mention gets the same id. Every state of the
    /// batch was missed by a look-up since the last batch was interned.
    fn intern(&mut self, spills: &[Self::Spill], batch: Vec<Missed<Self::Key>>) -> Vec<u32>;
    /// The state with this id.
    fn get(&self, id: usize) -> Cow<'_, Self::State>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Bytes held: the states (or their encodings) and the index over them.
    fn bytes(&self) -> usize;
    /// Gives back the room reserved for states not found.
    fn shrink(&mut self);
}

/// A state a look-up missed: its hash, its key, and which spill holds the key.
pub struct Missed<K> {
    pub hash: u64,
    pub spill: u32,
    pub key: K,
}

/// The states themselves, in an insertion-ordered map.
pub struct Plain<S> {
    states: IndexMap<S, (), FxBuildHasher>,
}

impl<S: Clone + Eq + Hash + Send + Sync> Store for Plain<S> {
    type State = S;
    type Spill = ();
    type Key = S;

    fn new() -> Self {
        Plain {
            states: IndexMap::with_hasher(FxBuildHasher),
        }
    }

    fn lookup(&self, s: &S, _: &mut ()) -> Result<u32, (u64, S)> {
        let hash = FxBuildHasher.hash_one(s);
        self.states
            .raw_entry_v1()
            .index_from_hash(hash, |x| x == s)
            .map(|id| id as u32)
            .ok_or_else(|| (hash, s.clone()))
    }

    fn intern(&mut self, _: &[()], batch: Vec<Missed<S>>) -> Vec<u32> {
        batch
            .into_iter()
            .map(|Missed { hash, key, .. }| {
                let len = self.states.len();
                match self
                    .states
                    .raw_entry_mut_v1()
                    .from_hash(hash, |x| *x == key)
                {
                    RawEntryMut::Occupied(e) => e.index() as u32,
                    RawEntryMut::Vacant(v) => {
                        v.insert_hashed_nocheck(hash, key, ());
                        len as u32
                    }
                }
            })
            .collect()
    }

    fn get(&self, id: usize) -> Cow<'_, S> {
        Cow::Borrowed(
            self.states
                .get_index(id)
                .map(|(s, _)| s)
                .expect("state id in range"),
        )
    }

    fn len(&self) -> usize {
        self.states.len()
    }

    fn bytes(&self) -> usize {
        self.states.capacity() * (std::mem::size_of::<S>() + 2 * std::mem::size_of::<usize>())
    }

    fn shrink(&mut self) {
        self.states.shrink_to_fit();
    }
}

/// An exact encoding of a state as bytes: `decode(encode(s)) == s`, and two states are equal
/// exactly when their encodings are.
pub trait Codec: Sized {
    /// Appends the state's encoding to `out`.
    fn encode(&self, out: &mut Vec<u8>);
    fn decode(bytes: &[u8]) -> Self;
}

/// Bytes per chunk of the arena: big enough that chunks are few, small enough that the last
/// one wastes little.
const CHUNK: usize = 1 << 20;

/// The index is split by hash into this many tables, which a batch fills in parallel.
const SHARDS: usize = 16;

/// States as their encodings, back to back in fixed-size chunks (never moved once written, so
/// growing costs no copy and no doubling), with hash tables of ids over them.
pub struct Packed<S> {
    chunks: Vec<Vec<u8>>,
    /// Where each state's encoding starts (chunk × [`CHUNK`] + offset); it ends where the next
    /// one starts, or at `end` for the last.
    start: Vec<u64>,
    end: u64,
    /// The index, in [`SHARDS`] tables by [`shard`]. Each slot holds an id in its low half and
    /// its hash's [`tag`] in its high half.
    index: Vec<HashTable<u64>>,
    decode: std::marker::PhantomData<fn() -> S>,
}

/// The encoding of state `id`.
fn encoding<'a>(chunks: &'a [Vec<u8>], start: &[u64], end: u64, id: usize) -> &'a [u8] {
    let from = start[id];
    let chunk = &chunks[(from / CHUNK as u64) as usize];
    let at = (from % CHUNK as u64) as usize;
    let to = start.get(id + 1).copied().unwrap_or(end);
    // The next encoding may open a new chunk: this one then ends where its chunk's bytes do.
    if to / CHUNK as u64 == from / CHUNK as u64 {
        &chunk[at..(to % CHUNK as u64) as usize]
    } else {
        &chunk[at..]
    }
}

/// The hash of an encoding. Its high 32 bits are all the tables keep of it ([`tag`]), so it
/// is spread from them: a table can grow without reading a single encoding again.
fn hash_bytes(bytes: &[u8]) -> u64 {
    spread(FxBuildHasher.hash_one(bytes) >> 32)
}

/// A 64-bit hash made of a 32-bit tag: the tag in the high half, and in the low half, which a
/// table's bucket index is taken from, the high half of its product with a 64-bit constant.
/// Every bit of the tag mixes into those, so the bits that pick a shard ([`shard`]) leave
/// every bucket of the shard's table in use.
#[inline]
fn spread(tag: u64) -> u64 {
    tag << 32 | tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32
}

/// The part of a hash the tables keep beside each id.
#[inline]
fn tag(hash: u64) -> u64 {
    hash >> 32
}

/// The table of the index a hash belongs to: bits of the tag that neither the table's control
/// bytes (the top 7) nor its bucket index (the low half) are made of alone.
#[inline]
fn shard(hash: u64) -> usize {
    (hash >> 40) as usize % SHARDS
}

impl<S> Packed<S> {
    fn find_bytes(&self, hash: u64, key: &[u8]) -> Option<u32> {
        let Packed {
            chunks, start, end, ..
        } = self;
        let tag = tag(hash);
        self.index[shard(hash)]
            .find(hash, |&slot| {
                slot >> 32 == tag && encoding(chunks, start, *end, slot as u32 as usize) == key
            })
            .map(|&slot| slot as u32)
    }

    /// Appends an encoding to the arena: the next id's.
    fn append(&mut self, key: &[u8]) {
        assert!(key.len() <= CHUNK, "a state's encoding fits a chunk");
        if self
            .chunks
            .last()
            .is_none_or(|chunk| chunk.len() + key.len() > CHUNK)
        {
            // The encoding starts a new chunk; the last one keeps its tail unused.
            self.end = self.chunks.len() as u64 * CHUNK as u64;
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let chunk = self.chunks.last_mut().expect("a chunk");
        chunk.extend_from_slice(key);
        self.start.push(self.end);
        self.end += key.len() as u64;
    }
}

/// Where a missed encoding lies in its spill.
pub type Span = (u32, u32);

fn spilled<'a>(spills: &'a [Vec<u8>], m: &Missed<Span>) -> &'a [u8] {
    let (at, len) = m.key;
    &spills[m.spill as usize][at as usize..(at + len) as usize]
}

impl<S: Codec + Clone + Send + Sync> Store for Packed<S> {
    type State = S;
    type Spill = Vec<u8>;
    type Key = Span;

    fn new() -> Self {
        Packed {
            chunks: Vec::new(),
            start: Vec::new(),
            end: 0,
            index: (0..SHARDS).map(|_| HashTable::new()).collect(),
            decode: std::marker::PhantomData,
        }
    }

    /// The encoding is written at the end of the spill, where it stays if it is missed.
    fn lookup(&self, s: &S, spill: &mut Vec<u8>) -> Result<u32, (u64, Span)> {
        let at = spill.len();
        s.encode(spill);
        let bytes = &spill[at..];
        let hash = hash_bytes(bytes);
        match self.find_bytes(hash, bytes) {
            Some(id) => {
                spill.truncate(at);
                Ok(id)
            }
            None => Err((hash, (at as u32, (spill.len() - at) as u32))),
        }
    }

    fn intern(&mut self, spills: &[Vec<u8>], batch: Vec<Missed<Span>>) -> Vec<u32> {
        // Which shard each missed state belongs to, in batch order.
        let mut by_shard: Vec<Vec<u32>> = vec![Vec::new(); SHARDS];
        for (i, m) in batch.iter().enumerate() {
            by_shard[shard(m.hash)].push(i as u32);
        }
        // In parallel, shard by shard: the batch's repeats, each with the first mention of its
        // state. The states themselves are new to the store, or a look-up would have found them.
        let repeats: Vec<Vec<(u32, u32)>> = by_shard
            .par_iter()
            .map(|mine| {
                let mut firsts: HashTable<u32> = HashTable::with_capacity(mine.len());
                let mut repeats = Vec::new();
                for &i in mine {
                    let m = &batch[i as usize];
                    let bytes = spilled(spills, m);
                    let eq = |&j: &u32| {
                        let other = &batch[j as usize];
                        other.hash == m.hash && spilled(spills, other) == bytes
                    };
                    match firsts.find(m.hash, eq) {
                        Some(&first) => repeats.push((i, first)),
                        None => {
                            firsts.insert_unique(m.hash, i, |&j| batch[j as usize].hash);
                        }
                    }
                }
                repeats
            })
            .collect();
        // In order: ids for first mentions, encodings into the arena.
        let mut first: Vec<u32> = (0..batch.len() as u32).collect();
        for &(i, f) in repeats.iter().flatten() {
            first[i as usize] = f;
        }
        let mut ids = Vec::with_capacity(batch.len());
        for (i, m) in batch.iter().enumerate() {
            let f = first[i] as usize;
            if f == i {
                ids.push(self.start.len() as u32);
                self.append(spilled(spills, m));
            } else {
                ids.push(ids[f]);
            }
        }
        // In parallel, shard by shard: the new ids into the index.
        self.index
            .par_iter_mut()
            .zip(by_shard)
            .for_each(|(table, mine)| {
                for i in mine {
                    let i = i as usize;
                    if first[i] as usize == i {
                        let hash = batch[i].hash;
                        table.insert_unique(hash, tag(hash) << 32 | u64::from(ids[i]), |&slot| {
                            spread(slot >> 32)
                        });
                    }
                }
            });
        ids
    }

    fn get(&self, id: usize) -> Cow<'_, S> {
        Cow::Owned(S::decode(encoding(&self.chunks, &self.start, self.end, id)))
    }

    fn len(&self) -> usize {
        self.start.len()
    }

    fn bytes(&self) -> usize {
        // A table slot is an id, a tag and a control byte; a table keeps 1/8 of its slots free.
        self.chunks.iter().map(Vec::capacity).sum::<usize>()
            + self.start.capacity() * 8
            + self
                .index
                .iter()
                .map(|t| t.capacity() * 8 / 7 * 9)
                .sum::<usize>()
    }

    fn shrink(&mut self) {
        self.start.shrink_to_fit();
        if let Some(last) = self.chunks.last_mut() {
            last.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bytes that encode as themselves: lengths from 4 to 300, so encodings straddle chunk ends.
    #[derive(Clone, Debug, PartialEq, Eq, Hash)]
    struct Blob(Vec<u8>);

    impl Codec for Blob {
        fn encode(&self, out: &mut Vec<u8>) {
            out.extend_from_slice(&self.0);
        }
        fn decode(bytes: &[u8]) -> Blob {
            Blob(bytes.to_vec())
        }
    }

    /// A different blob for each `i`: its bytes, then a run of a length between 0 and 296.
    fn blob(i: u64) -> Blob {
        let len = (i.wrapping_mul(2_654_435_761) % 297) as usize;
        let mut bytes = (i as u32).to_le_bytes().to_vec();
        bytes.extend((0..len).map(|k| k as u8));
        Blob(bytes)
    }

    /// Looks up each blob, in batches of `per` spread over three spills, and interns what
    /// was missed: the ids.
    fn add<T: Store<State = Blob>>(store: &mut T, blobs: &[Blob], per: usize) -> Vec<u32> {
        let mut ids = Vec::new();
        for batch in blobs.chunks(per) {
            let mut spills: Vec<T::Spill> = (0..3).map(|_| T::Spill::default()).collect();
            let mut found = Vec::new();
            let mut missed = Vec::new();
            for (k, b) in batch.iter().enumerate() {
                let spill = k % 3;
                match store.lookup(b, &mut spills[spill]) {
                    Ok(id) => found.push(Some(id)),
                    Err((hash, key)) => {
                        found.push(None);
                        missed.push(Missed {
                            hash,
                            spill: spill as u32,
                            key,
                        });
                    }
                }
            }
            let mut interned = store.intern(&spills, missed).into_iter();
            ids.extend(
                found
                    .into_iter()
                    .map(|f| f.unwrap_or_else(|| interned.next().expect("an id"))),
            );
        }
        ids
    }

    /// Ids are dense and in the order states are first named, a repeat within a batch or in a
    /// later one gets the first id, every state reads back and is found again, and both stores
    /// agree, across several chunks.
    #[test]
    fn packed_and_plain_stores_agree() {
        let n = 20_000u64;
        // Each blob twice: once in its own batch (every fifth repeated at once), once later.
        let blobs: Vec<Blob> = (0..n)
            .flat_map(|i| {
                let again = (i % 5 == 0).then(|| blob(i));
                std::iter::once(blob(i)).chain(again)
            })
            .chain((0..n).rev().map(blob))
            .collect();
        let mut packed = Packed::<Blob>::new();
        let mut plain = Plain::<Blob>::new();
        let first = |i: u64| i as u32;
        let expected: Vec<u32> = (0..n)
            .flat_map(|i| std::iter::once(first(i)).chain((i % 5 == 0).then(|| first(i))))
            .chain((0..n).rev().map(first))
            .collect();
        assert_eq!(add(&mut packed, &blobs, 1000), expected);
        assert_eq!(add(&mut plain, &blobs, 777), expected);
        assert!(packed.chunks.len() > 2, "{} chunks", packed.chunks.len());
        packed.shrink();
        for i in 0..n {
            assert_eq!(*packed.get(i as usize), blob(i));
            assert_eq!(*plain.get(i as usize), blob(i));
            assert_eq!(
                packed.lookup(&blob(i), &mut Vec::new()).ok(),
                Some(i as u32)
            );
        }
        assert!(packed.lookup(&Blob(vec![7; 301]), &mut Vec::new()).is_err());
        assert_eq!(packed.len(), n as usize);
        assert_eq!(plain.len(), n as usize);
    }
}
