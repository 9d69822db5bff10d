//! A guard run before the GraphQL parser: async-graphql 7.2.1's value parser recurses without a
//! limit, and ~1,600 nested `[` or `{` in one argument overflow the stack and abort the whole
//! process. This scan rejects deep nesting first, without recursion.

/// The deepest nesting of `[`, `{` and `(` in a GraphQL document, ignoring string literals
/// (block strings too) and comments.
pub fn max_nesting(query: &str) -> usize {
    let bytes = query.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'[' | b'{' | b'(' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::max_nesting;

    #[test]
    fn counts_brackets_braces_and_parentheses() {
        assert_eq!(max_nesting("{ film(slug: \"x\") { title } }"), 2);
        assert_eq!(
            max_nesting(&format!(
                "{{ a(b: {}1{}) }}",
                "[".repeat(100),
                "]".repeat(100)
            )),
            102
        );
    }

    #[test]
    fn ignores_strings_and_comments() {
        assert_eq!(max_nesting("{ a(b: \"[[[[{{{{\") }"), 2);
        assert_eq!(max_nesting("{ a(b: \"\"\"[[[[ \\\"\"\" [[[\"\"\") }"), 2);
        assert_eq!(max_nesting("# {{{{{{\n{ a }"), 1);
        assert_eq!(max_nesting("{ a(b: \"\\\"[[[[\") }"), 2);
    }

    #[test]
    fn survives_unbalanced_input() {
        assert_eq!(max_nesting("]]]}}}"), 0);
        assert_eq!(max_nesting("\"unterminated"), 0);
    }
}
