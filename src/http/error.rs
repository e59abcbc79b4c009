//! API errors: one enum, one JSON shape `{"error": …, "detail": …}`.
//! 4xx say what was wrong and which parameter; 5xx are logged and say
//! nothing internal.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

#[derive(Debug)]
pub enum ApiError {
    /// A query or path parameter that cannot be used.
    BadParameter { name: &'static str, detail: String },
    /// Nothing has this code, id, or lies at this point.
    NotFound { detail: String },
    /// An answer over the size limits: the parameter to change (zoom, bbox) and how.
    TooLarge { name: &'static str, detail: String },
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
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            ApiError::BadParameter { name, detail } => {
                (StatusCode::BAD_REQUEST, json!({"error": "bad_parameter", "parameter": name, "detail": detail}))
            }
            ApiError::NotFound { detail } => (StatusCode::NOT_FOUND, json!({"error": "not_found", "detail": detail})),
            ApiError::TooLarge { name, detail } => {
                (StatusCode::PAYLOAD_TOO_LARGE, json!({"error": "too_large", "parameter": name, "detail": detail}))
            }
            ApiError::Internal(message) => {
                tracing::error!("internal error: {message}");
                (StatusCode::INTERNAL_SERVER_ERROR, json!({"error": "internal", "detail": "erreur interne du serveur"}))
            }
        };
        (status, Json(body)).into_response()
    }
}
