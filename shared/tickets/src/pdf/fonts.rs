//! The fonts a ticket is set in, embedded in the PDF as subsets (only the glyphs it shows).
//!
//! Bundled in the binary (Noto, SIL Open Font License; see `fonts/OFL.txt`), regular and bold:
//! Noto Sans for Latin, Greek and Cyrillic, Noto Sans Hebrew and Noto Sans Arabic. That is
//! about 1.6 MB, 0.77 MB once zipped; they are not compressed in the binary because a
//! Lambda zip already is. A CJK font is 16–20 MB, so the caller supplies one if it has it
//! ([`Fonts::with_cjk`]); bold CJK text is then drawn with the regular face, stroked.

use krilla::Data;
use std::sync::{Arc, OnceLock};

const NOTO_SANS_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSans-Regular.ttf");
const NOTO_SANS_BOLD: &[u8] = include_bytes!("../../fonts/NotoSans-Bold.ttf");
const NOTO_SANS_HEBREW_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansHebrew-Regular.ttf");
const NOTO_SANS_HEBREW_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansHebrew-Bold.ttf");
const NOTO_SANS_ARABIC_REGULAR: &[u8] = include_bytes!("../../fonts/NotoSansArabic-Regular.ttf");
const NOTO_SANS_ARABIC_BOLD: &[u8] = include_bytes!("../../fonts/NotoSansArabic-Bold.ttf");

/// Characters a font must have to be taken as a CJK font: a kanji, a hiragana and a hangul.
const CJK_PROBES: [char; 3] = ['東', 'あ', '한'];

/// The fonts tickets are set in: the bundled ones, plus a CJK font if the caller has one.
/// Cheap to clone; build it once and keep it (parsing a font is not free).
#[derive(Clone)]
pub struct Fonts {
    regular: Arc<[Face]>,
    bold: Arc<[Face]>,
}

/// Why a font supplied to [`Fonts::with_cjk`] was refused.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("not an OpenType font, or the collection has no face {index}")]
    Unreadable { index: u32 },
    #[error("the font lacks CJK characters (it has no glyph for {missing:?})")]
    NotCjk { missing: char },
}

impl Fonts {
    /// The bundled fonts: Latin, Greek, Cyrillic, Hebrew and Arabic.
    pub fn bundled() -> Fonts {
        static BUNDLED: OnceLock<Fonts> = OnceLock::new();
        BUNDLED
            .get_or_init(|| {
                let face = |bytes: &'static [u8]| {
                    Face::new(Data::from(bytes), 0)
                        .unwrap_or_else(|| panic!("a bundled font does not parse"))
                };
                Fonts {
                    regular: [
                        NOTO_SANS_REGULAR,
                        NOTO_SANS_HEBREW_REGULAR,
                        NOTO_SANS_ARABIC_REGULAR,
                    ]
                    .map(face)
                    .into(),
                    bold: [NOTO_SANS_BOLD, NOTO_SANS_HEBREW_BOLD, NOTO_SANS_ARABIC_BOLD]
                        .map(face)
                        .into(),
                }
            })
            .clone()
    }

    /// These fonts plus a CJK font for Japanese, Chinese and Korean, used for whatever the
    /// bundled fonts lack. `face_index` picks the face of a collection (`.ttc`); in Noto
    /// Sans CJK's collections 0 is Japanese, 1 Korean, 2 Simplified and 3 Traditional
    /// Chinese (all cover all of CJK; they differ in regional glyph forms). Use 0 for a
    /// single font (`.otf`, `.ttf`).
    pub fn with_cjk(self, font: Vec<u8>, face_index: u32) -> Result<Fonts, FontError> {
        let unreadable = || FontError::Unreadable { index: face_index };
        let face = Face::new(Data::from(Arc::new(font)), face_index).ok_or_else(unreadable)?;
        {
            let parsed = face.shaper().ok_or_else(unreadable)?;
            if let Some(missing) = CJK_PROBES
                .into_iter()
                .find(|c| parsed.glyph_index(*c).is_none())
            {
                return Err(FontError::NotCjk { missing });
            }
        }
        let with = |faces: &[Face], face: Face| faces.iter().cloned().chain([face]).collect();
        Ok(Fonts {
            regular: with(&self.regular, face.clone()),
            bold: with(
                &self.bold,
                Face {
                    synthetic_bold: true,
                    ..face
                },
            ),
        })
    }

    /// The faces to try for `weight`, in order.
    pub(crate) fn chain(&self, weight: Weight) -> &[Face] {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts")
            .field("faces", &self.regular.len())
            .finish()
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Weight {
    Regular,
    Bold,
}

/// One face of a font file: its bytes for shaping and its handle for embedding.
#[derive(Clone)]
pub(crate) struct Face {
    data: Data,
    index: u32,
    pub(crate) pdf: krilla::text::Font,
    /// Drawn stroked as well as filled, to stand in for a bold weight the font lacks.
    pub(crate) synthetic_bold: bool,
}

impl Face {
    fn new(data: Data, index: u32) -> Option<Face> {
        let pdf = krilla::text::Font::new(data.clone(), index)?;
        Some(Face {
            data,
            index,
            pdf,
            synthetic_bold: false,
        })
    }

    /// The face parsed for shaping and glyph look-ups. It borrows the bytes, so it is made
    /// per document rather than kept; that costs microseconds (tables are read lazily).
    pub(crate) fn shaper(&self) -> Option<rustybuzz::Face<'_>> {
        rustybuzz::Face::from_slice(self.data.as_ref(), self.index)
    }
}
