//! `zhifa users add|list|disable|password|token`: accounts and API tokens (F13), for the
//! administrator at the node's console. Passwords are read from standard input
//! (`--password-stdin`) or generated and printed once; token secrets are printed once and
//! stored only as their SM3 hash.

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use zhifa_store::model::{Actor, PageRequest, UserInput};
use zhifa_store::scope::roles;
use zhifa_store::{Store, StoreError, random_secret};

use crate::cli::{TokenCmd, UsersCmd};
use crate::config::Config;
use crate::node;

/// A new random password: 16 characters from an unambiguous alphabet.
fn generated_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let hex = random_secret();
    hex.as_bytes()
        .chunks(2)
        .take(16)
        .map(|pair| {
            let byte =
                u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("00"), 16).unwrap_or(0);
            ALPHABET[usize::from(byte) % ALPHABET.len()] as char
        })
        .collect()
}

/// The password to set: one line of standard input, or a generated one (and whether it was
/// generated, so it is printed).
fn password(from_stdin: bool) -> Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("while reading the password from standard input")?;
        Ok((line.trim_end_matches(['\r', '\n']).to_string(), false))
    } else {
        Ok((generated_password(), true))
    }
}

fn actor() -> Actor {
    Actor::system("cli")
}

/// Prints the field errors of a refused input and fails.
fn refused(e: StoreError) -> anyhow::Error {
    match e {
        StoreError::Invalid(fields) => {
            for f in &fields {
                eprintln!("  {}：{}", f.field, f.message);
            }
            anyhow::anyhow!("输入有误，未保存")
        }
        other => anyhow::Error::new(other),
    }
}

async fn user_id(store: &Store, username: &str) -> Result<String> {
    match store.user_by_username(username).await? {
        Some(u) => Ok(u.id),
        None => bail!("账号“{username}”不存在"),
    }
}

/// Runs a users command.
pub async fn run(action: UsersCmd, config: &Config) -> Result<ExitCode> {
    let store = node::open_store(config).await?;
    match action {
        UsersCmd::Add {
            username,
            name,
            role,
            subject_id,
            officer_id,
            region,
            password_stdin,
        } => {
            let (password, generated) = password(password_stdin)?;
            let input = UserInput {
                username: username.clone(),
                display_name: name.unwrap_or_else(|| username.clone()),
                role,
                subject_id,
                officer_id,
                region_code: region,
                password: password.clone(),
            };
            let user = store.create_user(&input, &actor()).await.map_err(refused)?;
            println!(
                "已创建账号 {}（{}，{}）",
                user.username,
                user.display_name,
                roles::label(&user.role)
            );
            if generated {
                println!("初始密码：{password}（仅显示一次，请登录后修改）");
            }
        }
        UsersCmd::List => {
            let page = store
                .list_users(PageRequest {
                    offset: 0,
                    limit: 500,
                })
                .await?;
            println!(
                "{:<16} {:<14} {:<8} {:<6} 范围",
                "登录名", "角色", "状态", ""
            );
            for u in page.items {
                let scope = u
                    .subject_id
                    .clone()
                    .or(u.region_code.clone())
                    .unwrap_or_else(|| "全部".to_string());
                println!(
                    "{:<16} {:<14} {:<8} {}",
                    u.username,
                    roles::label(&u.role),
                    if u.active { "启用" } else { "停用" },
                    scope
                );
            }
        }
        UsersCmd::Disable { username } => {
            let id = user_id(&store, &username).await?;
            store.deactivate_user(&id, &actor()).await?;
            store.delete_user_sessions(&id).await?;
            println!("已停用账号 {username}，其登录会话已全部结束");
        }
        UsersCmd::Password {
            username,
            password_stdin,
        } => {
            let id = user_id(&store, &username).await?;
            let (password, generated) = password(password_stdin)?;
            store
                .set_user_password(&id, &password, &actor())
                .await
                .map_err(refused)?;
            store.delete_user_sessions(&id).await?;
            store.clear_login_failures(&username).await?;
            println!("已重置账号 {username} 的密码，并解除登录锁定");
            if generated {
                println!("新密码：{password}（仅显示一次）");
            }
        }
        UsersCmd::Token { action } => token(&store, action).await?,
    }
    Ok(ExitCode::SUCCESS)
}

async fn token(store: &Store, action: TokenCmd) -> Result<()> {
    match action {
        TokenCmd::Create { owner, name, scope } => {
            let scopes: Vec<String> = scope
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            let (token, secret) = store
                .create_api_token(&name, &owner, &scopes, "system:cli")
                .await
                .map_err(refused)?;
            println!(
                "已创建 API 令牌 {}（id {}，权限 {}，数据范围同账号 {}）",
                token.name,
                token.id,
                token.scopes.join(","),
                token.owner
            );
            println!("令牌：{secret}");
            println!("（仅显示一次；请求时使用 Authorization: Bearer 令牌）");
        }
        TokenCmd::List => {
            let page = store
                .list_api_tokens(PageRequest {
                    offset: 0,
                    limit: 500,
                })
                .await?;
            for t in page.items {
                println!(
                    "{}  {:<20} {:<10} {:<16} {}",
                    t.id,
                    t.name,
                    t.scopes.join(","),
                    t.owner,
                    match &t.revoked_at {
                        Some(at) => format!("已吊销 {at}"),
                        None => format!(
                            "有效，最近使用 {}",
                            t.last_used_at.as_deref().unwrap_or("—")
                        ),
                    }
                );
            }
        }
        TokenCmd::Revoke { id } => {
            let t = store.revoke_api_token(&id).await?;
            println!("已吊销 API 令牌 {}（{}）", t.name, t.id);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_passwords_are_long_enough_and_vary() {
        let a = super::generated_password();
        let b = super::generated_password();
        assert_eq!(a.chars().count(), 16);
        assert_ne!(a, b);
    }
}
