//! The identity of a cacheable request: its normalised document, operation and variables.

use sha2::{Digest, Sha256};

/// A cache key; two requests with the same key get the same anonymous answer. It is the SHA-256
/// of the normalised request, so an entry and each index that names it hold 32 bytes, whatever
/// the size of the document (and a collision cannot be crafted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key([u8; 32]);

impl Key {
    /// Builds the key; whitespace runs in the document count as one space.
    pub fn new(document: &str, operation: Option<&str>, variables: &str) -> Self {
        let mut hasher = Sha256::new();
        for (n, word) in document.split_whitespace().enumerate() {
            if n > 0 {
                hasher.update(b" ");
            }
            hasher.update(word.as_bytes());
        }
        hasher.update(b"\0");
        hasher.update(operation.unwrap_or("").as_bytes());
        hasher.update(b"\0");
        hasher.update(variables.as_bytes());
        Key(hasher.finalize().into())
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
