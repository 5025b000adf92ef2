//! `zhifa users add|list|disable|password|token` as an administrator runs them at the node's
//! console, on a fresh SQLite data directory.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn zhifa(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zhifa"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(args)
        .env_remove("ZHIFA_DATABASE_URL")
        .env_remove("ZHIFA_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run zhifa");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait")
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[test]
fn accounts_and_tokens_from_the_console() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let add = zhifa(
        d,
        &[
            "users",
            "add",
            "root",
            "--role",
            "admin",
            "--name",
            "管理员",
        ],
        None,
    );
    assert!(add.status.success(), "{}", out(&add));
    let text = out(&add);
    assert!(text.contains("已创建账号 root"), "{text}");
    let generated = text
        .split("初始密码：")
        .nth(1)
        .and_then(|s| s.split('（').next())
        .expect("generated password printed");
    assert_eq!(generated.chars().count(), 16);

    let typed = zhifa(
        d,
        &[
            "users",
            "add",
            "sup",
            "--role",
            "supervisor",
            "--region",
            "440100",
            "--password-stdin",
        ],
        Some("a typed password\n"),
    );
    assert!(typed.status.success(), "{}", out(&typed));
    assert!(!out(&typed).contains("初始密码"));

    let bad = zhifa(d, &["users", "add", "x1", "--role", "emperor"], None);
    assert!(!bad.status.success());
    assert!(out(&bad).contains("角色"), "{}", out(&bad));
    let orphan = zhifa(d, &["users", "add", "lonely", "--role", "supervisor"], None);
    assert!(!orphan.status.success(), "{}", out(&orphan));

    let list = out(&zhifa(d, &["users", "list"], None));
    assert!(
        list.contains("root") && list.contains("sup") && list.contains("执法监督人员"),
        "{list}"
    );

    let created = zhifa(
        d,
        &[
            "users",
            "token",
            "create",
            "sup",
            "--name",
            "市局系统",
            "--scope",
            "read,write",
        ],
        None,
    );
    assert!(created.status.success(), "{}", out(&created));
    let text = out(&created);
    let secret = text
        .split("令牌：")
        .nth(1)
        .and_then(|s| s.lines().next())
        .expect("secret printed")
        .trim()
        .to_string();
    assert_eq!(secret.len(), 64);
    let id = text
        .split("id ")
        .nth(1)
        .and_then(|s| s.split('，').next())
        .expect("id printed")
        .to_string();
    let tokens = out(&zhifa(d, &["users", "token", "list"], None));
    assert!(
        tokens.contains("市局系统") && tokens.contains("read,write"),
        "{tokens}"
    );
    assert!(!tokens.contains(&secret), "the secret is never listed");
    let bad_scope = zhifa(
        d,
        &[
            "users", "token", "create", "sup", "--name", "x", "--scope", "all",
        ],
        None,
    );
    assert!(!bad_scope.status.success());

    let revoked = zhifa(d, &["users", "token", "revoke", &id], None);
    assert!(revoked.status.success(), "{}", out(&revoked));
    assert!(out(&zhifa(d, &["users", "token", "list"], None)).contains("已吊销"));

    let reset = zhifa(
        d,
        &["users", "password", "sup", "--password-stdin"],
        Some("another password\n"),
    );
    assert!(reset.status.success(), "{}", out(&reset));
    let short = zhifa(
        d,
        &["users", "password", "sup", "--password-stdin"],
        Some("short\n"),
    );
    assert!(!short.status.success());

    let disabled = zhifa(d, &["users", "disable", "sup"], None);
    assert!(disabled.status.success(), "{}", out(&disabled));
    assert!(out(&zhifa(d, &["users", "list"], None)).contains("停用"));
    let unknown = zhifa(d, &["users", "disable", "nobody"], None);
    assert!(!unknown.status.success());
}
