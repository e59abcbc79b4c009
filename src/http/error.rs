//! API errors: one enum, one JSON shape `{"error": …, "detail": …}`, for
//! every error status the server sends, including those made by the
//! framework (405, 408, 413 of the body limit) and by the server loop (503).
//! 4xx say what was wrong and which parameter; 5xx are logged and say
//! nothing internal. What a client sent is echoed at most
//! [`MAX_ECHO_CHARS`] characters at a time, marked as cut beyond.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// Most characters of client input quoted « … » in a detail; longer quotes are cut.
pub const MAX_ECHO_CHARS: usize = 200;
/// Most characters of a whole detail, whatever it quotes.
pub const MAX_DETAIL_CHARS: usize = 1_000;
/// Seconds a client refused for lack of room is told to wait (`Retry-After`).
pub const RETRY_AFTER_SECS: u32 = 1;

#[derive(Debug)]
pub enum ApiError {
    /// A query or path parameter that cannot be used.
    BadParameter { name: &'static str, detail: String },
    /// A request the framework could not read (bad encoding, malformed query).
    BadRequest { detail: String },
    /// Nothing has this code, id, or lies at this point.
    NotFound { detail: String },
    /// A method this address does not answer; `allow` lists those it does.
    MethodNotAllowed { method: String, allow: String },
    /// The request took longer than the server's limit.
    Timeout { seconds: u64 },
    /// An answer over the size limits: the parameter to change (zoom, bbox) and how.
    TooLarge { name: &'static str, detail: String },
    /// An address longer than the server reads.
    UriTooLong { length: usize, limit: usize },
    /// No room for one more connection: come back in a moment.
    Busy,
    /// A bug or an I/O failure: logged, not shown.
    Internal(String),
}

impl ApiError {
    pub fn bad(name: &'static str, detail: impl Into<String>) -> ApiError {
        ApiError::BadParameter { name, detail: detail.into() }
    }

    pub fn not_found(detail: impl Into<String>) -> ApiError {
        ApiError::NotFound { detail: detail.into() }
    }

    /// The JSON error for a bodiless error answer made outside the handlers
    /// (the router's 405, the timeout's 408, the body limit's 413…).
    pub fn from_status(status: StatusCode, method: &Method, headers: &HeaderMap) -> ApiError {
        match status {
            StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed {
                method: method.to_string(),
                // Often missing here: axum adds `Allow` to its 405 after the layers have
                // run, and then keeps it, as long as this answer does not set one.
                allow: headers.get(header::ALLOW).and_then(|v| v.to_str().ok()).unwrap_or("").to_string(),
            },
            StatusCode::REQUEST_TIMEOUT => ApiError::Timeout { seconds: super::REQUEST_TIMEOUT.as_secs() },
            StatusCode::PAYLOAD_TOO_LARGE => ApiError::TooLarge {
                name: "body",
                detail: "corps de requête trop volumineux pour cette adresse".to_string(),
            },
            StatusCode::NOT_FOUND => ApiError::not_found("aucune ressource à cette adresse"),
            StatusCode::SERVICE_UNAVAILABLE => ApiError::Busy,
            s if s.is_server_error() => ApiError::Internal(format!("réponse {s} sans corps")),
            s => ApiError::BadRequest {
                detail: format!("requête refusée ({})", s.canonical_reason().unwrap_or("erreur")),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut extra = HeaderMap::new();
        let (status, body) = match self {
            ApiError::BadParameter { name, detail } => (
                StatusCode::BAD_REQUEST,
                json!({"error": "bad_parameter", "parameter": name, "detail": cap_echoes(&detail)}),
            ),
            ApiError::BadRequest { detail } => {
                (StatusCode::BAD_REQUEST, json!({"error": "bad_request", "detail": cap_echoes(&detail)}))
            }
            ApiError::NotFound { detail } => {
                (StatusCode::NOT_FOUND, json!({"error": "not_found", "detail": cap_echoes(&detail)}))
            }
            ApiError::MethodNotAllowed { method, allow } => {
                if !allow.is_empty()
                    && let Ok(v) = HeaderValue::from_str(&allow)
                {
                    extra.insert(header::ALLOW, v);
                }
                let method: String = method.chars().take(20).collect();
                let detail = if allow.is_empty() {
                    format!("méthode {method} non permise à cette adresse")
                } else {
                    format!("méthode {method} non permise à cette adresse ; permises : {allow}")
                };
                (StatusCode::METHOD_NOT_ALLOWED, json!({"error": "method_not_allowed", "detail": detail}))
            }
            ApiError::Timeout { seconds } => (
                StatusCode::REQUEST_TIMEOUT,
                json!({"error": "timeout", "detail": format!("la requête a pris plus de {seconds} s : réessayez, ou demandez moins (zoom plus faible, zone plus petite)")}),
            ),
            ApiError::TooLarge { name, detail } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                json!({"error": "too_large", "parameter": name, "detail": cap_echoes(&detail)}),
            ),
            ApiError::UriTooLong { length, limit } => (
                StatusCode::URI_TOO_LONG,
                json!({"error": "uri_too_long", "detail": format!("adresse de {length} octets, au plus {limit}")}),
            ),
            ApiError::Busy => {
                extra.insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    json!({"error": "busy", "detail": format!("serveur saturé (trop de connexions ouvertes) : réessayez dans {RETRY_AFTER_SECS} s")}),
                )
            }
            ApiError::Internal(message) => {
                tracing::error!("internal error: {message}");
                (StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "internal", "detail": "erreur interne du serveur"}))
            }
        };
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().extend(extra);
        response
    }
}

