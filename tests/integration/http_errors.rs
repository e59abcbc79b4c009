//! Every error status answers JSON, the page's files are only read, and
//! compressing a large answer leaves the async workers free: the router
//! without a socket (`oneshot`).

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;

use crate::http::national;

/// One request through `app`; status, `Allow` header and body.
async fn call(app: &axum::Router, method: Method, uri: &str, accept: Option<&str>) -> (StatusCode, String, Vec<u8>) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(coding) = accept {
        request = request.header(header::ACCEPT_ENCODING, coding);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (parts, body) = response.into_parts();
    let allow = parts.headers.get(header::ALLOW).map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    (parts.status, allow, axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn json(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
}

#[test]
fn methods_other_than_get_are_405_in_json_with_allow_on_the_api_and_the_page() {
    let app = cptsmap::http::router(national());
    runtime().block_on(async {
        for (method, uri) in [
            (Method::POST, "/api/health"),
            (Method::DELETE, "/api/communes/75056"),
            (Method::PUT, "/api/layers/regions.geojson"),
            (Method::POST, "/"),
            (Method::PUT, "/index.html"),
            (Method::DELETE, "/"),
            (Method::TRACE, "/"),
        ] {
            let (status, allow, body) = call(&app, method.clone(), uri, None).await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {uri}");
            assert!(allow.contains("GET"), "{method} {uri}: Allow « {allow} »");
            let error = json(&body);
            assert_eq!(error["error"], "method_not_allowed", "{method} {uri}");
            let detail = error["detail"].as_str().unwrap();
            assert!(detail.contains(method.as_str()), "{detail}");
        }
        // The page is still read with GET and HEAD.
        assert_eq!(call(&app, Method::GET, "/", None).await.0, StatusCode::OK);
        assert_eq!(call(&app, Method::HEAD, "/", None).await.0, StatusCode::OK);
    });
}

#[test]
fn a_too_long_address_is_414_in_json_and_errors_never_echo_much_of_the_input() {
    let app = cptsmap::http::router(national());
    runtime().block_on(async {
        let long = format!("/api/health?x={}", "a".repeat(cptsmap::http::MAX_URI_BYTES));
        let (status, _, body) = call(&app, Method::GET, &long, None).await;
        assert_eq!(status, StatusCode::URI_TOO_LONG);
        let error = json(&body);
        assert_eq!(error["error"], "uri_too_long");
        assert!(error["detail"].as_str().unwrap().contains("au plus"), "{error}");
        // Just under the limit: the 404 quotes a short excerpt of the code, not the 12 000 characters.
        let code = "9".repeat(12_000);
        let (status, _, body) = call(&app, Method::GET, &format!("/api/communes/{code}"), None).await;
        assert!(status.is_client_error(), "{status}");
        assert!(body.len() < 2 * cptsmap::http::MAX_DETAIL_CHARS, "{} bytes", body.len());
        assert!(json(&body)["detail"].is_string());
        let (status, _, body) = call(&app, Method::GET, "/api/nothing/here", None).await;
        assert_eq!((status, json(&body)["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    });
}

/// On a runtime with a single thread, a request that compressed its answer on
/// that thread would hold every other request until it is done: the order in
/// which answers finish shows where the compression ran, with no clock.
#[test]
fn a_large_answer_compressed_with_brotli_does_not_hold_health_on_a_single_thread_runtime() {
    let app = cptsmap::http::router(national());
    runtime().block_on(async {
        // The whole of a région, drawn first without compression: what is left
        // for the next request is the brotli compression of about 4 MB.
        let heavy = "/api/export/communes.geojson?region=84";
        let (status, _, plain) = call(&app, Method::GET, heavy, None).await;
        assert_eq!(status, StatusCode::OK);
        assert!(plain.len() > 1_000_000, "{} bytes: heavy indeed", plain.len());
        let finished = Arc::new(Mutex::new(Vec::new()));
        let (app1, done1) = (app.clone(), Arc::clone(&finished));
        let compressed = tokio::spawn(async move {
            let (status, _, body) = call(&app1, Method::GET, heavy, Some("br")).await;
            done1.lock().unwrap().push("brotli");
            (status, body.len())
        });
        let (app2, done2) = (app.clone(), Arc::clone(&finished));
        let health = tokio::spawn(async move {
            let (status, _, _) = call(&app2, Method::GET, "/api/health", Some("br")).await;
            done2.lock().unwrap().push("health");
            status
        });
        let (status, size) = compressed.await.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert!(size > 0 && size < plain.len() / 3, "{size} bytes of brotli for {}", plain.len());
        assert_eq!(health.await.unwrap(), StatusCode::OK);
        assert_eq!(*finished.lock().unwrap(), ["health", "brotli"], "health waited for the compression");
    });
}

#[test]
fn a_download_of_all_the_communes_is_413_saying_in_french_what_to_ask_instead() {
    let (status, body) = crate::http::get_json("/api/export/communes.geojson");
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(body["error"], "too_large");
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains("zone plus petite") && detail.contains("cptsmap export"), "{detail}");
}
