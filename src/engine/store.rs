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
use rustc_hash::FxBuildHasher;
use smallvec::SmallVec;

/// A store of interned states.
pub trait Store: Send + Sync + Sized {
    type State: Clone;
    /// What the exploring threads hash, look up and hand over for interning: the state itself,
    /// or its encoding.
    type Key: Send;

    fn new() -> Self;
    /// A state's key and its hash.
    fn key(&self, s: Self::State) -> (u64, Self::Key);
    /// The id of a state if interned, else its hash and key. The exploring threads call it for
    /// every successor: most are interned already, and need no key.
    fn lookup(&self, s: &Self::State) -> Result<u32, (u64, Self::Key)>;
    /// Interns the state with this key: its id, and whether it is new.
    fn insert(&mut self, hash: u64, key: Self::Key) -> (u32, bool);
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

/// The states themselves, in an insertion-ordered map.
pub struct Plain<S> {
    states: IndexMap<S, (), FxBuildHasher>,
}

impl<S: Clone + Eq + Hash + Send + Sync> Store for Plain<S> {
    type State = S;
    type Key = S;

    fn new() -> Self {
        Plain {
            states: IndexMap::with_hasher(FxBuildHasher),
        }
    }

    fn key(&self, s: S) -> (u64, S) {
        (FxBuildHasher.hash_one(&s), s)
    }

    fn lookup(&self, s: &S) -> Result<u32, (u64, S)> {
        let hash = FxBuildHasher.hash_one(s);
        self.states
            .raw_entry_v1()
            .index_from_hash(hash, |x| x == s)
            .map(|id| id as u32)
            .ok_or_else(|| (hash, s.clone()))
    }

    fn insert(&mut self, hash: u64, key: S) -> (u32, bool) {
        let len = self.states.len();
        match self
            .states
            .raw_entry_mut_v1()
            .from_hash(hash, |x| *x == key)
        {
            RawEntryMut::Occupied(e) => (e.index() as u32, false),
            RawEntryMut::Vacant(v) => {
                v.insert_hashed_nocheck(hash, key, ());
                (len as u32, true)
            }
        }
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
    fn encode(&self, out: &mut Encoded);
    fn decode(bytes: &[u8]) -> Self;
}

/// An encoding on its way to the store: on the stack unless it is unusually long.
pub type Encoded = SmallVec<[u8; 256]>;

/// Bytes per chunk of the arena: big enough that chunks are few, small enough that the last
/// one wastes little.
const CHUNK: usize = 1 << 20;

/// States as their encodings, back to back in fixed-size chunks (never moved once written, so
/// growing costs no copy and no doubling), with a hash table of ids over them.
pub struct Packed<S> {
    chunks: Vec<Vec<u8>>,
    /// Where each state's encoding starts (chunk × [`CHUNK`] + offset); it ends where the next
    /// one starts, or at `end` for the last.
    start: Vec<u64>,
    end: u64,
    index: HashTable<u32>,
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

fn hash_bytes(bytes: &[u8]) -> u64 {
    FxBuildHasher.hash_one(bytes)
}

impl<S> Packed<S> {
    fn find_bytes(&self, hash: u64, key: &[u8]) -> Option<u32> {
        let Packed {
            chunks, start, end, ..
        } = self;
        self.index
            .find(hash, |&id| {
                encoding(chunks, start, *end, id as usize) == key
            })
            .copied()
    }
}

impl<S: Codec + Clone + Send + Sync> Store for Packed<S> {
    type State = S;
    type Key = Box<[u8]>;

    fn new() -> Self {
        Packed {
            chunks: Vec::new(),
            start: Vec::new(),
            end: 0,
            index: HashTable::new(),
            decode: std::marker::PhantomData,
        }
    }

    fn key(&self, s: S) -> (u64, Box<[u8]>) {
        let mut out = Encoded::new();
        s.encode(&mut out);
        (hash_bytes(&out), out[..].into())
    }

    fn lookup(&self, s: &S) -> Result<u32, (u64, Box<[u8]>)> {
        let mut out = Encoded::new();
        s.encode(&mut out);
        let hash = hash_bytes(&out);
        self.find_bytes(hash, &out)
            .ok_or_else(|| (hash, out[..].into()))
    }

    fn insert(&mut self, hash: u64, key: Box<[u8]>) -> (u32, bool) {
        if let Some(id) = self.find_bytes(hash, &key) {
            return (id, false);
        }
        assert!(key.len() <= CHUNK, "a state's encoding fits a chunk");
        let id = self.start.len() as u32;
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
        chunk.extend_from_slice(&key);
        self.start.push(self.end);
        self.end += key.len() as u64;
        let Packed {
            chunks,
            start,
            end,
            index,
            ..
        } = self;
        index.insert_unique(hash, id, |&other| {
            hash_bytes(encoding(chunks, start, *end, other as usize))
        });
        (id, true)
    }

    fn get(&self, id: usize) -> Cow<'_, S> {
        Cow::Owned(S::decode(encoding(&self.chunks, &self.start, self.end, id)))
    }

    fn len(&self) -> usize {
        self.start.len()
    }

    fn bytes(&self) -> usize {
        // A table slot is an id and a control byte; the table keeps 1/8 of its slots free.
        self.chunks.iter().map(Vec::capacity).sum::<usize>()
            + self.start.capacity() * 8
            + self.index.capacity() * 8 / 7 * 5
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
        fn encode(&self, out: &mut Encoded) {
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

    /// Ids are dense and in insertion order, every state reads back and is found again, a
    /// second insertion is no new state, and both stores agree, across several chunks.
    #[test]
    fn packed_and_plain_stores_agree() {
        let mut packed = Packed::<Blob>::new();
        let mut plain = Plain::<Blob>::new();
        let n = 20_000;
        for i in 0..n {
            let (hash, key) = packed.key(blob(i));
            assert_eq!(packed.insert(hash, key), (i as u32, true));
            let (hash, key) = plain.key(blob(i));
            assert_eq!(plain.insert(hash, key), (i as u32, true));
        }
        assert!(packed.chunks.len() > 2, "{} chunks", packed.chunks.len());
        packed.shrink();
        for i in 0..n {
            assert_eq!(*packed.get(i as usize), blob(i));
            assert_eq!(*plain.get(i as usize), blob(i));
            assert_eq!(packed.lookup(&blob(i)).ok(), Some(i as u32));
            let (hash, key) = packed.key(blob(i));
            assert_eq!(packed.insert(hash, key), (i as u32, false));
        }
        assert!(packed.lookup(&Blob(vec![7; 301])).is_err());
        assert_eq!(packed.len(), n as usize);
    }
}
