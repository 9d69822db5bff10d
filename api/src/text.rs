//! Text rules shared by imports, edits and search: slugs, accent folding and the repair of
//! titles mangled by a Mac Roman / Windows-1252 mix-up.

use encoding_rs::{MACINTOSH, WINDOWS_1252};

/// Lower-case ASCII with accents removed: what search and slugs compare.
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// A slug: lower-case ASCII words joined by `-` (`"Déjà Vu"` → `"deja-vu"`). Never empty.
pub fn slugify(text: &str) -> String {
    let folded = fold(&text.replace('&', " and "));
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        "untitled".to_owned()
    } else {
        words.join("-")
    }
}

/// A film's slug: its title's slug followed by its release year when known.
pub fn film_slug(title: &str, year: Option<i32>) -> String {
    match year {
        Some(year) => format!("{}-{year}", slugify(title)),
        None => slugify(title),
    }
}

/// Repairs text whose Windows-1252 bytes were read as Mac Roman (`"DÈj‡ Vu"` → `"Déjà Vu"`).
///
/// Returns `None` when the text does not look mangled: every non-ASCII character must exist in
/// Mac Roman, and the re-read text must look less odd than the original (see [`oddness`]). Text
/// such as `"Alien³"`, `"Amélie"` or `"Ri¢hie Ri¢h"` is left alone.
pub fn repair_mojibake(text: &str) -> Option<String> {
    if text.is_ascii() {
        return None;
    }
    let (bytes, _, unmappable) = MACINTOSH.encode(text);
    if unmappable {
        return None;
    }
    let (repaired, _, malformed) = WINDOWS_1252.decode(&bytes);
    if malformed || repaired == text {
        return None;
    }
    (oddness(&repaired) < oddness(text)).then(|| repaired.into_owned())
}

/// Typographic symbols that are normal in titles.
const USUAL_SYMBOLS: &str = "…½¼¾²³¢£€°–—‘’“”«»¡¿©®™";

/// How odd a text looks for a Latin-script title: an accented capital inside a word (worse
/// after a lower-case letter), an accented lower-case letter ending a capitalised word, a lone
/// accented letter, a letter of another script, or an unusual symbol.
fn oddness(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut score = 0;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii() {
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let is_latin = ('\u{c0}'..='\u{24f}').contains(&c);
        let other_script = c.is_alphabetic() && !is_latin;
        let odd_symbol = !c.is_alphabetic() && !USUAL_SYMBOLS.contains(c);
        let capital_after_lower = c.is_uppercase() && before.is_some_and(char::is_lowercase);
        let lower_ending_capitals = c.is_lowercase()
            && before.is_some_and(char::is_uppercase)
            && !after.is_some_and(char::is_lowercase);
        let capital_inside_word = c.is_uppercase() && before.is_some_and(char::is_alphabetic);
        let lone_letter = c.is_alphabetic()
            && !before.is_some_and(char::is_alphanumeric)
            && !after.is_some_and(char::is_alphanumeric);
        score += if capital_after_lower || lower_ending_capitals {
            2
        } else {
            usize::from(other_script || odd_symbol || capital_inside_word || lone_letter)
        };
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_lowercase_ascii_words() {
        assert_eq!(slugify("M. Butterfly"), "m-butterfly");
        assert_eq!(film_slug("M. Butterfly", Some(1993)), "m-butterfly-1993");
        assert_eq!(slugify("Déjà Vu"), "deja-vu");
        assert_eq!(slugify("Warner Bros."), "warner-bros");
        assert_eq!(slugify("Sony/Columbia"), "sony-columbia");
        assert_eq!(slugify("???"), "untitled");
        assert_eq!(slugify("Fast & Furious"), "fast-and-furious");
    }

    #[test]
    fn mangled_accents_are_repaired() {
        assert_eq!(repair_mojibake("DÈj‡ Vu").as_deref(), Some("Déjà Vu"));
        assert_eq!(
            repair_mojibake("Le Fabuleux destin d'AmÈlie Poulain").as_deref(),
            Some("Le Fabuleux destin d'Amélie Poulain")
        );
        assert_eq!(
            repair_mojibake("Die F‰lscher").as_deref(),
            Some("Die Fälscher")
        );
        assert_eq!(
            repair_mojibake("Joyeux NoÎl").as_deref(),
            Some("Joyeux Noël")
        );
        assert_eq!(
            repair_mojibake("Per qualche dollaro in pi˘").as_deref(),
            Some("Per qualche dollaro in più")
        );
        assert_eq!(
            repair_mojibake("Obsluhoval jsem anglickÈho kr·le").as_deref(),
            Some("Obsluhoval jsem anglického krále")
        );
        assert_eq!(
            repair_mojibake("The Naked Gun 2Ω: The Smell of Fear").as_deref(),
            Some("The Naked Gun 2½: The Smell of Fear")
        );
        assert_eq!(
            repair_mojibake("I Love You Ö Don't Touch Me!").as_deref(),
            Some("I Love You … Don't Touch Me!")
        );
    }

    #[test]
    fn genuine_text_is_left_alone() {
        assert_eq!(repair_mojibake("Alien³"), None);
        assert_eq!(repair_mojibake("Ri¢hie Ri¢h"), None);
        assert_eq!(repair_mojibake("Amélie"), None);
        assert_eq!(repair_mojibake("CAFÉ"), None);
        assert_eq!(repair_mojibake("Ça ira"), None);
        assert_eq!(repair_mojibake("Plain"), None);
    }
}
