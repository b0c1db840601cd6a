//! Setting ticket text in lines: font fallback, shaping, line breaking and bidi order.
//!
//! Each character is set in the first font of the chain that has it (punctuation, digits
//! and spaces stay in the font of the text around them, combining marks always do), so a
//! Japanese title with a Latin word in it uses both fonts. Text is shaped with rustybuzz,
//! which gives Arabic its joined forms and places marks; lines are broken at spaces, between
//! CJK characters, and anywhere in a word too long for a line. Each line is then put in
//! display order with the Unicode bidi algorithm, so Hebrew and Arabic read right to left
//! with numbers and Latin words inside them left to right.

use super::fonts::{Face, Fonts, Weight};
use krilla::text::{GlyphId, KrillaGlyph};
use rustybuzz::{Direction, UnicodeBuffer};
use std::cell::OnceCell;
use std::ops::Range;
use unicode_bidi::{Level, ParagraphBidiInfo};

/// Text past this many characters per allowed line is cut before it is shaped: far more
/// than fits on a line at the smallest size, and it bounds the work however long the text.
const MAX_CHARS_PER_LINE: usize = 300;
const ELLIPSIS: &str = "…";

/// One line, ready to draw: runs of glyphs from left to right.
pub(crate) struct Line<'f> {
    pub(crate) runs: Vec<Run<'f>>,
    /// In em: multiply by the font size for points.
    pub(crate) width: f32,
    /// The text is right-to-left (its first strong character is Hebrew or Arabic), so it is
    /// aligned to the right.
    pub(crate) rtl: bool,
}

/// Glyphs of one font and direction, with the text they show (for copy and search).
pub(crate) struct Run<'f> {
    pub(crate) face: &'f Face,
    pub(crate) text: String,
    /// Their `text_range`s index `text`; advances and offsets are in em.
    pub(crate) glyphs: Vec<KrillaGlyph>,
    /// From the start of the line, in em.
    pub(crate) x: f32,
}

/// A document's fonts, parsed for shaping as they are first needed.
pub(crate) struct Typesetter<'f> {
    regular: Vec<Shaper<'f>>,
    bold: Vec<Shaper<'f>>,
}

struct Shaper<'f> {
    face: &'f Face,
    parsed: OnceCell<Option<rustybuzz::Face<'f>>>,
}

impl<'f> Shaper<'f> {
    fn parsed(&self) -> Option<&rustybuzz::Face<'f>> {
        self.parsed.get_or_init(|| self.face.shaper()).as_ref()
    }

    fn covers(&self, c: char) -> bool {
        self.parsed()
            .is_some_and(|face| face.glyph_index(c).is_some())
    }
}

/// How a character picks its font.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Letters and ideographs: the first font that has them.
    Strong,
    /// Spaces, digits, punctuation and symbols: the font of the text they are in, if it
    /// has them.
    Common,
    /// Combining marks and joiners: always with the character before them.
    Inherited,
}

impl<'f> Typesetter<'f> {
    pub(crate) fn new(fonts: &'f Fonts) -> Self {
        let chain = |weight| {
            fonts
                .chain(weight)
                .iter()
                .map(|face| Shaper {
                    face,
                    parsed: OnceCell::new(),
                })
                .collect()
        };
        Typesetter {
            regular: chain(Weight::Regular),
            bold: chain(Weight::Bold),
        }
    }

    fn chain(&self, weight: Weight) -> &[Shaper<'f>] {
        match weight {
            Weight::Regular => &self.regular,
            Weight::Bold => &self.bold,
        }
    }

