//! Query parameters shared by the paged endpoints, each checked with a clear error.

use std::str::FromStr;

use salvo::Request;

use crate::error::ApiError;

/// A query parameter; empty counts as absent.
pub fn text(req: &Request, key: &str) -> Option<String> {
    req.query::<String>(key).filter(|v| !v.is_empty())
}

/// `limit`, from 1 to `max`, else `default`.
pub fn limit<T>(req: &Request, default: T, max: T) -> Result<T, ApiError>
where
    T: FromStr + PartialOrd + From<u8> + std::fmt::Display + Copy,
{
    let Some(raw) = text(req, "limit") else { return Ok(default) };
    match raw.parse::<T>() {
        Ok(n) if n >= T::from(1) && n <= max => Ok(n),
        _ => Err(ApiError::bad_request(
            "invalid_limit",
            format!("limit must be an integer from 1 to {max}, not {raw:?}"),
        )),
    }
}

/// `cursor`, as the API issued it on the previous page.
pub fn cursor<T: FromStr>(req: &Request) -> Result<Option<T>, ApiError> {
    text(req, "cursor")
        .map(|raw| {
            raw.parse::<T>().map_err(|_| {
                ApiError::bad_request("invalid_cursor", format!("cursor {raw:?} is not one this API issued"))
            })
        })
        .transpose()
}
