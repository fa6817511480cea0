//! How an explored graph keeps its states: interned, each under a dense id given in insertion
//! order.
//!
//! A system chooses its store ([`crate::systems::System::Store`]):
//! - [`Plain`] keeps the states themselves, in an insertion-ordered hash map;
//! - [`Packed`] keeps each state as the bytes of its [`Codec`] encoding (with its length and id),
//!   back to back in chunks, with hash tables over them. A state costs its record, an offset and
//!   a table slot; hashing and comparing work on a few machine words instead of the rich struct.
//!   States are decoded when a decider asks for one.

use std::borrow::Cow;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use indexmap::map::raw_entry_v1::{RawEntryApiV1, RawEntryMut};
use indexmap::IndexMap;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

/// A store of interned states.
///
/// Exploring threads look successors up concurrently ([`Store::ask`], [`Store::answer`]); what
/// they miss is interned a batch at a time ([`Store::intern`]), which gives new states their
/// ids in the order the batch lists them, so ids never depend on the threads' timing.
pub trait Store: Send + Sync + Sized {
    type State: Clone;
    /// Where an exploring thread keeps what its look-ups missed: nothing, or their encodings.
    type Spill: Default + Send + Sync;
    /// A missed state, as its thread hands it over: the state itself, or where its encoding
    /// lies in the thread's spill.
    type Key: Send + Sync;

    /// A look-up begun ([`Store::ask`]) and not yet answered.
    type Asked: Send;

    fn new() -> Self;
    /// Begins the look-up of a state: what finishing it needs once the state itself is gone
    /// (for [`Packed`], where its encoding lies in `spill`). The exploring threads ask for every
    /// successor of a state, then have the answers together ([`Store::answer`]), so that the
    /// memory fetches of the look-ups overlap.
    fn ask(&self, s: &Self::State, spill: &mut Self::Spill) -> Self::Asked;
    /// Finishes the look-ups `asked` (which it empties), in order, into `out`: the id of each
    /// state if interned, else its hash and key (kept in `spill`). Most successors are
    /// interned already.
    fn answer(
        &self,
        asked: &mut Vec<Self::Asked>,
        spill: &mut Self::Spill,
        out: &mut Vec<Result<u32, (u64, Self::Key)>>,
    );
    /// One look-up, begun and finished.
    fn lookup(&self, s: &Self::State, spill: &mut Self::Spill) -> Result<u32, (u64, Self::Key)> {
        let mut asked = vec![self.ask(s, spill)];
        let mut out = Vec::with_capacity(1);
        self.answer(&mut asked, spill, &mut out);
        out.pop().expect("one answer per look-up")
    }
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
    type Asked = Result<u32, (u64, S)>;

    fn new() -> Self {
        Plain {
            states: IndexMap::with_hasher(FxBuildHasher),
        }
    }

    /// A plain store looks up at once: its states hold no pointers worth fetching ahead.
    fn ask(&self, s: &S, _: &mut ()) -> Result<u32, (u64, S)> {
        let hash = FxBuildHasher.hash_one(s);
        self.states
            .raw_entry_v1()
            .index_from_hash(hash, |x| x == s)
            .map(|id| id as u32)
            .ok_or_else(|| (hash, s.clone()))
    }

    fn answer(
        &self,
        asked: &mut Vec<Self::Asked>,
        _: &mut (),
        out: &mut Vec<Result<u32, (u64, S)>>,
    ) {
        out.append(asked);
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

/// Bytes before each encoding in the arena: its length (two bytes) and its id (four).
const HEAD: usize = 6;

/// Low bits of a table slot: where a record starts in the arena, plus one (0 is an empty slot).
const AT_BITS: u32 = 36;

/// States as their encodings, back to back in fixed-size chunks (never moved once written, so
/// growing costs no copy and no doubling), with hash tables over them. Each encoding is kept as
/// a record: its length, its id, its bytes. A table slot points at a record, so a look-up that
/// finds its state reads the slot and the record, and nothing else.
pub struct Packed<S> {
    chunks: Vec<Vec<u8>>,
    /// Where each state's record starts (chunk × [`CHUNK`] + offset).
    start: Vec<u64>,
    /// The index, in [`SHARDS`] tables by [`shard`].
    index: Vec<Table>,
    decode: std::marker::PhantomData<fn() -> S>,
}

/// The encoding and the id of the record at `at`.
#[inline]
fn record(chunks: &[Vec<u8>], at: u64) -> (&[u8], u32) {
    let chunk = &chunks[(at / CHUNK as u64) as usize];
    let i = (at % CHUNK as u64) as usize;
    let len = u16::from_le_bytes([chunk[i], chunk[i + 1]]) as usize;
    let id = u32::from_le_bytes([chunk[i + 2], chunk[i + 3], chunk[i + 4], chunk[i + 5]]);
    (&chunk[i + HEAD..i + HEAD + len], id)
}

/// Asks the memory for the cache line at `p`, ahead of reading it.
#[inline]
fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it reads nothing and faults on no address.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}

/// The hash of an encoding. Its high bits are all the tables keep of it ([`tag`]), so it is
/// spread from them: a table can grow without reading a single encoding again.
fn hash_bytes(bytes: &[u8]) -> u64 {
    spread(FxBuildHasher.hash_one(bytes) >> AT_BITS)
}

/// A 64-bit hash made of a 28-bit tag: the tag in the high bits, and in the low bits, which a
/// table's slot is taken from, the high bits of its product with a 64-bit constant. Every bit
/// of the tag mixes into those, so the bits that pick a shard ([`shard`]) leave every slot of
/// the shard's table in use.
#[inline]
fn spread(tag: u64) -> u64 {
    tag << AT_BITS | tag.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - AT_BITS)
}

