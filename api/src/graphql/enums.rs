//! GraphQL mirrors of the domain enums (the `entity` crate does not depend on async-graphql).

use async_graphql::Enum;

macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident => $domain:path { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl From<$domain> for $name {
            fn from(value: $domain) -> Self {
                match value {
                    $(<$domain>::$variant => Self::$variant),+
                }
            }
        }

        impl From<$name> for $domain {
            fn from(value: $name) -> Self {
                match value {
                    $($name::$variant => Self::$variant),+
                }
            }
        }
    };
}

mirror_enum! {
    /// Where in the credits a credit scene sits.
    CreditSceneKind => entity::CreditSceneKind {
        /// During the credits.
        MidCredits,
        /// After the last credit card.
        PostCredits,
    }
}

mirror_enum! {
    /// The department of a credit.
    Department => entity::Department {
        /// Actors.
        Cast,
        /// Directors.
        Directing,
        /// Writers.
        Writing,
        /// Producers.
        Production,
        /// Editors.
        Editing,
        /// Cinematography.
        Camera,
        /// Music and sound.
        Sound,
        /// Production design.
        Art,
        /// Costume and make-up.
        CostumeAndMakeup,
        /// Visual effects.
        VisualEffects,
        /// Anyone else on the crew.
        Crew,
    }
}

mirror_enum! {
    /// What a company did for a film.
    CompanyRole => entity::CompanyRole {
        /// Produced it.
        Production,
        /// Distributed it.
        Distribution,
    }
}

mirror_enum! {
    /// Where a score comes from.
    ScoreSource => entity::ScoreSource {
        /// IMDb.
        Imdb,
        /// Metacritic.
        Metacritic,
        /// Rotten Tomatoes.
        RottenTomatoes,
        /// The Movie Database.
        Tmdb,
        /// Letterboxd.
        Letterboxd,
    }
}

mirror_enum! {
    /// Whose opinion a score sums up.
    ScoreKind => entity::ScoreKind {
        /// Professional critics.
        Critics,
        /// Users or audiences.
        Audience,
    }
}

mirror_enum! {
    /// Is there a scene during or after the credits (or, per kind, during them; after them)?
    CreditSceneAnswer => crate::service::scenes::SceneAnswer {
        /// At least one scene is known.
        Yes,
        /// None, and someone confirmed that.
        No,
        /// None known, and nobody has confirmed there are none.
        Unknown,
    }
}

mirror_enum! {
    /// What an account may do.
    Role => entity::Role {
        /// Proposes edits and follows their own.
        Editor,
        /// Also reviews edits, reverts revisions and manages accounts.
        Admin,
    }
}

mirror_enum! {
    /// Where an edit stands in review.
    EditStatus => entity::EditStatus {
        /// Waiting for review.
        Pending,
        /// Applied to the public data.
        Approved,
        /// Turned down by a reviewer.
        Rejected,
        /// Taken back by its author.
        Withdrawn,
        /// Not applied: a field it changes no longer holds the value its author saw.
        Conflicted,
    }
}

mirror_enum! {
    /// What an edit does to its target.
    EditOperation => entity::EditOperation {
        /// Adds a new object.
        Create,
        /// Changes fields of an object.
        Update,
        /// Removes an object.
        Delete,
    }
}

mirror_enum! {
    /// The kind of object an edit or revision is about.
    TargetType => entity::TargetType {
        /// A film.
        Film,
        /// A scene during or after a film's credits.
        CreditScene,
        /// A person.
        Person,
        /// A person's credit on a film.
        Credit,
        /// A company.
        Company,
        /// A company's role on a film.
        FilmCompany,
        /// A film's score from one source.
        Score,
        /// A trivia question about a film.
        Trivia,
    }
}
