//! The catalog's words as codes: every enumeration people pick from (room
//! kinds, equipment, categories, statuses…) lists `ALL` its values, names
//! each by the code the log and the API use (its serde name), and parses
//! one back with `FromStr`. A test checks each code against serde.

/// A code that names no value of the enumeration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("« {code} » n'est pas un code connu ({known})")]
pub struct UnknownCode {
    pub code: String,
    /// The codes that exist, comma-separated.
    pub known: String,
}

/// `ALL`, `code()` and `FromStr` for a fieldless enum, from its variants
/// and their codes (which must be their serde names).
macro_rules! codes {
    ($ty:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order people are offered them.
            pub const ALL: [Self; [$($code),+].len()] = [$(Self::$variant),+];

            /// The code the log and the API use.
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code),+
                }
            }
        }

        impl std::str::FromStr for $ty {
            type Err = $crate::catalog::codes::UnknownCode;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($code => Ok(Self::$variant),)+
                    _ => Err($crate::catalog::codes::UnknownCode {
                        code: text.to_owned(),
                        known: [$($code),+].join(", "),
                    }),
                }
            }
        }

        impl TryFrom<String> for $ty {
            type Error = $crate::catalog::codes::UnknownCode;

            fn try_from(text: String) -> Result<Self, Self::Error> {
                text.parse()
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use codes;

#[cfg(test)]
mod tests {
    use crate::catalog::association::RequesterCategory;
    use crate::catalog::establishment::EstablishmentKind;
    use crate::catalog::room::{ApprovalMode, BookingStatus, Equipment, RoomKind};

    fn same_as_serde<T>(all: &[T])
    where
        T: serde::Serialize + std::str::FromStr + std::fmt::Display + PartialEq + std::fmt::Debug,
    {
        for value in all {
            let serde = serde_json::to_value(value).unwrap();
            assert_eq!(serde.as_str(), Some(value.to_string().as_str()), "{value:?}");
            assert_eq!(value.to_string().parse::<T>().ok().as_ref(), Some(value));
        }
    }

    #[test]
    fn every_code_is_the_serde_name_and_parses_back() {
        same_as_serde(&RoomKind::ALL);
        same_as_serde(&Equipment::ALL);
        same_as_serde(&ApprovalMode::ALL);
        same_as_serde(&RequesterCategory::ALL);
        same_as_serde(&EstablishmentKind::ALL);
        same_as_serde(&BookingStatus::ALL);
        assert!("gym".parse::<RoomKind>().unwrap_err().known.contains("gym_hall"));
    }
}
