//! Verifying bearer tokens: JWTs (HS256 with a shared secret, RS256 with PEM keys or a JWKS) and service tokens
//! (opaque tokens configured by their SHA-256).

use std::collections::BTreeSet;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::principal::{Principal, Workspaces};

/// Clock skew tolerated between the token's issuer and this service, in seconds, for `exp`, `nbf` and `iat`
/// (docs/configuration.md).
pub const JWT_LEEWAY_SECONDS: u64 = 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("authentication required: send a bearer token")]
    Missing,
    #[error("invalid token: {0}")]
    Invalid(String),
    #[error("invalid auth configuration: {0}")]
    Config(String),
}

/// A service token as configured: the SHA-256 (hex) of the token, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ServiceToken {
    pub name: String,
    pub sha256: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// `["*"]` for every workspace.
    #[serde(default)]
    pub workspaces: Vec<String>,
}

/// What `TRACE_API_AUTH_*` configures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuthConfig {
    pub required: bool,
    pub jwt_secret: Option<String>,
    /// PEM public keys for RS256.
    pub jwt_public_keys: Vec<String>,
    /// A JWKS document (JSON) for RS256 keys with `kid`s.
    pub jwks: Option<String>,
    pub issuer: Option<String>,
    pub audience: Option<String>,
    pub service_tokens: Vec<ServiceToken>,
}

#[derive(Clone)]
pub struct Authenticator {
    required: bool,
    hs256: Option<DecodingKey>,
    rs256: Vec<(Option<String>, DecodingKey)>,
    issuer: Option<String>,
    audience: Option<String>,
    service_tokens: Vec<ServiceToken>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator")
            .field("required", &self.required)
            .field("hs256", &self.hs256.is_some())
            .field("rs256_keys", &self.rs256.len())
            .field("service_tokens", &self.service_tokens.len())
            .finish()
    }
}

/// The claims read from a JWT. Scopes come as a space-separated `scope` (OAuth) or a `scopes` list; workspaces as
/// `workspace_ids`, `workspaces` or a single `workspace_id`.
#[derive(Debug, Deserialize)]
struct Claims {
    sub: Option<String>,
    scope: Option<String>,
    scopes: Option<Vec<String>>,
    workspace_ids: Option<Vec<String>>,
    workspaces: Option<Vec<String>>,
    workspace_id: Option<String>,
    /// Issued-at, seconds since the epoch (fractions allowed, as RFC 7519's NumericDate).
    iat: Option<f64>,
}

fn workspaces_of(list: impl IntoIterator<Item = String>) -> Workspaces {
    let set: BTreeSet<String> = list.into_iter().collect();
    if set.contains("*") { Workspaces::All } else { Workspaces::Only(set) }
}

impl Authenticator {
    pub fn new(config: &AuthConfig) -> Result<Self, AuthError> {
        let hs256 = config.jwt_secret.as_deref().map(|s| DecodingKey::from_secret(s.as_bytes()));
        let mut rs256 = Vec::new();
        for pem in &config.jwt_public_keys {
            let key = DecodingKey::from_rsa_pem(pem.as_bytes())
                .map_err(|e| AuthError::Config(format!("TRACE_API_JWT_PUBLIC_KEY is not an RSA public key: {e}")))?;
            rs256.push((None, key));
        }
        if let Some(jwks) = &config.jwks {
            let set: JwkSet =
                serde_json::from_str(jwks).map_err(|e| AuthError::Config(format!("TRACE_API_JWKS: {e}")))?;
            for jwk in &set.keys {
                let key = DecodingKey::from_jwk(jwk).map_err(|e| AuthError::Config(format!("TRACE_API_JWKS: {e}")))?;
                rs256.push((jwk.common.key_id.clone(), key));
            }
        }
        if config.required && hs256.is_none() && rs256.is_empty() && config.service_tokens.is_empty() {
            return Err(AuthError::Config(
                "TRACE_API_AUTH_MODE=required needs TRACE_API_JWT_SECRET, TRACE_API_JWT_PUBLIC_KEY, TRACE_API_JWKS or \
                 TRACE_API_SERVICE_TOKENS"
                    .to_owned(),
            ));
        }
        Ok(Self {
            required: config.required,
            hs256,
            rs256,
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            service_tokens: config.service_tokens.clone(),
        })
    }

    /// Anyone may do anything.
    pub fn disabled() -> Self {
        Self { required: false, hs256: None, rs256: vec![], issuer: None, audience: None, service_tokens: vec![] }
    }

    pub fn is_required(&self) -> bool {
        self.required
    }

