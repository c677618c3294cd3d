//! A small pure RSASSA-PKCS1-v1_5 / SHA-256 verifier for RSA moduli below 2048 bits, which
//! aws-lc refuses (even its legacy 1024-bit profile rejects a 1023-bit modulus such as the ltijs
//! test key real fixtures are signed with). Verification only — public data, so constant time is
//! not needed — using Montgomery multiplication over 32-bit limbs; no extra dependency.
//!
//! Callers must report such keys as weak; this exists so an inspector can still say whether a
//! signature made with a legacy key is genuine.

/// Smallest modulus accepted at all: below this a "signature" proves nothing.
pub const MIN_BITS: usize = 512;
/// Largest modulus this verifier takes: it exists for keys *below* 2048 bits.
pub const MAX_BITS: usize = 2048;
/// Largest public exponent: real ones are 3 or 65537, and aws-lc caps e at 33 bits. The square-
/// and-multiply loop walks every bit of e, so an unbounded e from a pasted or fetched JWK would
/// cost CPU without limit (issue 9, item 8).
pub const MAX_EXPONENT_BITS: usize = 33;

/// ASN.1 DigestInfo prefix for SHA-256 (RFC 8017 §9.2, note 1).
const SHA256_DIGEST_INFO: [u8; 19] = [
    0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05,
    0x00, 0x04, 0x20,
];

/// Big-endian bytes without leading zeros.
fn trim(bytes: &[u8]) -> &[u8] {
    let first = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[first..]
}

/// Bit length of a big-endian unsigned integer.
pub fn bit_len(bytes: &[u8]) -> usize {
    let t = trim(bytes);
    match t.first() {
        None => 0,
        Some(&b) => (t.len() - 1) * 8 + (8 - b.leading_zeros() as usize),
    }
}

/// Verifies `sig` over `message` with the RSA public key (n, e), PKCS#1 v1.5 + SHA-256.
pub fn verify_pkcs1_sha256(n: &[u8], e: &[u8], message: &[u8], sig: &[u8]) -> bool {
    let n = trim(n);
    let e = trim(e);
    let k = n.len();
    let n_bits = bit_len(n);
    if !(MIN_BITS..=MAX_BITS).contains(&n_bits)
        || n[k - 1] & 1 == 0
        || e.is_empty()
        || bit_len(e) > MAX_EXPONENT_BITS
        || sig.len() != k
    {
        return false;
    }
    let limbs = k.div_ceil(4);
    let modulus = to_limbs(n, limbs);
    let s = to_limbs(sig, limbs);
    if cmp(&s, &modulus) != std::cmp::Ordering::Less {
        return false;
    }
    let mont = Mont::new(modulus);
    let m = mont.pow(&s, e);
    let em = from_limbs(&m, k);

    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message);
    let t_len = SHA256_DIGEST_INFO.len() + digest.as_ref().len();
    if k < t_len + 11 {
        return false;
    }
    let mut expected = vec![0xffu8; k];
    expected[0] = 0x00;
    expected[1] = 0x01;
    expected[k - t_len - 1] = 0x00;
    expected[k - t_len..k - digest.as_ref().len()].copy_from_slice(&SHA256_DIGEST_INFO);
    expected[k - digest.as_ref().len()..].copy_from_slice(digest.as_ref());
    em == expected
}

/// Little-endian 32-bit limbs of a big-endian integer, padded to `limbs`.
fn to_limbs(be: &[u8], limbs: usize) -> Vec<u32> {
    let mut out = vec![0u32; limbs];
    for (i, &byte) in be.iter().rev().enumerate() {
        out[i / 4] |= u32::from(byte) << (8 * (i % 4));
    }
    out
}

/// Big-endian bytes (exactly `len` of them) of little-endian limbs.
fn from_limbs(limbs: &[u32], len: usize) -> Vec<u8> {
    let mut out = vec![0u8; len];
    for i in 0..len {
        out[len - 1 - i] = (limbs[i / 4] >> (8 * (i % 4))) as u8;
    }
    out
}

fn cmp(a: &[u32], b: &[u32]) -> std::cmp::Ordering {
    for i in (0..a.len()).rev() {
        match a[i].cmp(&b[i]) {
            std::cmp::Ordering::Equal => continue,
            other => return other,
        }
    }
    std::cmp::Ordering::Equal
}

/// a -= b (a ≥ b, or a has an implicit carry limb that absorbs the borrow).
fn sub_in_place(a: &mut [u32], b: &[u32]) {
    let mut borrow = 0i64;
    for i in 0..a.len() {
        let d = i64::from(a[i]) - i64::from(b[i]) - borrow;
        a[i] = d as u32;
        borrow = i64::from(d < 0);
    }
}

struct Mont {
    n: Vec<u32>,
    /// −n⁻¹ mod 2³².
    n0inv: u32,
    /// R² mod n, R = 2^(32·limbs).
    r2: Vec<u32>,
}

impl Mont {
    fn new(n: Vec<u32>) -> Self {
        let n0 = n[0];
        let mut inv: u32 = 1;
        for _ in 0..5 {
            inv = inv.wrapping_mul(2u32.wrapping_sub(n0.wrapping_mul(inv)));
        }
        let k = n.len();
        // R² mod n by doubling 1 (2·32·k) times with conditional subtraction.
        let mut r = vec![0u32; k];
        r[0] = 1;
        for _ in 0..(64 * k) {
            let carry = r[k - 1] >> 31;
            for i in (1..k).rev() {
                r[i] = (r[i] << 1) | (r[i - 1] >> 31);
            }
            r[0] <<= 1;
            if carry == 1 || cmp(&r, &n) != std::cmp::Ordering::Less {
                sub_in_place(&mut r, &n);
            }
        }
        Self {
            n,
            n0inv: inv.wrapping_neg(),
            r2: r,
        }
    }

