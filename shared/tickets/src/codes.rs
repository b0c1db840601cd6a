//! Ticket codes: what the QR code on a ticket carries, and what the door scanner checks.
//!
//! A code is `M1.<tenant>.<performance>.<ticket>.<mac>`: the ids in the clear (a scanner has
//! to read the tenant to know which venue key to check with), then the first 16 bytes of
//! HMAC-SHA256 over everything before the last dot, under the venue's key, in URL-safe base64.
//! Only Marquee holds the keys, so nobody else can make a code that verifies. See
//! `docs/ticket-codes.md` for why.
//!
//! A verified code proves the ticket was issued, not that it is still good: the scanner must
//! also check that it is for this venue and performance and has not been used or refunded.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::digest::KeyInit;
use hmac::digest::generic_array::GenericArray;
use hmac::{Hmac, Mac};
use rand::{RngCore, TryRngCore};
use sha2::Sha256;
use std::fmt;
use subtle::ConstantTimeEq;

/// The scheme version, first in every code. A new scheme (say, with a key id) gets `M2`.
const VERSION: &str = "M1";
const SEPARATOR: char = '.';

/// Longest id a code carries. ULIDs are 26 characters; UUIDs 36.
pub const MAX_ID_LEN: usize = 64;

/// Bytes of the HMAC kept in the code. 128 bits leaves a forger a 2⁻¹²⁸ chance per try,
/// and a scanner lets nobody try more than a few times a second.
const MAC_LEN: usize = 16;
/// `MAC_LEN` bytes in unpadded base64.
const MAC_TEXT_LEN: usize = (MAC_LEN * 4).div_ceil(3);

/// Longest string that can be a code. Anything longer is refused before any work is done.
pub const MAX_CODE_LEN: usize = VERSION.len() + 3 * (1 + MAX_ID_LEN) + 1 + MAC_TEXT_LEN;

/// Shortest and longest venue key. Under 32 bytes is weaker than the hash; over 64 bytes
/// (SHA-256's block) HMAC would hash the key first, which adds nothing.
const KEY_MIN_LEN: usize = 32;
const KEY_MAX_LEN: usize = 64;
/// HMAC-SHA256's block size: keys are zero-padded to this, exactly as RFC 2104 does.
const KEY_BLOCK: usize = 64;

/// Reads keys with or without `=` padding: keys are pasted into secrets by people.
const KEY_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Why a code, or the ids for one, was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    #[error("{field} must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'")]
    InvalidId { field: &'static str },
    #[error("a ticket code is at most {MAX_CODE_LEN} characters")]
    TooLong,
    #[error("not a ticket code")]
    Malformed,
    #[error("ticket code version not supported")]
    UnsupportedVersion,
    /// Altered, forged, or signed with another key.
    #[error("ticket code signature does not match")]
    BadSignature,
}

/// Why a venue key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("a venue key is URL-safe base64")]
    NotBase64,
    #[error("a venue key is 32 to 64 bytes, not {0}")]
    WrongLength(usize),
}

/// Who a ticket is for: the ids a code carries. Every id is 1–64 characters of
/// `[A-Za-z0-9_-]`, so none can contain the code's `.` separator (which would let
/// `a.b` + `c` sign the same text as `a` + `b.c`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketCode {
    tenant: String,
    performance: String,
    ticket: String,
}

impl TicketCode {
    pub fn new(tenant: &str, performance: &str, ticket: &str) -> Result<Self, CodeError> {
        Ok(Self {
            tenant: parse_id("tenant", tenant)?.to_owned(),
            performance: parse_id("performance", performance)?.to_owned(),
            ticket: parse_id("ticket", ticket)?.to_owned(),
        })
    }

    pub fn tenant(&self) -> &str {
        &self.tenant
    }

    pub fn performance(&self) -> &str {
        &self.performance
    }

    pub fn ticket(&self) -> &str {
        &self.ticket
    }
}