    /// The caller behind `token`. With auth disabled every caller is [`Principal::anonymous`].
    pub fn authenticate(&self, token: Option<&str>) -> Result<Principal, AuthError> {
        if !self.required {
            return Ok(Principal::anonymous());
        }
        let token = token.map(str::trim).filter(|t| !t.is_empty()).ok_or(AuthError::Missing)?;
        if let Some(principal) = self.service_token(token) {
            return Ok(principal);
        }
        let claims = self.verify_jwt(token)?;
        let mut scopes: BTreeSet<String> = claims.scopes.unwrap_or_default().into_iter().collect();
        scopes.extend(claims.scope.unwrap_or_default().split_whitespace().map(str::to_owned));
        let workspaces = claims
            .workspace_ids
            .or(claims.workspaces)
            .or_else(|| claims.workspace_id.map(|w| vec![w]))
            .unwrap_or_default();
        Ok(Principal {
            subject: claims.sub.unwrap_or_else(|| "unknown".to_owned()),
            scopes,
            workspaces: workspaces_of(workspaces),
        })
    }

    fn service_token(&self, token: &str) -> Option<Principal> {
        let digest = const_hex::encode(Sha256::digest(token.as_bytes()));
        self.service_tokens.iter().find(|t| t.sha256.eq_ignore_ascii_case(&digest)).map(|t| Principal {
            subject: format!("service:{}", t.name),
            scopes: t.scopes.iter().cloned().collect(),
            workspaces: workspaces_of(t.workspaces.iter().cloned()),
        })
    }

    fn verify_jwt(&self, token: &str) -> Result<Claims, AuthError> {
        let header = jsonwebtoken::decode_header(token).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let keys: Vec<&DecodingKey> = match header.alg {
            Algorithm::HS256 => self.hs256.iter().collect(),
            Algorithm::RS256 => self
                .rs256
                .iter()
                .filter(|(kid, _)| header.kid.is_none() || kid.is_none() || *kid == header.kid)
                .map(|(_, key)| key)
                .collect(),
            other => return Err(AuthError::Invalid(format!("algorithm {other:?} is not accepted"))),
        };
        if keys.is_empty() {
            return Err(AuthError::Invalid(format!("no key configured for {:?}", header.alg)));
        }
        let validation = self.validation(header.alg);
        let mut last = String::new();
        for key in keys {
            match jsonwebtoken::decode::<Claims>(token, key, &validation) {
                Ok(data) => return check_issued_at(data.claims),
                Err(e) => last = e.to_string(),
            }
        }
        Err(AuthError::Invalid(last))
    }

    /// `exp` always required; `iss` / `aud` required and matched when configured (a token without them would
    /// otherwise pass); `nbf` checked when present; all with [`JWT_LEEWAY_SECONDS`].
    fn validation(&self, alg: Algorithm) -> Validation {
        let mut validation = Validation::new(alg);
        let mut required = vec!["exp"];
        match &self.audience {
            Some(aud) => {
                validation.set_audience(&[aud]);
                required.push("aud");
            }
            None => validation.validate_aud = false,
        }
        if let Some(iss) = &self.issuer {
            validation.set_issuer(&[iss]);
            required.push("iss");
        }
        validation.set_required_spec_claims(&required);
        validation.validate_nbf = true;
        validation.leeway = JWT_LEEWAY_SECONDS;
        validation
    }
}

