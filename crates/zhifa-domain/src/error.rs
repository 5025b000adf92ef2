//! The one validation error of the domain.

/// A value was rejected by a rule. Carries a stable machine code, the rule (standard or
/// article) it breaks, and a Chinese message for the user. The API layer adds the field name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{message}")]
pub struct Invalid {
    /// Stable machine code, e.g. `uscc.check_char`, `idcard.birth_date`, `money.negative`.
    pub code: &'static str,
    /// The standard or article the rule comes from, e.g. `GB 32100-2015`.
    pub rule: &'static str,
    /// Chinese message for the user, e.g. `统一社会信用代码校验码错误：应为 X，实为 Y`.
    pub message: String,
}

impl Invalid {
    /// Builds an error from its three parts.
    pub fn new(code: &'static str, rule: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            rule,
            message: message.into(),
        }
    }
}

impl Invalid {
    /// Attaches the field (data element) the value was given for.
    pub fn at(self, field: impl Into<String>) -> FieldError {
        FieldError {
            field: field.into(),
            code: self.code.to_string(),
            rule: self.rule.to_string(),
            message: self.message,
        }
    }
}

/// A rejected value together with the field it was given for: what the API returns in a 422
/// body and what an import report lists per row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldError {
    /// The field, as named in the request or the data standard (e.g. `uscc`, `region_code`).
    pub field: String,
    /// Stable machine code (e.g. `uscc.check_char`).
    pub code: String,
    /// The standard or article the rule comes from.
    pub rule: String,
    /// Chinese message for the user.
    pub message: String,
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}：{}（{}，{}）",
            self.field, self.message, self.rule, self.code
        )
    }
}