fn parse_id<'a>(field: &'static str, id: &'a str) -> Result<&'a str, CodeError> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(id)
    } else {
        Err(CodeError::InvalidId { field })
    }
}

/// A venue's secret signing key: 32–64 random bytes. Kept per venue so that one venue's
/// leaked key cannot forge another venue's tickets.
#[derive(Clone)]
pub struct VenueKey {
    /// Zero-padded to HMAC-SHA256's block size; `len` bytes are the key.
    block: [u8; KEY_BLOCK],
    len: usize,
}

impl VenueKey {
    /// A new 32-byte key from the operating system's random source.
    pub fn generate() -> Self {
        let mut block = [0u8; KEY_BLOCK];
        // Panics only if the OS has no randomness to give, as rand 0.8's `OsRng` did.
        rand::rngs::OsRng
            .unwrap_err()
            .fill_bytes(&mut block[..KEY_MIN_LEN]);
        Self {
            block,
            len: KEY_MIN_LEN,
        }
    }

    /// Reads a key written by [`VenueKey::to_base64`] (padding and surrounding whitespace
    /// are forgiven).
    pub fn from_base64(text: &str) -> Result<Self, KeyError> {
        let bytes = KEY_BASE64
            .decode(text.trim())
            .map_err(|_| KeyError::NotBase64)?;
        if !(KEY_MIN_LEN..=KEY_MAX_LEN).contains(&bytes.len()) {
            return Err(KeyError::WrongLength(bytes.len()));
        }
        let mut block = [0u8; KEY_BLOCK];
        block[..bytes.len()].copy_from_slice(&bytes);
        Ok(Self {
            block,
            len: bytes.len(),
        })
    }

    /// The key as unpadded URL-safe base64, for storing as a secret.
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.block[..self.len])
    }

    /// HMAC-SHA256 of `message`, truncated to the bytes a code carries.
    fn mac(&self, message: &[u8]) -> [u8; MAC_LEN] {
        // RFC 2104 zero-pads a short key to the block size, so keying with the padded
        // block is the same HMAC as keying with the key — and cannot fail, unlike
        // `new_from_slice`.
        let mut hmac = <Hmac<Sha256> as KeyInit>::new(&GenericArray::from(self.block));
        hmac.update(message);
        let full = hmac.finalize().into_bytes();
        let mut out = [0u8; MAC_LEN];
        out.copy_from_slice(&full[..MAC_LEN]);
        out
    }
}

impl fmt::Debug for VenueKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("VenueKey(<redacted>)")
    }
}

/// The code for a ticket, signed with its venue's key: ASCII, at most [`MAX_CODE_LEN`]
/// characters, fit for a QR code.
pub fn sign(key: &VenueKey, code: &TicketCode) -> String {
    let mut out = String::with_capacity(MAX_CODE_LEN);
    out.push_str(VERSION);
    for id in [&code.tenant, &code.performance, &code.ticket] {
        out.push(SEPARATOR);
        out.push_str(id);
    }
    let mac = key.mac(out.as_bytes());
    out.push(SEPARATOR);
    URL_SAFE_NO_PAD.encode_string(mac, &mut out);
    out
}

/// The ids in a code, **without checking its signature**: for a scanner to find the venue
/// (and so the key) to [`verify`] it with. Never trust the result on its own.
pub fn parse_unverified(text: &str) -> Result<TicketCode, CodeError> {
    split(text).map(|parts| parts.code)
}

/// The ids in a code whose signature is good under `key`.
pub fn verify(key: &VenueKey, text: &str) -> Result<TicketCode, CodeError> {
    let parts = split(text)?;
    let mut mac = [0u8; MAC_LEN];
    // `split` checked the length; the strict engine refuses a second spelling of the
    // same bytes, so exactly one string verifies for each ticket.
    match URL_SAFE_NO_PAD.decode_slice(parts.mac, &mut mac) {
        Ok(MAC_LEN) => {}
        _ => return Err(CodeError::Malformed),
    }
    let expected = key.mac(parts.signed.as_bytes());
    // Constant time, so response timing cannot be used to guess a MAC byte by byte.
    if bool::from(expected.ct_eq(&mac)) {
        Ok(parts.code)
    } else {
        Err(CodeError::BadSignature)
    }
}

