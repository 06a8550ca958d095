//! The program's shared words and rules, below every resource: closed vocabularies stored as
//! text (`vocabulary!`), roles, contact rules (phone numbers, web addresses, time zones), the
//! accepted range of time (`time`: years 1 to 9999), and the contract schemas that state what
//! a validator accepts. Nothing here imports a resource.

pub mod contact;
pub mod role;
pub mod schemas;
pub mod time;
pub mod version;

pub use role::Role;

vocabulary! {
    /// The answer to a request whose outcome the API does not reveal (a sign-up, a feedback
    /// response, a claim code request): it was received.
    Receipt { Received = "received" }
}

vocabulary! {
    /// How an intake meeting is held: by phone (the coordinator calls), by video (a link), or
    /// in person (a place).
    MeetingMode { Phone = "phone", Video = "video", InPerson = "in_person" }
}

/// For `#[serde(default, deserialize_with = "crate::domain::present")]` on a PATCH field that
/// `null` clears: a present field, even `null`, is `Some`; an absent one stays `None`.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// The program's own time zone (Toronto): business days and feedback dates are counted in it.
pub const PROGRAM_TIME_ZONE: chrono_tz::Tz = chrono_tz::America::Toronto;

/// A closed list of words: a string enum in JSON, in the contract and in the database (a `Text`
/// column on both backends), with its parser. A stored word this build does not know is a
/// deserialization error naming the vocabulary and the word, never a silent default.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            pub fn parse(text: &str) -> Option<$name> {
                match text {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(text: &str) -> Result<$name, String> {
                $name::parse(text).ok_or_else(|| {
                    format!("{text:?} is not a {}", stringify!($name))
                })
            }
        }

        impl diesel::deserialize::FromSql<diesel::sql_types::Text, $crate::db::MultiBackend>
            for $name
        {
            fn from_sql(
                bytes: $crate::db::MultiRawValue<'_>,
            ) -> diesel::deserialize::Result<Self> {
                let text = bytes.from_sql::<String, diesel::sql_types::Text>()?;
                $name::parse(&text).ok_or_else(|| {
                    format!(
                        "the database holds {text:?} where a {} is expected",
                        stringify!($name)
                    )
                    .into()
                })
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, $crate::db::MultiBackend>
            for $name
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, $crate::db::MultiBackend>,
            ) -> diesel::serialize::Result {
                out.set_value((diesel::sql_types::Text, self.as_str()));
                Ok(diesel::serialize::IsNull::No)
            }
        }

        // Inserts through the multi-backend connection bind on the inner backend.
        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::pg::Pg>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, diesel::pg::Pg>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl diesel::serialize::ToSql<diesel::sql_types::Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, diesel::sqlite::Sqlite>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<
                    diesel::sql_types::Text,
                    diesel::sqlite::Sqlite,
                >>::to_sql(self.as_str(), out)
            }
        }
    };
}
pub(crate) use vocabulary;