    /// `text` broken into at most `max_lines` lines no wider than `max_width` at `size`. If
    /// it does not fit, the last line ends with an ellipsis. Line breaks and tabs in the text
    /// are spaces; control and bidi override characters are dropped, so nothing typed can
    /// reorder the rest of the line.
    pub(crate) fn lines(
        &self,
        text: &str,
        weight: Weight,
        size: f32,
        max_width: f32,
        max_lines: usize,
    ) -> Vec<Line<'f>> {
        let chain = self.chain(weight);
        let (text, cut) = clean(text, max_lines.saturating_mul(MAX_CHARS_PER_LINE));
        if text.is_empty() || max_lines == 0 {
            return Vec::new();
        }
        let max_em = max_width / size;
        let widths = Widths::measure(chain, &text);
        let mut ranges = break_lines(&text, &widths, max_em, max_lines + 1);
        let overflows = cut || ranges.len() > max_lines;
        ranges.truncate(max_lines);
        let mut texts: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
        let shortened;
        if overflows && let Some(last) = ranges.last() {
            let ellipsis = Widths::measure(chain, ELLIPSIS).of(0..ELLIPSIS.len());
            let mut end = last.end;
            while end > last.start && widths.of(last.start..end) + ellipsis > max_em {
                end = text[..end].char_indices().next_back().map_or(0, |(i, _)| i);
            }
            shortened = format!("{}{ELLIPSIS}", text[last.start..end].trim_end());
            if let Some(slot) = texts.last_mut() {
                *slot = &shortened;
            }
        }
        let rtl = unicode_bidi::get_base_direction(text.as_str()) == unicode_bidi::Direction::Rtl;
        texts
            .into_iter()
            .map(|line| set_line(chain, line, rtl))
            .collect()
    }

    /// One line of `text` at the largest size from `largest` down to `smallest` (in whole
    /// points) at which it fits; at `smallest` it is cut with an ellipsis.
    pub(crate) fn shrink_to_fit(
        &self,
        text: &str,
        weight: Weight,
        largest: f32,
        smallest: f32,
        max_width: f32,
    ) -> (f32, Option<Line<'f>>) {
        let (cleaned, _) = clean(text, MAX_CHARS_PER_LINE);
        let width = Widths::measure(self.chain(weight), &cleaned).of(0..cleaned.len());
        let mut size = largest;
        while size > smallest && width * size > max_width {
            size -= 1.0;
        }
        let line = self
            .lines(text, weight, size, max_width, 1)
            .into_iter()
            .next();
        (size, line)
    }
}

/// `text` with whitespace runs as one space and no leading or trailing space, without
/// controls, zero-width spaces and bidi embeddings, overrides and isolates; at most
/// `max_chars` characters, and whether it was cut.
pub(super) fn clean(text: &str, max_chars: usize) -> (String, bool) {
    let mut out = String::with_capacity(text.len().min(max_chars.saturating_mul(4)));
    let mut count = 0;
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if c.is_control()
            || matches!(
                c,
                '\u{200B}' | '\u{202A}'..='\u{202E}' | '\u{2060}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
            )
        {
            continue;
        }
        if count + usize::from(space) >= max_chars {
            return (out, true);
        }
        if std::mem::take(&mut space) {
            out.push(' ');
            count += 1;
        }
        out.push(c);
        count += 1;
    }
    (out, false)
}

fn class(c: char) -> Class {
    match c {
        '\u{300}'..='\u{36F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{200C}'
        | '\u{200D}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{3099}'
        | '\u{309A}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{E0100}'..='\u{E01EF}' => Class::Inherited,
        c if c.is_alphabetic() => Class::Strong,
        _ => Class::Common,
    }
}

