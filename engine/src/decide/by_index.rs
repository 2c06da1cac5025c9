//! What the first pass of a stream found for some applications, looked up by application
//! index (place in the input) in the second.
//!
//! The second pass asks about every index in turn. In a hash table each lookup landed
//! anywhere in memory and missed the cache (a tenth of a settled second pass); here a bit per
//! index says whether there is a value, and the values lie in index order, so the lookups of
//! a pass walk both forwards.

/// Values for some application indices
#[derive(Debug, Clone)]
pub(crate) struct ByIndex<T> {
    /// A bit per index, set where there is a value
    bits: Vec<u64>,
    /// How many bits are set in the words before each word
    before: Vec<u32>,
    /// In index order
    values: Vec<T>,
}

impl<T> Default for ByIndex<T> {
    fn default() -> Self {
        ByIndex {
            bits: Vec::new(),
            before: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<T> ByIndex<T> {
    /// From (index, value) pairs in any order. Each index is given once; were one given
    /// twice, the value given last would stand, as in a map.
    pub(crate) fn new(mut pairs: Vec<(usize, T)>) -> ByIndex<T> {
        if !pairs.is_sorted_by_key(|(i, _)| *i) {
            // Stable: of two values for one index, the one given last stays last.
            pairs.sort_by_key(|(i, _)| *i);
        }
        let words = pairs.last().map_or(0, |(i, _)| i / 64 + 1);
        let mut bits = vec![0u64; words];
        let mut values = Vec::with_capacity(pairs.len());
        for (i, v) in pairs {
            let (w, bit) = (i / 64, 1u64 << (i % 64));
            if bits[w] & bit != 0 {
                if let Some(last) = values.last_mut() {
                    *last = v;
                }
                continue;
            }
            bits[w] |= bit;
            values.push(v);
        }
        let mut before = Vec::with_capacity(words);
        let mut set = 0u32;
        for w in &bits {
            before.push(set);
            set += w.count_ones();
        }
        ByIndex {
            bits,
            before,
            values,
        }
    }

    /// Whether `index` has a value
    pub(crate) fn contains(&self, index: usize) -> bool {
        self.bits
            .get(index / 64)
            .is_some_and(|w| w >> (index % 64) & 1 == 1)
    }

    /// The value at `index`
    pub(crate) fn get(&self, index: usize) -> Option<&T> {
        let (w, b) = (index / 64, index % 64);
        let word = *self.bits.get(w)?;
        if word >> b & 1 == 0 {
            return None;
        }
        let below = (word & ((1u64 << b) - 1)).count_ones();
        self.values.get((self.before[w] + below) as usize)
    }

    /// How many indices have a value
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.values.len()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_a_map_finds() {
        let pairs = vec![
            (130, 'c'),
            (0, 'a'),
            (63, 'b'),
            (64, 'x'),
            (64, 'y'),
            (1000, 'z'),
        ];
        let map: std::collections::HashMap<usize, char> = pairs.iter().copied().collect();
        let by = ByIndex::new(pairs);
        assert_eq!(by.len(), map.len());
        for i in 0..1100 {
            assert_eq!(by.get(i), map.get(&i), "index {i}");
            assert_eq!(by.contains(i), map.contains_key(&i), "index {i}");
        }
        assert_eq!(by.get(64), Some(&'y'));
        let empty: ByIndex<char> = ByIndex::new(Vec::new());
        assert!(empty.is_empty() && empty.get(0).is_none() && !empty.contains(usize::MAX));
        assert!(ByIndex::<u8>::default().get(5).is_none());
    }

    /// Every subset of indices around word boundaries, given out of order and some twice (the
    /// value given last stands), is found as a map finds it
    #[test]
    fn word_boundaries_out_of_order_and_twice() {
        let around = [
            0usize, 1, 62, 63, 64, 65, 126, 127, 128, 129, 191, 192, 255, 256,
        ];
        for mask in 0u32..(1 << around.len()) {
            let mut pairs: Vec<(usize, u32)> = Vec::new();
            for (k, &i) in around.iter().enumerate().rev() {
                if mask >> k & 1 == 1 {
                    pairs.push((i, mask + k as u32));
                    if k % 3 == 0 {
                        pairs.push((i, mask * 7 + k as u32));
                    }
                }
            }
            let map: std::collections::HashMap<usize, u32> = pairs.iter().copied().collect();
            let by = ByIndex::new(pairs);
            assert_eq!(by.len(), map.len());
            for i in 0..300 {
                assert_eq!(by.get(i), map.get(&i), "mask {mask:b} index {i}");
                assert_eq!(
                    by.contains(i),
                    map.contains_key(&i),
                    "mask {mask:b} index {i}"
                );
            }
        }
    }
}