    /// a·b·R⁻¹ mod n (CIOS), for a, b < n.
    fn mul(&self, a: &[u32], b: &[u32]) -> Vec<u32> {
        let k = self.n.len();
        let mut t = vec![0u32; k + 2];
        for &ai in a.iter().take(k) {
            let mut c = 0u64;
            for j in 0..k {
                let s = u64::from(t[j]) + u64::from(ai) * u64::from(b[j]) + c;
                t[j] = s as u32;
                c = s >> 32;
            }
            let s = u64::from(t[k]) + c;
            t[k] = s as u32;
            t[k + 1] = (s >> 32) as u32;

            let m = t[0].wrapping_mul(self.n0inv);
            let s = u64::from(t[0]) + u64::from(m) * u64::from(self.n[0]);
            let mut c = s >> 32;
            for j in 1..k {
                let s = u64::from(t[j]) + u64::from(m) * u64::from(self.n[j]) + c;
                t[j - 1] = s as u32;
                c = s >> 32;
            }
            let s = u64::from(t[k]) + c;
            t[k - 1] = s as u32;
            t[k] = t[k + 1] + (s >> 32) as u32;
            t[k + 1] = 0;
        }
        let mut out = t[..k].to_vec();
        if t[k] != 0 || cmp(&out, &self.n) != std::cmp::Ordering::Less {
            sub_in_place(&mut out, &self.n);
        }
        out
    }

    /// base^e mod n, e big-endian (non-empty, no leading zeros).
    fn pow(&self, base: &[u32], e: &[u8]) -> Vec<u32> {
        let k = self.n.len();
        let x = self.mul(base, &self.r2);
        let mut acc = x.clone();
        let mut started = false;
        for &byte in e {
            for bit in (0..8).rev() {
                let set = (byte >> bit) & 1 == 1;
                if !started {
                    started = set;
                    continue;
                }
                acc = self.mul(&acc, &acc);
                if set {
                    acc = self.mul(&acc, &x);
                }
            }
        }
        let mut one = vec![0u32; k];
        one[0] = 1;
        self.mul(&acc, &one)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::b64;
    use crate::keys::SigningKey;

    #[test]
    fn agrees_with_aws_lc_on_a_2048_bit_key() {
        let key = SigningKey::generate().unwrap();
        let jwk = key.public_jwk();
        let n = b64::decode(jwk.n.as_deref().unwrap()).unwrap();
        let e = b64::decode(jwk.e.as_deref().unwrap()).unwrap();
        let sig = key.sign_rs256(b"header.payload").unwrap();
        assert!(verify_pkcs1_sha256(&n, &e, b"header.payload", &sig));
        assert!(!verify_pkcs1_sha256(&n, &e, b"header.payloaD", &sig));
        let mut bad = sig.clone();
        bad[10] ^= 1;
        assert!(!verify_pkcs1_sha256(&n, &e, b"header.payload", &bad));
        assert_eq!(bit_len(&n), 2048);
    }

    #[test]
    fn small_exponent_arithmetic() {
        // n = 0xC5 * 0xD3-ish is too small for RSA; check the Montgomery pow directly instead.
        let n = to_limbs(&[0x0f, 0xff, 0xff, 0xff, 0xfb], 2); // odd 36-bit modulus
        let mont = Mont::new(n.clone());
        let base = to_limbs(&[0x12, 0x34, 0x56, 0x78], 2);
        let got = mont.pow(&base, &[0x01, 0x00, 0x01]);
        // Reference by repeated multiplication in u128.
        let nn: u128 = 0x0f_ffff_fffb;
        let b: u128 = 0x1234_5678;
        let mut r: u128 = 1;
        for _ in 0..65537 {
            r = r * b % nn;
        }
        let got_u = u128::from(got[0]) | (u128::from(got[1]) << 32);
        assert_eq!(got_u, r);
    }

    #[test]
    fn rejects_tiny_or_even_moduli() {
        assert!(!verify_pkcs1_sha256(
            &[0x01; 32],
            &[1, 0, 1],
            b"x",
            &[0; 32]
        ));
        assert_eq!(bit_len(&[0, 0, 0x01]), 1);
        assert_eq!(bit_len(&[]), 0);
    }

    /// Issue 9, item 8: a huge exponent (or modulus) is refused before any arithmetic; this
    /// took minutes of CPU per signature check before the cap.
    #[test]
    fn refuses_huge_exponents_and_moduli_at_once() {
        let mut n = vec![0xc5; 128];
        n[127] |= 1;
        let sig = vec![0x11; 128];
        let started = std::time::Instant::now();
        assert!(!verify_pkcs1_sha256(&n, &vec![0xff; 1 << 20], b"x", &sig));
        assert!(!verify_pkcs1_sha256(
            &[0xc5; 1024],
            &[1, 0, 1],
            b"x",
            &[0x11; 1024]
        ));
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        // 33 bits is still a key (e = 2^32 + 1).
        assert_eq!(bit_len(&[1, 0, 0, 0, 1]), 33);
    }
}
