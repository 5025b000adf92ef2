//! What every signed-in page shares: the header with the account, its role and the logout
//! form (`member.html`), and form helpers (CSRF, field errors beside their fields).

use std::collections::HashMap;

use zhifa_domain::FieldError;
use zhifa_store::scope::roles;

use crate::auth::{CSRF_FIELD, SignedIn, check_csrf};
use crate::web::PageError;

/// The signed-in account as the page header shows it.
#[derive(Debug, Clone)]
pub struct Me {
    /// Login name.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Role code.
    pub role: String,
    /// Chinese role name.
    pub role_label: &'static str,
    /// CSRF token for the forms of the page.
    pub csrf: String,
    /// Administrator.
    pub is_admin: bool,
    /// Supervisor.
    pub is_supervisor: bool,
}

impl Me {
    /// The header data of a session.
    pub fn of(s: &SignedIn) -> Me {
        let u = s.user();
        Me {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role.clone(),
            role_label: roles::label(&u.role),
            csrf: s.session.csrf.clone(),
            is_admin: u.role == roles::ADMIN,
            is_supervisor: u.role == roles::SUPERVISOR,
        }
    }
}

/// A submitted form: its fields by name.
pub type FormFields = HashMap<String, String>;

/// Refuses a form whose CSRF token is missing or does not match the session's (403).
pub fn require_csrf(s: &SignedIn, form: &FormFields) -> Result<(), PageError> {
    check_csrf(&s.session.csrf, form.get(CSRF_FIELD).map(String::as_str)).map_err(PageError)
}

/// A form field, trimmed, or empty.
pub fn field(form: &FormFields, name: &str) -> String {
    form.get(name)
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// Validation messages by field, shown beside each field.
#[derive(Debug, Clone, Default)]
pub struct FieldErrors(pub HashMap<String, String>);

impl FieldErrors {
    /// The messages of a store validation error (several messages of one field are joined).
    pub fn from_fields(fields: &[FieldError]) -> Self {
        let mut map: HashMap<String, String> = HashMap::new();
        for f in fields {
            map.entry(f.field.clone())
                .and_modify(|m| {
                    m.push('；');
                    m.push_str(&f.message);
                })
                .or_insert_with(|| f.message.clone());
        }
        FieldErrors(map)
    }

    /// One message.
    pub fn one(field: &str, message: &str) -> Self {
        FieldErrors(HashMap::from([(field.to_string(), message.to_string())]))
    }

    /// The message of a field, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Whether there is no message.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Messages of fields the form does not show (reported above the form).
    pub fn others(&self, shown: &[&str]) -> Vec<String> {
        let mut v: Vec<String> = self
            .0
            .iter()
            .filter(|(k, _)| !shown.contains(&k.as_str()))
            .map(|(_, m)| m.clone())
            .collect();
        v.sort();
        v
    }
}
