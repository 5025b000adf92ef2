//! Users: creation, uniqueness, references, password verification.

use zhifa_store::Store;
use zhifa_store::model::*;

use crate::fixtures::*;
use crate::store_test;

fn user_input(username: &str, role: &str) -> UserInput {
    UserInput {
        username: username.into(),
        display_name: "测试用户".into(),
        role: role.into(),
        password: "correct horse battery".into(),
        ..Default::default()
    }
}

async fn users_and_passwords(store: Store) {
    let admin = store
        .create_user(&user_input("admin", "admin"), &actor())
        .await
        .expect("admin");
    assert!(admin.active);
    let (s, o) = subject_and_officer(&store).await;
    let officer = UserInput {
        subject_id: Some(s.id.clone()),
        officer_id: Some(o.id.clone()),
        region_code: Some("440106".into()),
        ..user_input("zhangsan", "officer")
    };
    let zs = store
        .create_user(&officer, &actor())
        .await
        .expect("officer user");
    assert_eq!(
        (zs.subject_id.as_deref(), zs.officer_id.as_deref()),
        (Some(s.id.as_str()), Some(o.id.as_str()))
    );
    assert_eq!(
        store.user_by_username("zhangsan").await.expect("by name"),
        Some(zs.clone())
    );
    assert_eq!(
        store.user_by_username("nobody").await.expect("by name"),
        None
    );
    let page = store
        .list_users(PageRequest::default())
        .await
        .expect("list");
    assert_eq!(
        page.items
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["admin", "zhangsan"]
    );

    assert_eq!(
        store
            .verify_password("admin", "correct horse battery")
            .await
            .expect("verify"),
        Some(admin.clone())
    );
    assert_eq!(
        store
            .verify_password("admin", "wrong horse battery")
            .await
            .expect("verify"),
        None
    );
    assert_eq!(
        store
            .verify_password("ghost", "correct horse battery")
            .await
            .expect("verify"),
        None
    );

    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'admin'")
            .fetch_one(store.pool())
            .await
            .expect("hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    let log = serde_json::to_string(&all_changes(&store).await).expect("json");
    assert!(
        !log.contains("$argon2") && !log.contains("correct horse"),
        "no password material in the log"
    );

    store
        .set_user_password(&zs.id, "new password 1", &actor())
        .await
        .expect("reset");
    assert_eq!(
        store
            .verify_password("zhangsan", "correct horse battery")
            .await
            .expect("verify"),
        None
    );
    assert!(
        store
            .verify_password("zhangsan", "new password 1")
            .await
            .expect("verify")
            .is_some()
    );
    let disabled = store
        .deactivate_user(&zs.id, &actor())
        .await
        .expect("disable");
    assert!(!disabled.active);
    assert_eq!(
        store
            .verify_password("zhangsan", "new password 1")
            .await
            .expect("verify"),
        None,
        "disabled account"
    );
    assert_not_found(store.deactivate_user("nobody", &actor()).await);
}
store_test!(users_and_passwords, users_sqlite, users_postgres);

async fn user_rules_are_atomic(store: Store) {
    store
        .create_user(&user_input("admin", "admin"), &actor())
        .await
        .expect("admin");
    let (s, _) = subject_and_officer(&store).await;
    let other = store
        .create_subject(
            &subject_input("荔湾区市场监督管理局", "440103", 2),
            &actor(),
        )
        .await
        .expect("s2");
    let o2 = store
        .create_officer(&officer_input(&other.id, "李四", 3), &actor())
        .await
        .expect("o2");
    let before = store.counts().await.expect("counts");
    let changes = all_changes(&store).await;
    let errors = invalid_codes(
        store
            .create_user(&user_input("admin", "admin"), &actor())
            .await,
    );
    assert_eq!(
        errors,
        vec![("username".to_string(), "username.duplicate".to_string())]
    );
    let bad = UserInput {
        subject_id: Some(s.id.clone()),
        officer_id: Some(o2.id.clone()),
        password: "short".into(),
        ..user_input("lisi", "officer")
    };
    let errors = invalid_codes(store.create_user(&bad, &actor()).await);
    assert!(
        has(&errors, "officer_id", "officer_id.subject_mismatch"),
        "{errors:?}"
    );
    assert!(
        has(&errors, "password", "user.password.too_short"),
        "{errors:?}"
    );
    let ghost = UserInput {
        subject_id: Some("nobody".into()),
        ..user_input("wangwu", "head")
    };
    let errors = invalid_codes(store.create_user(&ghost, &actor()).await);
    assert!(
        has(&errors, "subject_id", "subject_id.unknown"),
        "{errors:?}"
    );
    assert_eq!(store.counts().await.expect("counts"), before);
    assert_eq!(all_changes(&store).await, changes);
}
store_test!(
    user_rules_are_atomic,
    user_rules_sqlite,
    user_rules_postgres
);

/// API tokens resolve (from the in-memory cache after the first time), and stop resolving at
/// once when revoked or when their owner is disabled through the store.
async fn api_tokens_stop_at_once(store: Store) {
    store
        .create_user(&user_input("sys", "admin"), &actor())
        .await
        .expect("owner");
    let scopes = vec!["read".to_string()];
    let (token, secret) = store
        .create_api_token("市局系统", "sys", &scopes, "admin")
        .await
        .expect("token");
    for _ in 0..2 {
        let (t, u) = store
            .api_token_by_secret(&secret)
            .await
            .expect("lookup")
            .expect("a valid token resolves");
        assert_eq!(
            (t.id.as_str(), u.username.as_str()),
            (token.id.as_str(), "sys")
        );
        assert!(t.last_used_at.is_some(), "the use is recorded");
    }
    assert!(
        store
            .api_token_by_secret("no such secret")
            .await
            .expect("lookup")
            .is_none()
    );
    store.revoke_api_token(&token.id).await.expect("revoke");
    assert!(
        store
            .api_token_by_secret(&secret)
            .await
            .expect("lookup")
            .is_none()
    );

    let (_, second) = store
        .create_api_token("另一系统", "sys", &scopes, "admin")
        .await
        .expect("token");
    assert!(
        store
            .api_token_by_secret(&second)
            .await
            .expect("lookup")
            .is_some()
    );
    let owner = store
        .user_by_username("sys")
        .await
        .expect("by name")
        .expect("sys");
    store
        .deactivate_user(&owner.id, &actor())
        .await
        .expect("disable");
    assert!(
        store
            .api_token_by_secret(&second)
            .await
            .expect("lookup")
            .is_none()
    );
}
store_test!(
    api_tokens_stop_at_once,
    api_tokens_stop_sqlite,
    api_tokens_stop_postgres
);
