//! The trainee's profile and the LRS connection, in `settings.json` in the data folder.
//!
//! The file is written whole (a temporary file renamed over it) with mode 0600, since it
//! holds the LRS secret. A file this version cannot read is reported, never overwritten.
//! `RAPPORT_LRS_ENDPOINT`, `RAPPORT_LRS_KEY` and `RAPPORT_LRS_SECRET` override what is
//! saved, one by one, without being saved.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::XapiError;

pub const SETTINGS_FILE: &str = "settings.json";
pub const ENDPOINT_ENV: &str = "RAPPORT_LRS_ENDPOINT";
pub const KEY_ENV: &str = "RAPPORT_LRS_KEY";
pub const SECRET_ENV: &str = "RAPPORT_LRS_SECRET";

/// The account home page used when the trainee gave no email and no organisation page:
/// a reserved name (RFC 2606), so an LRS can tell these accounts are local ones.
pub const LOCAL_HOME_PAGE: &str = "https://rapport.invalid/local-user";

/// Who the statements are about.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Profile {
    /// Shown name; default: the system user name.
    pub name: Option<String>,
    /// When set, the actor is identified by `mailto:` this address.
    pub email: Option<String>,
    /// Else by an account on this home page (the organisation's)...
    pub home_page: Option<String>,
    /// ...with this account name (default: the system user name).
    pub account: Option<String>,
}

/// Where statements go.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lrs {
    pub endpoint: String,
    pub key: String,
    pub secret: String,
}

impl std::fmt::Debug for Lrs {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lrs")
            .field("endpoint", &self.endpoint)
            .field("key", &self.key)
            .field("secret", &"***")
            .finish()
    }
}

/// The saved LRS fields, each optional until given.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LrsSettings {
    pub endpoint: Option<String>,
    pub key: Option<String>,
    pub secret: Option<String>,
}

impl std::fmt::Debug for LrsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LrsSettings")
            .field("endpoint", &self.endpoint)
            .field("key", &self.key)
            .field("secret", &self.secret.as_ref().map(|_| "***"))
            .finish()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub profile: Profile,
    pub lrs: LrsSettings,
}

/// The settings as the settings screen shows them: everything but the secret, of which
/// only whether one is saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsView {
    pub name: String,
    pub email: String,
    pub home_page: String,
    pub account: String,
    pub endpoint: String,
    pub key: String,
    pub secret_saved: bool,
    /// The name statements carry when `name` is empty.
    pub system_user: String,
    /// The `RAPPORT_LRS_*` variables set, which win over what is saved.
    pub overridden_by_env: Vec<String>,
}

/// What the settings screen saves. `secret: None` keeps the saved secret; an empty
/// field clears it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SettingsInput {
    pub name: String,
    pub email: String,
    pub home_page: String,
    pub account: String,
    pub endpoint: String,
    pub key: String,
    pub secret: Option<String>,
}

