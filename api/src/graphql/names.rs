//! How the schema names what the services store: a target type's GraphQL type name (the kind
//! inside its global id), and a snake_case column's camelCase field name.

use entity::TargetType;

/// The GraphQL type name of a target's global id.
pub fn kind_name(target: TargetType) -> &'static str {
    match target {
        TargetType::Film => "Film",
        TargetType::CreditScene => "CreditScene",
        TargetType::Person => "Person",
        TargetType::Credit => "Credit",
        TargetType::Company => "Company",
        TargetType::FilmCompany => "FilmCompany",
        TargetType::Score => "Score",
        TargetType::Trivia => "Trivia",
    }
}

/// The target type whose global ids carry this GraphQL type name, if one does.
pub fn target_of_kind(kind: &str) -> Option<TargetType> {
    use TargetType as T;
    [
        T::Film,
        T::CreditScene,
        T::Person,
        T::Credit,
        T::Company,
        T::FilmCompany,
        T::Score,
        T::Trivia,
    ]
    .into_iter()
    .find(|t| kind_name(*t) == kind)
}

/// `release_date` → `releaseDate`.
pub fn camel(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}
