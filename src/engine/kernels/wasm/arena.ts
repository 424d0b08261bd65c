import type { WasmMemory } from './wasmApi';

const PAGE = 65536;
/** Block alignment in bytes: a cache line, which is also enough for any SIMD load. */
export const ALIGN = 64;

interface Block {
  off: number;
  size: number;
}

/**
 * A first-fit free-list allocator over a (shared) WebAssembly memory, growing the memory when the free list
 * has no fitting block. Freed blocks are coalesced with their neighbours; a free block at the top of the arena
 * is given back to the bump pointer. Offsets are byte offsets into the memory, aligned to {@link ALIGN}.
 *
 * Views over a shared memory stay valid after it grows, but `memory.buffer` then returns a new
 * SharedArrayBuffer object for the same memory (V8 also replaces it when any shared memory of the process
 * grows or a worker starts), so identity says little. {@link owns} therefore compares memories by writing a
 * fresh token to a probe word through the memory and reading it back through the candidate buffer, and
 * caches the buffers that passed.
 */
export class Arena {
  private top: number;
  /** Free blocks below `top`, sorted by offset, never adjacent to each other. */
  private readonly freeList: Block[] = [];
  /** Live blocks: offset -> size in bytes. */
  private readonly live = new Map<number, number>();
  private readonly buffers = new WeakSet<object>();
  private readonly maxBytes: number;
  /** Byte offset of the word {@link owns} probes. */
  private readonly probeOff: number;
  private token = 0;

  /**
   * @param memory the memory to allocate from.
   * @param base first byte the arena may use (everything below belongs to the module's data and stack).
   * @param maxBytes size the memory may grow to (its declared maximum), bytes.
   */
  constructor(readonly memory: WasmMemory, base: number, maxBytes: number) {
    this.top = align(base);
    this.maxBytes = maxBytes;
    this.buffers.add(memory.buffer);
    this.probeOff = this.allocBytes(ALIGN);
  }

  /** Bytes currently handed out. */
  get liveBytes(): number {
    let s = 0;
    for (const v of this.live.values()) s += v;
    return s;
  }

  /** Current memory size in bytes. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** True if `buf` is (a view of) this arena's memory, from before or after any growth. */
  owns(buf: ArrayBufferLike): boolean {
    if (this.buffers.has(buf)) return true;
    if (typeof SharedArrayBuffer !== 'function' || !(buf instanceof SharedArrayBuffer)) return false;
    if (buf.byteLength < this.probeOff + 4) return false;
    const mine = new Int32Array(this.memory.buffer, this.probeOff, 1);
    const theirs = new Int32Array(buf, this.probeOff, 1);
    // Two different tokens, so a word that merely happens to hold the same value cannot pass.
    for (let i = 0; i < 2; i++) {
      this.token = (this.token + 1) | 0;
      Atomics.store(mine, 0, this.token);
      if (Atomics.load(theirs, 0) !== this.token) return false;
    }
    this.buffers.add(buf);
    return true;
  }

  /** Allocates `bytes` (rounded up to {@link ALIGN}; at least one block) and returns its byte offset. */
  allocBytes(bytes: number): number {
    const size = Math.max(ALIGN, align(bytes));
    for (let i = 0; i < this.freeList.length; i++) {
      const b = this.freeList[i]!;
      if (b.size < size) continue;
      const off = b.off;
      if (b.size === size) this.freeList.splice(i, 1);
      else {
        b.off += size;
        b.size -= size;
      }
      this.live.set(off, size);
      return off;
    }
    const off = this.top;
    this.ensure(off + size);
    this.top = off + size;
    this.live.set(off, size);
    return off;
  }

  /** Returns the block at `off` to the free list. Throws if `off` is not the start of a live block. */
  freeBytes(off: number): void {
    const size = this.live.get(off);
    if (size === undefined) {
      throw new Error(`free: no live block starts at byte ${off} (not from alloc, a sub-array, or already freed)`);
    }
    this.live.delete(off);
    // Insert sorted, then merge with the neighbours.
    let lo = 0;
    let hi = this.freeList.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.freeList[mid]!.off < off) lo = mid + 1;
      else hi = mid;
    }
    let block: Block = { off, size };
    const prev = this.freeList[lo - 1];
    if (prev && prev.off + prev.size === off) {
      prev.size += size;
      block = prev;
    } else {
      this.freeList.splice(lo, 0, block);
      lo++;
    }
    const next = this.freeList[lo];
    if (next && block.off + block.size === next.off) {
      block.size += next.size;
      this.freeList.splice(lo, 1);
    }
    const last = this.freeList[this.freeList.length - 1];
    if (last && last.off + last.size === this.top) {
      this.top = last.off;
      this.freeList.pop();
    }
  }

  /** A Float32Array view of `length` elements at byte offset `off`, over the current buffer. */
  view(off: number, length: number): Float32Array {
    return new Float32Array(this.memory.buffer, off, length);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    if (end > this.maxBytes) {
      throw new RangeError(
        `wasm kernels: out of memory (need ${end} bytes, the limit is ${this.maxBytes}); free buffers or raise maxMemoryBytes`,
      );
    }
    // Grow geometrically (at least 1/8 of the current size) so that many small allocations grow rarely.
    const want = Math.min(this.maxBytes, Math.max(end, have + (have >> 3)));
    this.memory.grow(Math.ceil((want - have) / PAGE));
    this.buffers.add(this.memory.buffer);
  }
}

function align(n: number): number {
  return Math.ceil(n / ALIGN) * ALIGN;
}
