//! Data scope (数据权限): which records an account may see, enforced inside the store queries.
//!
//! An officer, legal reviewer or agency head sees the records of their own enforcement subject
//! (agency); a supervisor at a justice bureau every agency in their region and below (行政执法
//! 监督, 《行政执法监督条例》 and the State Council's 三项制度 opinion, 国办发〔2018〕118号); an
//! administrator everything; the public only what is published beforehand (事前公开, 《行政处罚法》
//! 第三十九条: subjects, powers and their legal bases; officers only through certificate
//! verification, masked). A record outside the scope is answered as not found, so its existence
//! is not disclosed.

use crate::model::User;

/// Role codes of user accounts.
pub mod roles {
    /// 执法人员.
    pub const OFFICER: &str = "officer";
    /// 法制审核人员.
    pub const REVIEWER: &str = "reviewer";
    /// 机关负责人.
    pub const HEAD: &str = "head";
    /// 执法监督人员.
    pub const SUPERVISOR: &str = "supervisor";
    /// 系统管理员.
    pub const ADMIN: &str = "admin";

    /// The Chinese name of a role code.
    pub fn label(role: &str) -> &'static str {
        match role {
            OFFICER => "执法人员",
            REVIEWER => "法制审核人员",
            HEAD => "机关负责人",
            SUPERVISOR => "执法监督人员",
            ADMIN => "系统管理员",
            _ => "未知角色",
        }
    }
}

/// The records a caller may read or change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (administrators, the platform itself).
    All,
    /// Every agency whose region code starts with this prefix (2 digits: a province, 4: a
    /// city, 6: a county, per GB/T 2260).
    Region(String),
    /// One enforcement subject (agency), by id.
    Agency(String),
    /// Anonymous public: only published records.
    Public,
}

impl Scope {
    /// The scope of a region code: `440000` → prefix `44`, `440100` → `4401`, `440106` →
    /// `440106` (GB/T 2260 code structure: 2 digits province, 2 city, 2 county).
    pub fn region(code: &str) -> Scope {
        Scope::Region(region_prefix(code).to_string())
    }

    /// The scope of an account: agency roles see their subject, supervisors their region,
    /// administrators all. An inactive account, or one missing its subject or region, sees
    /// only what is public.
    pub fn of_user(user: &User) -> Scope {
        if !user.active {
            return Scope::Public;
        }
        match user.role.as_str() {
            roles::ADMIN => Scope::All,
            roles::SUPERVISOR => user
                .region_code
                .as_deref()
                .map_or(Scope::Public, Scope::region),
            roles::OFFICER | roles::REVIEWER | roles::HEAD => {
                user.subject_id.clone().map_or(Scope::Public, Scope::Agency)
            }
            _ => Scope::Public,
        }
    }

    /// Whether this scope covers an agency with this id and region code.
    pub fn covers_agency(&self, subject_id: &str, region_code: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Region(prefix) => region_code.starts_with(prefix.as_str()),
            Scope::Agency(id) => id == subject_id,
            Scope::Public => false,
        }
    }

    /// A short Chinese description, for page headers.
    pub fn describe(&self) -> String {
        match self {
            Scope::All => "全部数据".to_string(),
            Scope::Region(p) => format!("行政区划 {p}* 内的执法主体"),
            Scope::Agency(_) => "本执法主体".to_string(),
            Scope::Public => "公开数据".to_string(),
        }
    }
}

/// The significant prefix of a 6-digit region code (trailing `00` pairs dropped, at least 2
/// digits kept). Anything that is not 6 digits is returned unchanged.
pub fn region_prefix(code: &str) -> &str {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return code;
    }
    if code.ends_with("0000") {
        &code[..2]
    } else if code.ends_with("00") {
        &code[..4]
    } else {
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: &str, subject: Option<&str>, region: Option<&str>) -> User {
        User {
            id: "u".into(),
            username: "u".into(),
            display_name: "u".into(),
            role: role.into(),
            subject_id: subject.map(Into::into),
            officer_id: None,
            region_code: region.map(Into::into),
            active: true,
            created_at: String::new(),
        }
    }

    #[test]
    fn region_prefixes_follow_gbt_2260_levels() {
        assert_eq!(region_prefix("440000"), "44");
        assert_eq!(region_prefix("440100"), "4401");
        assert_eq!(region_prefix("440106"), "440106");
        assert_eq!(region_prefix("x"), "x");
    }

    #[test]
    fn scopes_of_roles() {
        assert_eq!(
            Scope::of_user(&user("officer", Some("s1"), None)),
            Scope::Agency("s1".into())
        );
        assert_eq!(
            Scope::of_user(&user("head", Some("s1"), None)),
            Scope::Agency("s1".into())
        );
        assert_eq!(
            Scope::of_user(&user("supervisor", None, Some("440100"))),
            Scope::Region("4401".into())
        );
        assert_eq!(Scope::of_user(&user("admin", None, None)), Scope::All);
        assert_eq!(Scope::of_user(&user("officer", None, None)), Scope::Public);
        let mut off = user("admin", None, None);
        off.active = false;
        assert_eq!(Scope::of_user(&off), Scope::Public);
    }

    #[test]
    fn region_scope_covers_only_its_subtree() {
        let s = Scope::region("440100");
        assert!(s.covers_agency("a", "440106"));
        assert!(!s.covers_agency("a", "440300"));
        assert!(!Scope::Public.covers_agency("a", "440106"));
    }
}
