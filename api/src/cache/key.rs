//! The identity of a cacheable request: its normalised document, operation and variables.

/// A cache key; two requests with the same key get the same anonymous answer.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key(String);

impl Key {
    /// Builds the key; whitespace runs in the document count as one space.
    pub fn new(document: &str, operation: Option<&str>, variables: &str) -> Self {
        let mut normalised = String::with_capacity(document.len());
        for word in document.split_whitespace() {
            if !normalised.is_empty() {
                normalised.push(' ');
            }
            normalised.push_str(word);
        }
        Key(format!(
            "{normalised}\u{0}{}\u{0}{variables}",
            operation.unwrap_or("")
        ))
    }

    /// Bytes this key holds.
    pub fn weight(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_does_not_change_the_key() {
        assert_eq!(
            Key::new("{ film(id: 1) {  title } }", None, "{}"),
            Key::new("{ film(id: 1)\n{ title } }", None, "{}")
        );
        assert_ne!(
            Key::new("{ a }", Some("A"), "{}"),
            Key::new("{ a }", None, "{}")
        );
    }
}