/// A token issued in the future (beyond the leeway) is refused: jsonwebtoken checks `exp` and `nbf` only.
fn check_issued_at(claims: Claims) -> Result<Claims, AuthError> {
    if let Some(iat) = claims.iat {
        let latest = chrono::Utc::now().timestamp() as f64 + JWT_LEEWAY_SECONDS as f64;
        if !iat.is_finite() || iat > latest {
            return Err(AuthError::Invalid("the token is issued in the future (iat)".to_owned()));
        }
    }
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;

    fn hs_config() -> AuthConfig {
        AuthConfig { required: true, jwt_secret: Some("s3cret".to_owned()), ..AuthConfig::default() }
    }

    fn sign(claims: serde_json::Value, secret: &str) -> String {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes()))
            .unwrap_or_default()
    }

    fn exp() -> i64 {
        chrono::Utc::now().timestamp() + 600
    }

    #[test]
    fn hs256_claims_become_scopes_and_workspaces() -> Result<(), AuthError> {
        let auth = Authenticator::new(&hs_config())?;
        let token = sign(
            json!({"sub": "ana", "exp": exp(), "scope": "workflows:read other", "workspace_ids": ["w1"]}),
            "s3cret",
        );
        let p = auth.authenticate(Some(&token))?;
        assert_eq!(p.subject, "ana");
        assert!(p.has_scope("workflows:read") && p.has_scope("other"));
        assert!(p.can_see("w1") && !p.can_see("w2"));
        Ok(())
    }

    #[test]
    fn bad_signature_expiry_and_missing_token_are_rejected() -> Result<(), AuthError> {
        let auth = Authenticator::new(&hs_config())?;
        let wrong = sign(json!({"sub": "x", "exp": exp()}), "other");
        assert!(matches!(auth.authenticate(Some(&wrong)), Err(AuthError::Invalid(_))));
        let expired = sign(json!({"sub": "x", "exp": 1_000}), "s3cret");
        assert!(matches!(auth.authenticate(Some(&expired)), Err(AuthError::Invalid(_))));
        assert_eq!(auth.authenticate(None), Err(AuthError::Missing));
        assert!(matches!(auth.authenticate(Some("not-a-jwt")), Err(AuthError::Invalid(_))));
        Ok(())
    }

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn issuer_and_audience() -> AuthConfig {
        AuthConfig {
            issuer: Some("https://id.example.com".to_owned()),
            audience: Some("orcheo-canvas".to_owned()),
            ..hs_config()
        }
    }

    fn rejected(auth: &Authenticator, claims: serde_json::Value) -> String {
        match auth.authenticate(Some(&sign(claims.clone(), "s3cret"))) {
            Err(AuthError::Invalid(reason)) => reason,
            other => panic!("{claims} was not rejected as invalid: {other:?}"),
        }
    }

    #[test]
    fn configured_issuer_and_audience_are_required_and_matched() -> Result<(), AuthError> {
        let auth = Authenticator::new(&issuer_and_audience())?;
        let iss = "https://id.example.com";
        let aud = "orcheo-canvas";
        assert!(auth.authenticate(Some(&sign(json!({"exp": exp(), "iss": iss, "aud": aud}), "s3cret"))).is_ok());
        assert!(auth.authenticate(Some(&sign(json!({"exp": exp(), "iss": iss, "aud": [aud, "x"]}), "s3cret"))).is_ok());
        assert!(rejected(&auth, json!({"exp": exp()})).contains("Missing required claim"));
        assert!(rejected(&auth, json!({"exp": exp(), "aud": aud})).contains("iss"));
        assert!(rejected(&auth, json!({"exp": exp(), "iss": iss})).contains("aud"));
        rejected(&auth, json!({"exp": exp(), "iss": "https://evil.example.com", "aud": aud}));
        rejected(&auth, json!({"exp": exp(), "iss": iss, "aud": "another-app"}));
        // Without a configured issuer or audience, neither claim is needed.
        let open = Authenticator::new(&hs_config())?;
        assert!(open.authenticate(Some(&sign(json!({"exp": exp()}), "s3cret"))).is_ok());
        Ok(())
    }

    #[test]
    fn tokens_from_the_future_are_rejected_beyond_the_leeway() -> Result<(), AuthError> {
        let auth = Authenticator::new(&hs_config())?;
        let leeway = JWT_LEEWAY_SECONDS as i64;
        rejected(&auth, json!({"exp": exp(), "nbf": now() + leeway + 120}));
        let reason = rejected(&auth, json!({"exp": exp(), "iat": now() + leeway + 120}));
        assert!(reason.contains("iat"), "{reason}");
        // A clock a little ahead of ours is tolerated.
        let skewed = json!({"exp": exp(), "nbf": now() + leeway / 2, "iat": now() + leeway / 2});
        assert!(auth.authenticate(Some(&sign(skewed, "s3cret"))).is_ok());
        let past = json!({"exp": exp(), "nbf": now() - 10, "iat": now() - 10});
        assert!(auth.authenticate(Some(&sign(past, "s3cret"))).is_ok());
        // Expiry has the same leeway, and no more.
        rejected(&auth, json!({"exp": now() - leeway - 120}));
        assert!(auth.authenticate(Some(&sign(json!({"exp": now() - leeway / 2}), "s3cret"))).is_ok());
        Ok(())
    }

    #[test]
    fn service_tokens_match_by_digest() -> Result<(), AuthError> {
        let config = AuthConfig {
            required: true,
            service_tokens: vec![ServiceToken {
                name: "canvas".to_owned(),
                sha256: const_hex::encode(Sha256::digest(b"tok-123")),
                scopes: vec!["workflows:read".to_owned()],
                workspaces: vec!["*".to_owned()],
            }],
            ..AuthConfig::default()
        };
        let auth = Authenticator::new(&config)?;
        let p = auth.authenticate(Some("tok-123"))?;
        assert_eq!(p.subject, "service:canvas");
        assert_eq!(p.workspaces, Workspaces::All);
        assert!(auth.authenticate(Some("tok-124")).is_err());
        Ok(())
    }

    #[test]
    fn required_mode_without_any_key_is_a_config_error() {
        let config = AuthConfig { required: true, ..AuthConfig::default() };
        assert!(matches!(Authenticator::new(&config), Err(AuthError::Config(_))));
    }
}