/// The part of a hash the tables keep in each slot.
#[inline]
fn tag(hash: u64) -> u64 {
    hash >> AT_BITS
}

/// The table of the index a hash belongs to: the low bits of its tag.
#[inline]
fn shard(hash: u64) -> usize {
    tag(hash) as usize % SHARDS
}

/// Where the record a full slot points at starts.
#[inline]
fn record_at(slot: u64) -> u64 {
    (slot & ((1 << AT_BITS) - 1)) - 1
}

/// One table of the index: open addressing with linear probing, at most three quarters full.
/// A slot holds a hash's [`tag`] in its high bits and, in its low [`AT_BITS`], where the
/// record starts plus one.
struct Table {
    slots: Vec<u64>,
    len: usize,
}

impl Table {
    fn new() -> Table {
        Table {
            slots: vec![0; 16],
            len: 0,
        }
    }

    #[inline]
    fn home(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    /// From slot `i` on, the first slot that is empty or holds the tag: its index and what it
    /// holds.
    #[inline]
    fn probe(&self, tag: u64, mut i: usize) -> (usize, u64) {
        let mask = self.slots.len() - 1;
        loop {
            let slot = self.slots[i];
            if slot == 0 || slot >> AT_BITS == tag {
                return (i, slot);
            }
            i = (i + 1) & mask;
        }
    }

    /// Room for `more` slots more without passing three quarters full.
    fn reserve(&mut self, more: usize) {
        let mut size = self.slots.len();
        while (self.len + more) * 4 > size * 3 {
            size *= 2;
        }
        if size == self.slots.len() {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        let mask = size - 1;
        for slot in old.into_iter().filter(|&s| s != 0) {
            let mut i = spread(slot >> AT_BITS) as usize & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }

    /// Files a record no slot holds yet (room reserved).
    fn insert(&mut self, hash: u64, at: u64) {
        let mask = self.slots.len() - 1;
        let mut i = self.home(hash);
        while self.slots[i] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = tag(hash) << AT_BITS | (at + 1);
        self.len += 1;
    }
}

impl<S> Packed<S> {
    /// The id of the encoding `key` if the index holds it, probing from slot `i` of its table.
    #[inline]
    fn find_from(&self, hash: u64, key: &[u8], mut i: usize) -> Option<u32> {
        let table = &self.index[shard(hash)];
        let mask = table.slots.len() - 1;
        loop {
            let (at, slot) = table.probe(tag(hash), i);
            if slot == 0 {
                return None;
            }
            let (bytes, id) = record(&self.chunks, record_at(slot));
            if bytes == key {
                return Some(id);
            }
            i = (at + 1) & mask;
        }
    }

    /// Appends a record to the arena: the next id's.
    fn append(&mut self, key: &[u8]) {
        let size = HEAD + key.len();
        assert!(
            key.len() <= u16::MAX as usize && size <= CHUNK,
            "a state's encoding fits a record"
        );
        if self
            .chunks
            .last()
            .is_none_or(|chunk| chunk.len() + size > CHUNK)
        {
            // The record starts a new chunk; the last one keeps its tail unused.
            self.chunks.push(Vec::with_capacity(CHUNK));
        }
        let at = (self.chunks.len() as u64 - 1) * CHUNK as u64;
        let id = self.start.len() as u32;
        let chunk = self.chunks.last_mut().expect("a chunk");
        let at = at + chunk.len() as u64;
        assert!(at + 1 < 1 << AT_BITS, "the arena fits a table slot");
        chunk.extend_from_slice(&(key.len() as u16).to_le_bytes());
        chunk.extend_from_slice(&id.to_le_bytes());
        chunk.extend_from_slice(key);
        self.start.push(at);
    }
}

/// Where a missed encoding lies in its spill.
pub type Span = (u32, u32);

fn spilled<'a>(spills: &'a [Vec<u8>], m: &Missed<Span>) -> &'a [u8] {
    let (at, len) = m.key;
    &spills[m.spill as usize][at as usize..(at + len) as usize]
}

/// A look-up of a [`Packed`] store begun: the encoding's hash, where it lies in the spill, and
/// the slot its probe reached.
pub struct Ask {
    hash: u64,
    span: Span,
    slot: usize,
    /// An earlier look-up of the same answer with the same encoding, if any.
    same: Option<u32>,
}

impl<S: Codec + Clone + Send + Sync> Store for Packed<S> {
    type State = S;
    type Spill = Vec<u8>;
    type Key = Span;
    type Asked = Ask;

