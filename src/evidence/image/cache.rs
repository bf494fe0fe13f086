//! A small read cache in front of a disk: parsers read many small structures (boot sectors, file records,
//! index blocks) near each other, and E01/VHD reads cost a decompression or a table walk each.

use crate::evidence::ReadSeek;
use std::collections::{HashMap, VecDeque};
use std::io::{self, Read, Seek, SeekFrom};

const BLOCK: u64 = 64 * 1024;
/// 256 blocks of 64 KiB: 16 MiB at most, whatever the image size.
const BLOCKS: usize = 256;

/// `Read + Seek` through a cache of the most recently used 64 KiB blocks.
pub struct BlockCache {
    inner: Box<dyn ReadSeek>,
    size: u64,
    pos: u64,
    blocks: HashMap<u64, Vec<u8>>,
    order: VecDeque<u64>,
}

impl BlockCache {
    /// Caches `inner`, a disk of `size` bytes.
    pub fn new(inner: Box<dyn ReadSeek>, size: u64) -> BlockCache {
        BlockCache { inner, size, pos: 0, blocks: HashMap::new(), order: VecDeque::new() }
    }

    fn block(&mut self, n: u64) -> io::Result<&Vec<u8>> {
        if !self.blocks.contains_key(&n) {
            let start = n * BLOCK;
            let want = BLOCK.min(self.size.saturating_sub(start));
            let mut data = Vec::with_capacity(want as usize);
            self.inner.seek(SeekFrom::Start(start))?;
            (&mut self.inner).take(want).read_to_end(&mut data)?;
            if self.order.len() >= BLOCKS
                && let Some(old) = self.order.pop_front()
            {
                self.blocks.remove(&old);
            }
            self.order.push_back(n);
            self.blocks.insert(n, data);
        }
        self.blocks.get(&n).ok_or_else(|| io::Error::other("block cache"))
    }
}

impl Read for BlockCache {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let (n, off) = (self.pos / BLOCK, (self.pos % BLOCK) as usize);
        let block = self.block(n)?;
        if off >= block.len() {
            return Ok(0);
        }
        let k = buf.len().min(block.len() - off);
        buf[..k].copy_from_slice(&block[off..off + k]);
        self.pos += k as u64;
        Ok(k)
    }
}

impl Seek for BlockCache {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.pos = super::seek_to(self.pos, self.size, to)?;
        Ok(self.pos)
    }
}
