//! Global object ids: an opaque base64url string of `Kind:number`, so `node(id:)` can find any
//! object and clients never build ids themselves.

use async_graphql::ID;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The global id of object `id` of kind `kind` (a GraphQL type name).
pub fn encode(kind: &str, id: i64) -> ID {
    ID(URL_SAFE_NO_PAD.encode(format!("{kind}:{id}")))
}

/// The kind and number inside a global id, if it is one.
pub fn decode(id: &str) -> Option<(String, i64)> {
    let bytes = URL_SAFE_NO_PAD.decode(id.trim_end_matches('=')).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (kind, number) = text.split_once(':')?;
    Some((kind.to_owned(), number.parse().ok()?))
}

/// The number inside a global id of kind `kind`, if it is one.
pub fn decode_kind(id: &str, kind: &str) -> Option<i64> {
    decode(id).filter(|(k, _)| k == kind).map(|(_, n)| n)
}

/// The object a root field (`film`, `person`, `company`) names by global id or by slug: exactly
/// one of them must be given (`BAD_USER_INPUT` otherwise); an id of another kind names nothing.
pub async fn by_id_or_slug<T>(
    kind: &str,
    id: Option<ID>,
    slug: Option<String>,
    by_id: impl AsyncFnOnce(i64) -> crate::error::ApiResult<Option<T>>,
    by_slug: impl AsyncFnOnce(String) -> crate::error::ApiResult<Option<T>>,
) -> crate::error::ApiResult<Option<T>> {
    match (id, slug) {
        (Some(id), None) => match decode_kind(&id, kind) {
            Some(id) => by_id(id).await,
            None => Ok(None),
        },
        (None, Some(slug)) => by_slug(slug).await,
        _ => Err(crate::error::ApiError::BadInput(
            "give exactly one of `id` and `slug`".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip() {
        let id = encode("Film", 42);
        assert_eq!(decode(&id), Some(("Film".to_owned(), 42)));
        assert_eq!(decode_kind(&id, "Person"), None);
        assert_eq!(decode("not an id"), None);
    }
}