    fn new() -> Self {
        Packed {
            chunks: Vec::new(),
            start: Vec::new(),
            index: (0..SHARDS).map(|_| Table::new()).collect(),
            decode: std::marker::PhantomData,
        }
    }

    /// Writes the encoding at the end of the spill and asks the memory for the table slot the
    /// probe starts at.
    fn ask(&self, s: &S, spill: &mut Vec<u8>) -> Ask {
        let at = spill.len();
        s.encode(spill);
        let hash = hash_bytes(&spill[at..]);
        let table = &self.index[shard(hash)];
        let slot = table.home(hash);
        prefetch(&table.slots[slot]);
        Ask {
            hash,
            span: (at as u32, (spill.len() - at) as u32),
            slot,
            same: None,
        }
    }

    /// In two passes: first each probe goes to its first candidate slot and asks the memory for
    /// the record there, then each candidate is compared. A look-up whose encoding an earlier one
    /// of the same answer has (a state's steps often lead to one state) takes its result and
    /// probes nothing. A hit's encoding leaves the spill when nothing missed lies after it.
    fn answer(
        &self,
        asked: &mut Vec<Ask>,
        spill: &mut Vec<u8>,
        out: &mut Vec<Result<u32, (u64, Span)>>,
    ) {
        let bytes = |(at, len): Span| &spill[at as usize..(at + len) as usize];
        for k in 0..asked.len() {
            let a = &asked[k];
            let same = asked[..k].iter().position(|b| {
                b.same.is_none() && b.hash == a.hash && bytes(b.span) == bytes(a.span)
            });
            let a = &mut asked[k];
            if let Some(j) = same {
                a.same = Some(j as u32);
                continue;
            }
            let table = &self.index[shard(a.hash)];
            let (i, slot) = table.probe(tag(a.hash), a.slot);
            a.slot = i;
            if slot != 0 {
                let at = record_at(slot);
                let chunk = &self.chunks[(at / CHUNK as u64) as usize];
                prefetch(&chunk[(at % CHUNK as u64) as usize]);
            }
        }
        let base = out.len();
        let mut keep = asked.first().map_or(spill.len(), |a| a.span.0 as usize);
        for a in asked.drain(..) {
            if let Some(j) = a.same {
                out.push(out[base + j as usize]);
                continue;
            }
            let (at, len) = a.span;
            let key = &spill[at as usize..(at + len) as usize];
            match self.find_from(a.hash, key, a.slot) {
                Some(id) => out.push(Ok(id)),
                None => {
                    keep = (at + len) as usize;
                    out.push(Err((a.hash, a.span)));
                }
            }
        }
        spill.truncate(keep);
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
        // In order: ids for first mentions, records into the arena.
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
        // In parallel, shard by shard: the new records into the index.
        let start = &self.start;
        self.index
            .par_iter_mut()
            .zip(by_shard)
            .for_each(|(table, mine)| {
                let new: Vec<u32> = mine
                    .into_iter()
                    .filter(|&i| first[i as usize] == i)
                    .collect();
                table.reserve(new.len());
                for i in new {
                    let i = i as usize;
                    table.insert(batch[i].hash, start[ids[i] as usize]);
                }
            });
        ids
    }

    fn get(&self, id: usize) -> Cow<'_, S> {
        Cow::Owned(S::decode(record(&self.chunks, self.start[id]).0))
    }

    fn len(&self) -> usize {
        self.start.len()
    }

    fn bytes(&self) -> usize {
        self.chunks.iter().map(Vec::capacity).sum::<usize>()
            + self.start.capacity() * 8
            + self
                .index
                .iter()
                .map(|t| t.slots.capacity() * 8)
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

    /// Bytes that encode as themselves: lengths from 4 to 300, so records end chunks unevenly.
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

    /// Looks up each blob, in batches of `per` spread over three spills, five look-ups answered
    /// together (a blob and its repeat often among them), and interns what was missed: the ids.
    fn add<T: Store<State = Blob>>(store: &mut T, blobs: &[Blob], per: usize) -> Vec<u32> {
        let mut ids = Vec::new();
        for batch in blobs.chunks(per) {
            let mut spills: Vec<T::Spill> = (0..3).map(|_| T::Spill::default()).collect();
            let mut found = Vec::new();
            let mut missed = Vec::new();
            for (k, together) in batch.chunks(5).enumerate() {
                let spill = k % 3;
                let mut asked: Vec<T::Asked> = together
                    .iter()
                    .map(|b| store.ask(b, &mut spills[spill]))
                    .collect();
                let mut answers = Vec::new();
                store.answer(&mut asked, &mut spills[spill], &mut answers);
                assert_eq!(answers.len(), together.len());
                for answer in answers {
                    match answer {
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
