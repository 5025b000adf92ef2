//! Helper macros shared by the string newtypes (identifiers, region codes).

/// Implements the trait set every validated string newtype has: `Display` (the normalised
/// value), `FromStr` and `TryFrom<String>`/`TryFrom<&str>` (through `parse`), `AsRef<str>` and
/// `From<T> for String` (so serde can serialise with `into = "String"`).
macro_rules! string_newtype_traits {
    ($t:ident) => {
        impl ::std::fmt::Display for $t {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::Invalid;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl ::std::convert::AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::convert::TryFrom<String> for $t {
            type Error = $crate::Invalid;
            fn try_from(s: String) -> ::std::result::Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl ::std::convert::TryFrom<&str> for $t {
            type Error = $crate::Invalid;
            fn try_from(s: &str) -> ::std::result::Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl ::std::convert::From<$t> for String {
            fn from(v: $t) -> String {
                v.0
            }
        }
    };
}

pub(crate) use string_newtype_traits;