/// `text` as runs of one font each (indices into `chain`), in text order. A character no
/// font has goes with the text around it, and shows as that font's missing-glyph box.
fn itemize(chain: &[Shaper<'_>], text: &str) -> Vec<(Range<usize>, usize)> {
    struct FontRun {
        range: Range<usize>,
        face: usize,
        /// Only Common characters so far: such a run (the "1" of "1층") takes the font of
        /// the letters after it if that font has its characters too.
        only_common: bool,
    }
    let mut runs: Vec<FontRun> = Vec::new();
    for (i, c) in text.char_indices() {
        let end = i + c.len_utf8();
        let class = class(c);
        let current = runs.last().map(|run| run.face);
        let face = match (class, current) {
            (Class::Inherited, Some(face)) => face,
            (Class::Common, Some(face)) if chain[face].covers(c) => face,
            _ => (0..chain.len())
                .find(|&face| chain[face].covers(c))
                .or(current)
                .unwrap_or(0),
        };
        if let Some(run) = runs.last_mut() {
            let joins = run.face == face
                || (run.only_common
                    && class == Class::Strong
                    && text[run.range.clone()]
                        .chars()
                        .all(|c| chain[face].covers(c)));
            if joins {
                run.face = face;
                run.range.end = end;
                run.only_common &= class == Class::Common;
                continue;
            }
        }
        runs.push(FontRun {
            range: i..end,
            face,
            only_common: class == Class::Common,
        });
    }
    runs.into_iter().map(|run| (run.range, run.face)).collect()
}

/// `text` shaped with `face`: glyphs in display order, with their text ranges, and the
/// total advance, all in em.
/// `None` lets the script decide the direction.
fn shape(
    face: &rustybuzz::Face<'_>,
    text: &str,
    direction: Option<Direction>,
) -> (Vec<KrillaGlyph>, f32) {
    let mut buffer = UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    if let Some(direction) = direction {
        buffer.set_direction(direction);
    }
    let output = rustybuzz::shape(face, &[], buffer);
    let em = face.units_per_em().max(1) as f32;
    // A glyph shows the text from its cluster's start to the next cluster's start.
    let mut starts: Vec<usize> = output
        .glyph_infos()
        .iter()
        .map(|info| info.cluster as usize)
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let mut width = 0.0;
    let glyphs = output
        .glyph_infos()
        .iter()
        .zip(output.glyph_positions())
        .map(|(info, position)| {
            let start = info.cluster as usize;
            let end = starts
                .get(starts.partition_point(|&s| s <= start))
                .copied()
                .unwrap_or(text.len());
            let x_advance = position.x_advance as f32 / em;
            width += x_advance;
            KrillaGlyph {
                glyph_id: GlyphId::new(info.glyph_id),
                text_range: start..end,
                x_advance,
                x_offset: position.x_offset as f32 / em,
                y_offset: position.y_offset as f32 / em,
                y_advance: position.y_advance as f32 / em,
                location: None,
            }
        })
        .collect();
    (glyphs, width)
}

/// The advance of each character of a text, shaped in its fonts, for line breaking.
struct Widths {
    /// `prefix[i]`: the advance of `text[..i]`, in em, at every byte index.
    prefix: Vec<f32>,
}

impl Widths {
    fn measure(chain: &[Shaper<'_>], text: &str) -> Widths {
        // Each glyph's advance counts at its cluster's first byte.
        let mut at = vec![0.0_f32; text.len() + 1];
        for (range, face) in itemize(chain, text) {
            let Some(parsed) = chain[face].parsed() else {
                continue;
            };
            // The direction does not change the width.
            for glyph in shape(parsed, &text[range.clone()], None).0 {
                at[range.start + glyph.text_range.start] += glyph.x_advance;
            }
        }
        let mut sum = 0.0;
        let prefix = std::iter::once(0.0)
            .chain(at[..text.len()].iter().map(|w| {
                sum += w;
                sum
            }))
            .collect();
        Widths { prefix }
    }

    fn of(&self, range: Range<usize>) -> f32 {
        self.prefix[range.end] - self.prefix[range.start]
    }
}

/// Up to `limit` lines of `text` (cleaned: single spaces) no wider than `max_em`, greedily,
/// as byte ranges without the spaces between them.
fn break_lines(text: &str, widths: &Widths, max_em: f32, limit: usize) -> Vec<Range<usize>> {
    let mut lines = Vec::new();
    let mut current: Option<Range<usize>> = None;
    for piece in pieces(text) {
        if let Some(line) = &mut current {
            if widths.of(line.start..piece.end) <= max_em {
                line.end = piece.end;
                continue;
            }
            lines.push(line.clone());
        }
        // The piece starts a line; one too long for a line is broken between characters.
        let mut start = piece.start;
        for (i, c) in text[piece.clone()].char_indices() {
            let at = piece.start + i;
            if at > start
                && class(c) != Class::Inherited
                && widths.of(start..at + c.len_utf8()) > max_em
            {
                lines.push(start..at);
                start = at;
            }
        }
        current = Some(start..piece.end);
        if lines.len() >= limit {
            break;
        }
    }
    lines.extend(current);
    lines.truncate(limit);
    lines
}

/// Where a line may break: the text's words (split at spaces), and within them between CJK
/// characters, except before closing and after opening punctuation.
fn pieces(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let mut offset = 0;
    text.split(' ').flat_map(move |word| {
        let start = offset;
        offset += word.len() + 1;
        let mut breaks = vec![start];
        let mut previous: Option<char> = None;
        for (i, c) in word.char_indices() {
            if let Some(before) = previous
                && (is_cjk(before) || is_cjk(c))
                && !no_break_before(c)
                && !no_break_after(before)
                && class(c) != Class::Inherited
            {
                breaks.push(start + i);
            }
            previous = Some(c);
        }
        breaks.push(start + word.len());
        breaks
            .windows(2)
            .map(|w| w[0]..w[1])
            .filter(|r| !r.is_empty())
            .collect::<Vec<_>>()
    })
}

/// Chinese and Japanese characters, between which a line may break. (Korean breaks at
/// spaces, like Latin text.)
fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{2FFF}'   // radicals
        | '\u{3000}'..='\u{30FF}' // punctuation, hiragana, katakana
        | '\u{3400}'..='\u{4DBF}' // extension A
        | '\u{4E00}'..='\u{9FFF}' // unified ideographs
        | '\u{F900}'..='\u{FAFF}' // compatibility ideographs
        | '\u{FF00}'..='\u{FFEF}' // full-width forms
        | '\u{20000}'..='\u{3FFFF}')
}

