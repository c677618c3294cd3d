//! A small deterministic mutator for the stable-Rust smoke run: not coverage-guided (that is
//! libFuzzer's job in `make fuzz`), but it walks the same kinds of damage — flipped bits, cut
//! and repeated ranges, spliced seeds, and the bytes that break parsers — from a fixed seed, so a
//! failure reproduces exactly.

/// xorshift64*: enough randomness for mutation, no dependency.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b".",
    b"=",
    b"&",
    b"%",
    b"%ZZ",
    b"+",
    b"\\u0000",
    b"\\ud800",
    b"1e999",
    b"-9223372036854775809",
    b"18446744073709551616",
    b"null",
    b"true",
    b"[[[[[[[[[[",
    b"{\"a\":{\"a\":{\"a\":",
    b"eyJ",
    b"==",
    b"-----BEGIN PUBLIC KEY-----",
    b"\n",
    b"\r\n",
    b"\xff\xfe",
    b"\xc3\x28",
    b"[[platform]]",
    b"'''",
    b"<script>",
];

/// One mutation of `input`, sometimes spliced with `other`.
pub fn mutate(input: &[u8], other: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = out.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                out[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                out[i] = rng.next_u64() as u8;
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let i = rng.below(len + 1);
                out.splice(i..i, t.iter().copied());
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(64)).min(len);
                out.drain(a..b);
            }
            4 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(256)).min(len);
                let copy = out[a..b].to_vec();
                let i = rng.below(len + 1);
                out.splice(i..i, copy);
            }
            5 => out.truncate(rng.below(len + 1)),
            6 if !other.is_empty() => {
                let a = rng.below(other.len());
                let b = (a + 1 + rng.below(512)).min(other.len());
                let i = rng.below(len + 1);
                out.splice(i..i, other[a..b].iter().copied());
            }
            _ => {
                // Repeat a byte many times: deep nesting, long runs.
                let i = rng.below(len + 1);
                let byte = if len > 0 { out[rng.below(len)] } else { b'[' };
                let n = 1 + rng.below(2048);
                out.splice(i..i, std::iter::repeat_n(byte, n));
            }
        }
    }
    out
}