fn field(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

impl Settings {
    pub fn view(&self) -> SettingsView {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        SettingsView {
            name: text(&self.profile.name),
            email: text(&self.profile.email),
            home_page: text(&self.profile.home_page),
            account: text(&self.profile.account),
            endpoint: text(&self.lrs.endpoint),
            key: text(&self.lrs.key),
            secret_saved: given(&self.lrs.secret).is_some(),
            system_user: system_user(),
            overridden_by_env: [ENDPOINT_ENV, KEY_ENV, SECRET_ENV]
                .iter()
                .filter(|v| std::env::var(v).is_ok_and(|x| !x.trim().is_empty()))
                .map(|v| v.to_string())
                .collect(),
        }
    }

    /// These settings with `input` applied.
    pub fn with(&self, input: &SettingsInput) -> Settings {
        Settings {
            profile: Profile {
                name: field(&input.name),
                email: field(&input.email),
                home_page: field(&input.home_page),
                account: field(&input.account),
            },
            lrs: LrsSettings {
                endpoint: field(&input.endpoint),
                key: field(&input.key),
                secret: match &input.secret {
                    None => self.lrs.secret.clone(),
                    Some(s) => (!s.is_empty()).then(|| s.clone()),
                },
            },
        }
    }
}

/// The system user name, for a profile that names nobody.
pub fn system_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .map(|v| v.trim().to_string())
        .find(|v| !v.is_empty())
        .unwrap_or_else(|| "trainee".to_string())
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl Profile {
    /// The xAPI Agent: a name and one identifier (mbox, else account).
    pub fn actor(&self) -> Value {
        let user = system_user();
        let name = given(&self.name).unwrap_or(&user);
        match given(&self.email) {
            Some(email) => json!({
                "objectType": "Agent",
                "name": name,
                "mbox": format!("mailto:{email}"),
            }),
            None => json!({
                "objectType": "Agent",
                "name": name,
                "account": {
                    "homePage": given(&self.home_page).unwrap_or(LOCAL_HOME_PAGE),
                    "name": given(&self.account).unwrap_or(&user),
                },
            }),
        }
    }

    /// Refuses an email that is clearly not one, and a home page that is not a URL.
    pub fn check(&self) -> Result<(), XapiError> {
        if let Some(e) = given(&self.email) {
            if !e.contains('@') || e.contains(char::is_whitespace) || e.starts_with("mailto:") {
                return Err(XapiError::Invalid(format!(
                    "`{e}` is not an email address (write it as name@example.org)"
                )));
            }
        }
        if let Some(h) = given(&self.home_page) {
            if !(h.starts_with("https://") || h.starts_with("http://")) {
                return Err(XapiError::Invalid(format!(
                    "the organisation's home page `{h}` must start with https:// or http://"
                )));
            }
        }
        Ok(())
    }
}

impl Settings {
    pub fn load(dir: &Path) -> Result<Settings, XapiError> {
        let path = dir.join(SETTINGS_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| XapiError::Settings {
                path,
                detail: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(source) => Err(XapiError::Io { path, source }),
        }
    }

    /// Writes the whole file, mode 0600, replacing the old one only once written.
    pub fn save(&self, dir: &Path) -> Result<(), XapiError> {
        self.profile.check()?;
        if let Some(e) = given(&self.lrs.endpoint) {
            crate::client::statements_url(e)?;
        }
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| XapiError::Io { path, source }
        };
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(SETTINGS_FILE);
        let tmp = dir.join(format!("{SETTINGS_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).expect("settings serialise");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(io(&tmp))?;
        #[cfg(unix)]
        {
            // The mode only applies to a new file; an old temporary one keeps its own.
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .map_err(io(&tmp))?;
        }
        file.write_all(text.as_bytes()).map_err(io(&tmp))?;
        file.sync_all().map_err(io(&tmp))?;
        drop(file);
        std::fs::rename(&tmp, &path).map_err(io(&path))
    }

    /// The LRS from the saved fields and the environment (a set variable wins).
    pub fn lrs_with_env(&self) -> Option<Lrs> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let pick = |name: &str, saved: &Option<String>| {
            env(name).or_else(|| given(saved).map(str::to_string))
        };
        Some(Lrs {
            endpoint: pick(ENDPOINT_ENV, &self.lrs.endpoint)?,
            key: pick(KEY_ENV, &self.lrs.key)?,
            secret: pick(SECRET_ENV, &self.lrs.secret)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_saved_for_the_user_only_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), Settings::default());
        let s = Settings {
            profile: Profile {
                name: Some("Ana".into()),
                email: Some("ana@example.org".into()),
                ..Profile::default()
            },
            lrs: LrsSettings {
                endpoint: Some("http://127.0.0.1:8100".into()),
                key: Some("k".into()),
                secret: Some("s3cret".into()),
            },
        };
        s.save(dir.path()).unwrap();
        assert_eq!(Settings::load(dir.path()).unwrap(), s);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SETTINGS_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[test]
    fn a_broken_settings_file_is_reported_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SETTINGS_FILE), "{nope").unwrap();
        let e = Settings::load(dir.path()).unwrap_err();
        assert!(e.to_string().contains("settings.json"), "{e}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap(),
            "{nope"
        );
    }

    #[test]
    fn the_actor_has_a_name_and_one_identifier() {
        let p = Profile {
            name: Some("Ana".into()),
            email: Some("ana@example.org".into()),
            ..Profile::default()
        };
        assert_eq!(p.actor()["mbox"], "mailto:ana@example.org");
        assert!(p.actor().get("account").is_none());
        let p = Profile {
            home_page: Some("https://example.org".into()),
            account: Some("ana.k".into()),
            ..Profile::default()
        };
        let a = p.actor();
        assert_eq!(a["account"]["homePage"], "https://example.org");
        assert_eq!(a["account"]["name"], "ana.k");
        assert!(a.get("mbox").is_none());
        let a = Profile::default().actor();
        assert_eq!(a["name"], system_user());
        assert_eq!(a["account"]["homePage"], LOCAL_HOME_PAGE);
        assert!(Profile {
            email: Some("not an email".into()),
            ..Profile::default()
        }
        .check()
        .is_err());
    }
}