fn no_break_before(c: char) -> bool {
    matches!(
        c,
        '、' | '。'
            | '，'
            | '．'
            | '・'
            | '：'
            | '；'
            | '？'
            | '！'
            | 'ー'
            | '）'
            | '」'
            | '』'
            | '】'
            | '〕'
            | '〉'
            | '》'
            | '〟'
            | 'ぁ'
            | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
    )
}

fn no_break_after(c: char) -> bool {
    matches!(c, '（' | '「' | '『' | '【' | '〔' | '〈' | '《' | '〝')
}

/// One line of (cleaned) text in display order. `rtl` is the direction of the paragraph
/// it came from, which decides where runs of neutral characters go.
fn set_line<'f>(chain: &[Shaper<'f>], text: &str, rtl: bool) -> Line<'f> {
    let level = if rtl { Level::rtl() } else { Level::ltr() };
    let bidi = ParagraphBidiInfo::new(text, Some(level));
    let visual: Vec<(Range<usize>, bool)> = if bidi.has_rtl() {
        let (levels, runs) = bidi.visual_runs(0..text.len());
        runs.into_iter()
            .map(|run| {
                let rtl = levels.get(run.start).is_some_and(|l| l.is_rtl());
                (run, rtl)
            })
            .collect()
    } else {
        vec![(0..text.len(), false)]
    };
    let mut runs = Vec::new();
    let mut x = 0.0;
    for (range, run_rtl) in visual {
        let mut pieces = itemize(chain, &text[range.clone()]);
        if run_rtl {
            pieces.reverse();
        }
        let direction = if run_rtl {
            Direction::RightToLeft
        } else {
            Direction::LeftToRight
        };
        for (piece, face) in pieces {
            let shaper = &chain[face];
            let Some(parsed) = shaper.parsed() else {
                continue;
            };
            let piece_text = &text[range.start + piece.start..range.start + piece.end];
            let (glyphs, width) = shape(parsed, piece_text, Some(direction));
            runs.push(Run {
                face: shaper.face,
                text: piece_text.to_owned(),
                glyphs,
                x,
            });
            x += width;
        }
    }
    Line {
        runs,
        width: x,
        rtl,
    }
}
