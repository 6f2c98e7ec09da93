//! The HTTP side: one statement per `PUT {endpoint}statements?statementId=ID`, basic
//! auth, `X-Experience-API-Version: 1.0.3`, a deadline on every request.
//!
//! PUT rather than a batched POST: an LRS answers a batch holding one statement it
//! already has with 409 for the whole batch, which would leave the others unsent or, if
//! counted as delivered, lost. One statement per request keeps "409 = already there"
//! exact.

use std::time::Duration;

use base64::Engine;

use crate::settings::Lrs;
use crate::XapiError;

/// How long one request may take, connect to last byte.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Why a statement was not delivered. The text never holds the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// 401 or 403: nothing will get through until the credentials change.
    #[error("the LRS refused the credentials ({status}); check the key and secret")]
    Credentials { status: u16 },
    /// The LRS refused this statement (400 and the like); others may still go.
    #[error("the LRS refused statement {id} ({status}): {body}")]
    Refused {
        id: String,
        status: u16,
        body: String,
    },
    /// 5xx, 429, 404 (a wrong endpoint): try again later.
    #[error("the LRS answered {status}: {body}")]
    Server { status: u16, body: String },
    /// No answer in time, no connection, a broken response.
    #[error("the LRS could not be reached: {0}")]
    Transport(String),
}

impl SendError {
    /// Whether sending more now is pointless (everything else would fail the same way).
    pub fn stops_the_round(&self) -> bool {
        !matches!(self, SendError::Refused { .. })
    }
}

/// The statements resource of `endpoint`: the endpoint itself when it names it, else
/// `statements` under it when it ends in the xAPI root (`.../xAPI/`), else
/// `{endpoint}/xAPI/statements` (an LRS's base address, as Ralph's).
pub fn statements_url(endpoint: &str) -> Result<String, XapiError> {
    let e = endpoint.trim();
    if !(e.starts_with("http://") || e.starts_with("https://")) || e.contains('?') {
        return Err(XapiError::Invalid(format!(
            "the LRS endpoint `{e}` must be an http:// or https:// address without a query"
        )));
    }
    let base = e.trim_end_matches('/');
    Ok(if base.ends_with("/statements") {
        base.to_string()
    } else if base.to_ascii_lowercase().ends_with("/xapi") {
        format!("{base}/statements")
    } else {
        format!("{base}/xAPI/statements")
    })
}

/// A configured connection to one LRS.
pub struct Client {
    agent: ureq::Agent,
    url: Result<String, String>,
    auth: String,
}

impl Client {
    pub fn new(lrs: &Lrs, timeout: Duration) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .build()
            .into();
        let token =
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", lrs.key, lrs.secret));
        Client {
            agent,
            url: statements_url(&lrs.endpoint).map_err(|e| e.to_string()),
            auth: format!("Basic {token}"),
        }
    }

    /// Sends statement `id` (its exact JSON text). `Ok` when the LRS stored it now or
    /// already had it (204, 200, 409).
    pub fn put(&self, id: &str, json: &str) -> Result<(), SendError> {
        let url = self.url.clone().map_err(SendError::Transport)?;
        let response = self
            .agent
            .put(&url)
            .query("statementId", id)
            .header("Authorization", &self.auth)
            .header("X-Experience-API-Version", crate::statement::XAPI_VERSION)
            .header("Content-Type", "application/json")
            .send(json);
        let mut response = match response {
            Ok(r) => r,
            Err(e) => return Err(SendError::Transport(e.to_string())),
        };
        let status = response.status().as_u16();
        if (200..300).contains(&status) || status == 409 {
            return Ok(());
        }
        let body: String = response
            .body_mut()
            .read_to_string()
            .unwrap_or_default()
            .chars()
            .take(300)
            .collect();
        Err(match status {
            401 | 403 => SendError::Credentials { status },
            400 | 413 | 422 => SendError::Refused {
                id: id.to_string(),
                status,
                body,
            },
            _ => SendError::Server { status, body },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_lead_to_the_statements_resource() {
        let u = |e| statements_url(e).unwrap();
        assert_eq!(
            u("http://127.0.0.1:8100"),
            "http://127.0.0.1:8100/xAPI/statements"
        );
        assert_eq!(
            u("https://lrs.example/xAPI/"),
            "https://lrs.example/xAPI/statements"
        );
        assert_eq!(
            u("https://lrs.example/data/xapi"),
            "https://lrs.example/data/xapi/statements"
        );
        assert_eq!(
            u("https://lrs.example/xAPI/statements"),
            "https://lrs.example/xAPI/statements"
        );
        assert!(statements_url("lrs.example").is_err());
    }
}
