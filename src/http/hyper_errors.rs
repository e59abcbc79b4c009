//! hyper answers a request head it cannot read (malformed, an address over
//! its own 64 KiB limit, a head over its buffer) by itself, with an empty
//! body, before the router sees anything: there is no hook to change that
//! answer. These few answers are recognised as they are written and
//! replaced by the JSON error of their status, so that every error this
//! server sends reads the same way.

use serde_json::json;

/// The JSON answer to write instead of `head`, if `head` is one of hyper's own bodiless errors.
pub(super) fn replacement(head: &[u8]) -> Option<Vec<u8>> {
    let status = head.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
    let (reason, error, detail) = match status {
        b"400" => ("Bad Request", "bad_request", "requête HTTP mal formée".to_string()),
        b"414" => {
            ("URI Too Long", "uri_too_long", format!("adresse trop longue : au plus {} octets", super::MAX_URI_BYTES))
        }
        b"431" => {
            ("Request Header Fields Too Large", "headers_too_large", "en-têtes de requête trop volumineux".into())
        }
        _ => return None,
    };
    // The router's answers always carry a type; hyper's own never do, nor a body.
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let lower = head[..end].to_ascii_lowercase();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    if has(b"\r\ncontent-type:") || !has(b"\r\ncontent-length: 0") || head.len() > end + 4 {
        return None;
    }
    let body = json!({"error": error, "detail": detail}).to_string();
    let status = String::from_utf8_lossy(status);
    let answer = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    Some(answer.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_bodiless_errors_become_json_and_the_routers_answers_are_left_alone() {
        let hyper = b"HTTP/1.1 414 URI Too Long\r\nconnection: close\r\ncontent-length: 0\r\ndate: x\r\n\r\n";
        let json = String::from_utf8(replacement(hyper).unwrap()).unwrap();
        assert!(json.starts_with("HTTP/1.1 414 URI Too Long\r\n"), "{json}");
        let body = &json[json.find("\r\n\r\n").unwrap() + 4..];
        let value: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(value["error"], "uri_too_long");
        assert!(json.contains(&format!("content-length: {}\r\n", body.len())));
        let bad = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        assert!(String::from_utf8(replacement(bad).unwrap()).unwrap().contains("\"bad_request\""));
        // The router's own errors carry a type (and HEAD answers keep it), successes are never touched.
        let routed = b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(replacement(routed), None);
        assert_eq!(replacement(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"), None);
        assert_eq!(replacement(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}"), None);
        assert_eq!(replacement(b"HTTP/1.1 4"), None);
    }
}
