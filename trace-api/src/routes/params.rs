//! Query parameters shared by the paged endpoints, each checked with a clear error.

use std::str::FromStr;

use crate::error::ApiError;

/// A query parameter; empty counts as absent.
pub fn text(raw: Option<String>) -> Option<String> {
    raw.filter(|v| !v.is_empty())
}

/// A query parameter compared with stored ids; ids never hold U+0000, and the database would refuse it.
pub fn id_filter(name: &str, raw: Option<String>) -> Result<Option<String>, ApiError> {
    match text(raw) {
        Some(value) if value.contains('\0') => {
            Err(ApiError::bad_request("invalid_parameter", format!("{name} {value:?} contains U+0000")))
        }
        other => Ok(other),
    }
}

/// `limit`, from 1 to `max`, else `default`.
pub fn limit<T>(raw: Option<String>, default: T, max: T) -> Result<T, ApiError>
where
    T: FromStr + PartialOrd + From<u8> + std::fmt::Display + Copy,
{
    let Some(raw) = text(raw) else { return Ok(default) };
    match raw.parse::<T>() {
        Ok(n) if n >= T::from(1) && n <= max => Ok(n),
        _ => Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be an integer from 1 to {max}, not {raw:?}"),
        )),
    }
}

/// A cursor as the API issued it on the previous page.
pub fn cursor<T>(raw: Option<String>, decode: impl Fn(&str) -> Option<T>) -> Result<Option<T>, ApiError> {
    text(raw)
        .map(|raw| {
            decode(&raw).ok_or_else(|| {
                ApiError::bad_request("invalid_cursor", format!("cursor {raw:?} is not one this API issued"))
            })
        })
        .transpose()
}