struct Parts<'a> {
    code: TicketCode,
    /// The text the MAC covers: everything before the last separator.
    signed: &'a str,
    mac: &'a str,
}

fn split(text: &str) -> Result<Parts<'_>, CodeError> {
    if text.len() > MAX_CODE_LEN {
        return Err(CodeError::TooLong);
    }
    let mut fields = text.split(SEPARATOR);
    let version = fields.next().unwrap_or_default();
    if version != VERSION {
        return Err(if looks_like_version(version) {
            CodeError::UnsupportedVersion
        } else {
            CodeError::Malformed
        });
    }
    let (Some(tenant), Some(performance), Some(ticket), Some(mac), None) = (
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
        fields.next(),
    ) else {
        return Err(CodeError::Malformed);
    };
    if mac.len() != MAC_TEXT_LEN {
        return Err(CodeError::Malformed);
    }
    let code = TicketCode::new(tenant, performance, ticket)?;
    let signed = &text[..text.len() - mac.len() - SEPARATOR.len_utf8()];
    Ok(Parts { code, signed, mac })
}

/// `M` and digits: a code from another version of this scheme rather than noise.
fn looks_like_version(field: &str) -> bool {
    field
        .strip_prefix('M')
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TENANT: &str = "01jd8x3k9m2n4p6q8r0s2t4v6w";
    const PERFORMANCE: &str = "01jd8x4a1b2c3d4e5f6g7h8j9k";
    const TICKET: &str = "01jd8x5z9y8x7w6v5t4s3r2q1p";

    fn code() -> TicketCode {
        TicketCode::new(TENANT, PERFORMANCE, TICKET).unwrap()
    }

    fn key() -> VenueKey {
        VenueKey::from_base64(&URL_SAFE_NO_PAD.encode([7u8; 32])).unwrap()
    }

    #[test]
    fn a_signed_code_verifies_and_carries_its_ids() {
        let key = key();
        let signed = sign(&key, &code());
        assert!(signed.starts_with("M1."));
        assert!(signed.is_ascii());
        assert!(signed.len() <= MAX_CODE_LEN);
        assert_eq!(verify(&key, &signed), Ok(code()));
        let parsed = parse_unverified(&signed).unwrap();
        assert_eq!(parsed.tenant(), TENANT);
        assert_eq!(parsed.performance(), PERFORMANCE);
        assert_eq!(parsed.ticket(), TICKET);
    }

    #[test]
    fn signing_is_deterministic_and_distinct_per_ticket() {
        let key = key();
        assert_eq!(sign(&key, &code()), sign(&key, &code()));
        let other = TicketCode::new(TENANT, PERFORMANCE, "01jd8x5z9y8x7w6v5t4s3r2q1q").unwrap();
        assert_ne!(sign(&key, &code()), sign(&key, &other));
    }

    #[test]
    fn the_mac_is_hmac_sha256() {
        // RFC 4231 test case 1 (a 20-byte key), through the zero-padded keying `mac` uses.
        let mut block = [0u8; KEY_BLOCK];
        block[..20].fill(0x0b);
        let key = VenueKey { block, len: 20 };
        let expected = hex_bytes("b0344c61d8db38535ca8afceaf0bf12b");
        assert_eq!(key.mac(b"Hi There").to_vec(), expected);
    }

    fn hex_bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn a_wrong_key_is_refused() {
        let signed = sign(&key(), &code());
        let other = VenueKey::generate();
        assert_eq!(verify(&other, &signed), Err(CodeError::BadSignature));
    }

    #[test]
    fn an_altered_payload_is_refused() {
        let key = key();
        let signed = sign(&key, &code());
        let forged = signed.replacen(TICKET, "01jd8x5z9y8x7w6v5t4s3r2q1q", 1);
        assert_ne!(forged, signed);
        assert_eq!(verify(&key, &forged), Err(CodeError::BadSignature));
        // Moving ids between fields keeps every byte but changes the meaning.
        let swapped = signed.replacen(
            &format!("{TENANT}.{PERFORMANCE}"),
            &format!("{PERFORMANCE}.{TENANT}"),
            1,
        );
        assert_eq!(verify(&key, &swapped), Err(CodeError::BadSignature));
    }

    #[test]
    fn an_altered_mac_is_refused() {
        let key = key();
        let signed = sign(&key, &code());
        let (body, mac) = signed.rsplit_once('.').unwrap();
        let other_mac = URL_SAFE_NO_PAD.encode([0u8; MAC_LEN]);
        assert_eq!(
            verify(&key, &format!("{body}.{other_mac}")),
            Err(CodeError::BadSignature)
        );
        // The full 32-byte HMAC, or a shorter one, is not this scheme.
        let long = format!("{body}.{mac}AAAA");
        assert_eq!(verify(&key, &long), Err(CodeError::Malformed));
        assert_eq!(
            verify(&key, &format!("{body}.{}", &mac[..20])),
            Err(CodeError::Malformed)
        );
    }

    #[test]
    fn every_single_character_change_is_refused() {
        let key = key();
        let signed = sign(&key, &code());
        let alphabet: Vec<char> =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ é\0\n"
                .chars()
                .collect();
        let chars: Vec<char> = signed.chars().collect();
        let mut tried = 0;
        for at in 0..chars.len() {
            for &replacement in &alphabet {
                if replacement == chars[at] {
                    continue;
                }
                let mut altered = chars.clone();
                altered[at] = replacement;
                let altered: String = altered.into_iter().collect();
                assert!(
                    verify(&key, &altered).is_err(),
                    "changing character {at} to {replacement:?} still verifies: {altered}"
                );
                tried += 1;
            }
            // Dropping or doubling a character is also a change.
            let mut dropped = chars.clone();
            dropped.remove(at);
            assert!(verify(&key, &dropped.iter().collect::<String>()).is_err());
            let mut doubled = chars.clone();
            doubled.insert(at, chars[at]);
            assert!(verify(&key, &doubled.iter().collect::<String>()).is_err());
        }
        assert!(tried > 100 * alphabet.len() / 2);
    }

    #[test]
    fn other_versions_are_refused_by_name() {
        let key = key();
        let signed = sign(&key, &code());
        let m2 = signed.replacen("M1.", "M2.", 1);
        assert_eq!(verify(&key, &m2), Err(CodeError::UnsupportedVersion));
        assert_eq!(parse_unverified(&m2), Err(CodeError::UnsupportedVersion));
        let lower = signed.replacen("M1.", "m1.", 1);
        assert_eq!(verify(&key, &lower), Err(CodeError::Malformed));
    }

    #[test]
    fn garbage_is_refused_without_panicking() {
        let key = key();
        let samples = [
            "",
            ".",
            "M1",
            "M1.",
            "M1....",
            "M1.a.b.c.",
            "M1.a.b.c.d",
            "M1.a.b.c.d.e.f",
            "M1.a.b.c.AAAAAAAAAAAAAAAAAAAAAA",
            "M1.a.b.c.AAAAAAAAAAAAAAAAAAAAA*",
            "M1.a.b.c.AAAAAAAAAAAAAAAAAAAAA=",
            "M1.a.b.c.ééééééééééé",
            "M1.é.b.c.AAAAAAAAAAAAAAAAAAAAAA",
            "https://example.com/?M1.a.b.c.d",
            "M99999999999999999999.a.b.c.d",
            "\u{0}\u{1}\u{2}",
            "🎟️",
        ];
        for sample in samples {
            assert!(verify(&key, sample).is_err(), "{sample:?}");
            let _ = parse_unverified(sample);
        }
        // Well formed but signed by nobody.
        assert_eq!(
            verify(&key, "M1.a.b.c.AAAAAAAAAAAAAAAAAAAAAA"),
            Err(CodeError::BadSignature)
        );
    }

    #[test]
    fn over_long_input_is_refused_before_parsing() {
        let key = key();
        let long = format!("M1.{}", "a".repeat(100_000));
        assert_eq!(verify(&key, &long), Err(CodeError::TooLong));
        assert_eq!(parse_unverified(&long), Err(CodeError::TooLong));
        let longest_ids = TicketCode::new(
            &"t".repeat(MAX_ID_LEN),
            &"p".repeat(MAX_ID_LEN),
            &"k".repeat(MAX_ID_LEN),
        )
        .unwrap();
        let longest = sign(&key, &longest_ids);
        assert_eq!(longest.len(), MAX_CODE_LEN);
        assert_eq!(verify(&key, &longest), Ok(longest_ids));
        assert_eq!(
            verify(&key, &format!("{longest}A")),
            Err(CodeError::TooLong)
        );
    }

    #[test]
    fn ids_with_separators_or_odd_characters_are_refused() {
        for bad in [
            "",
            "a.b",
            "a b",
            "a/b",
            "a=b",
            "a\nb",
            "é",
            "a\u{0}",
            &"x".repeat(MAX_ID_LEN + 1),
        ] {
            assert_eq!(
                TicketCode::new(bad, PERFORMANCE, TICKET),
                Err(CodeError::InvalidId { field: "tenant" }),
                "{bad:?}"
            );
            assert_eq!(
                TicketCode::new(TENANT, PERFORMANCE, bad),
                Err(CodeError::InvalidId { field: "ticket" }),
                "{bad:?}"
            );
        }
        assert!(TicketCode::new("A-z_0", "uuid-1234-abcd", &"x".repeat(MAX_ID_LEN)).is_ok());
    }

    #[test]
    fn keys_round_trip_through_base64() {
        let key = VenueKey::generate();
        let text = key.to_base64();
        assert_eq!(text.len(), 43);
        let back = VenueKey::from_base64(&format!("  {text}=\n")).unwrap();
        assert_eq!(back.to_base64(), text);
        let signed = sign(&key, &code());
        assert_eq!(verify(&back, &signed), Ok(code()));
        assert_ne!(VenueKey::generate().to_base64(), text);
    }

    #[test]
    fn short_long_or_garbled_keys_are_refused() {
        assert_eq!(
            VenueKey::from_base64(&URL_SAFE_NO_PAD.encode([1u8; 31])).map(|_| ()),
            Err(KeyError::WrongLength(31))
        );
        assert_eq!(
            VenueKey::from_base64(&URL_SAFE_NO_PAD.encode([1u8; 65])).map(|_| ()),
            Err(KeyError::WrongLength(65))
        );
        assert!(VenueKey::from_base64(&URL_SAFE_NO_PAD.encode([1u8; 64])).is_ok());
        assert_eq!(
            VenueKey::from_base64("not base64!").map(|_| ()),
            Err(KeyError::NotBase64)
        );
    }

    #[test]
    fn a_64_byte_key_differs_from_its_32_byte_prefix() {
        // Zero-padding must not make `k` and `k ‖ 0…` one key unless they truly are.
        let long = VenueKey::from_base64(&URL_SAFE_NO_PAD.encode([9u8; 64])).unwrap();
        let short = VenueKey::from_base64(&URL_SAFE_NO_PAD.encode([9u8; 32])).unwrap();
        assert_ne!(sign(&long, &code()), sign(&short, &code()));
    }

    #[test]
    fn debug_does_not_print_the_key() {
        let key = VenueKey::generate();
        let printed = format!("{key:?} {:?}", Some(&key));
        assert!(!printed.contains(&key.to_base64()));
        assert!(printed.contains("redacted"));
    }
}