/// Cuts every « quoted » piece of client input to [`MAX_ECHO_CHARS`] characters,
/// and the whole detail to [`MAX_DETAIL_CHARS`], saying where and how much was cut:
/// an error must say what was wrong, not send back what was sent.
pub fn cap_echoes(detail: &str) -> String {
    let mut out = String::with_capacity(detail.len().min(MAX_DETAIL_CHARS * 4));
    let mut rest = detail;
    while let Some(open) = rest.find('«') {
        let (before, quoted) = rest.split_at(open + '«'.len_utf8());
        out.push_str(before);
        let end = quoted.find('»').unwrap_or(quoted.len());
        out.push_str(&cut(&quoted[..end], MAX_ECHO_CHARS));
        rest = &quoted[end..];
    }
    out.push_str(rest);
    cut(&out, MAX_DETAIL_CHARS)
}

/// The first `max` characters of `text`, plus a mark saying how many there were.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}… [coupé : {} caractères]", &text[..at], text.chars().count()),
    }
}

/// Turns every bodiless error answer into the JSON error of its status
/// (the router's 405 with `Allow`, the timeout's 408, the body limit's 413,
/// a framework's plain-text 400), so that clients can always read the error.
pub async fn json_errors(method: Method, response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let error = match ApiError::from_status(status, &method, &parts.headers) {
        // A framework's plain-text explanation (a query it could not decode) says more than the status.
        ApiError::BadRequest { detail } if status == StatusCode::BAD_REQUEST => {
            match axum::body::to_bytes(body, 4 * 1024).await {
                Ok(text) if !text.is_empty() => {
                    ApiError::BadRequest { detail: String::from_utf8_lossy(&text).into_owned() }
                }
                _ => ApiError::BadRequest { detail },
            }
        }
        other => other,
    };
    let mut json = error.into_response();
    *json.status_mut() = status;
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            json.headers_mut().insert(name, v.clone());
        }
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_quote_is_cut_and_says_so_while_short_ones_stay_whole() {
        let long = "x".repeat(60_000);
        let detail = cap_echoes(&format!("« {long} » n'est pas un nombre ; « 12 » non plus"));
        assert!(detail.len() < 400, "{}", detail.len());
        assert!(detail.contains("[coupé : 60002 caractères]"), "{detail}");
        assert!(detail.ends_with("n'est pas un nombre ; « 12 » non plus"), "{detail}");
    }

    #[test]
    fn a_detail_without_quotes_is_still_bounded_and_cut_on_a_character() {
        let detail = cap_echoes(&"é".repeat(5_000));
        assert!(detail.chars().count() < MAX_DETAIL_CHARS + 40);
        assert!(detail.contains("[coupé : 5000 caractères]"));
        assert_eq!(cap_echoes("« »"), "« »");
        assert_eq!(cap_echoes("« ouvert sans fin"), "« ouvert sans fin");
    }
}
