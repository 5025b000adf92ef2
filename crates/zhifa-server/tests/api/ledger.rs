//! `/api/v1/ledger/*` and `/api/v1/evidence` (全过程记录, APL Art. 47; 118号): public keys,
//! the signed checkpoint, proofs that verify under it, and evidence upload (streamed, size
//! limit, content-addressed) and download (refused once the file was edited on disk).

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;
use zhifa_domain::calendar::LegalCalendar;
use zhifa_ledger::{Checkpoint, KeyAlg, NoteSigner, NoteVerifier, ProofJson, SoftwareSigner};
use zhifa_server::{AppState, LedgerSettings, ServerConfig};
use zhifa_store::crypto::Sm4GcmCipher;
use zhifa_store::model::Actor;
use zhifa_store::testing::TestDb;
use zhifa_store::{ChangeRecord, Store, StoreOptions};

use crate::common::{Db, TOKEN};

const ORIGIN: &str = "zhifa.test/api";

struct LedgerApp {
    router: Router,
    store: Store,
    signer: SoftwareSigner,
    evidence: tempfile::TempDir,
    _db: TestDb,
}

async fn start(db: Db) -> LedgerApp {
    let guard = match db {
        Db::Sqlite => TestDb::sqlite(),
        Db::Postgres => TestDb::postgres("zhifa_srv").await.expect("postgres"),
    };
    let store = Store::connect(StoreOptions {
        url: guard.url().to_string(),
        max_connections: 4,
        cipher: Arc::new(Sm4GcmCipher::new([7; 16])),
    })
    .await
    .expect("connect");
    store.migrate().await.expect("migrate");
    let signer = SoftwareSigner::generate(KeyAlg::Sm2, ORIGIN).expect("key");
    let evidence = tempfile::tempdir().expect("dir");
    let config = ServerConfig {
        bind: SocketAddr::from(([127, 0, 0, 1], 0)),
        api_token: Some(TOKEN.to_string()),
        ledger: LedgerSettings {
            origin: ORIGIN.to_string(),
            verifier_keys: vec![signer.verifier().to_string()],
            evidence_dir: Some(evidence.path().to_path_buf()),
            max_evidence_bytes: 64,
        },
        ..ServerConfig::default()
    };
    let state = AppState {
        store: store.clone(),
        calendar: Arc::new(RwLock::new(LegalCalendar::builtin())),
        config: Arc::new(config),
    };
    let client: SocketAddr = "127.0.0.1:40000".parse().expect("address");
    LedgerApp {
        router: zhifa_server::router(state).layer(MockConnectInfo(client)),
        store,
        signer,
        evidence,
        _db: guard,
    }
}

impl LedgerApp {
    async fn send(&self, request: Request<Body>) -> (StatusCode, header::HeaderMap, Bytes) {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let (status, headers) = (response.status(), response.headers().clone());
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (status, headers, body)
    }

    async fn get(&self, path: &str, token: bool) -> (StatusCode, header::HeaderMap, Bytes) {
        let mut r = Request::get(path);
        if token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        }
        self.send(r.body(Body::empty()).expect("request")).await
    }

    async fn upload(&self, content: &'static [u8], token: bool) -> (StatusCode, serde_json::Value) {
        let mut r = Request::post("/api/v1/evidence")
            .header(header::CONTENT_TYPE, "image/jpeg")
            .header("x-file-name", "%E7%8E%B0%E5%9C%BA.jpg");
        if token {
            r = r.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        }
        let (status, _, body) = self
            .send(r.body(Body::from(content)).expect("request"))
            .await;
        (status, serde_json::from_slice(&body).unwrap_or_default())
    }
}

impl LedgerApp {
    /// Uploads `content` as the `file` field of a multipart form (as a browser sends it).
    async fn upload_form(&self, field: &str, content: &[u8]) -> (StatusCode, serde_json::Value) {
        let boundary = "zhifa-boundary-7MA4YWxkTrZu0gW";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n现场照片\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"询问录音.mp3\"\r\n\
             Content-Type: audio/mpeg\r\n\r\n"
        )
        .into_bytes();
        body.extend_from_slice(content);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let r = Request::post("/api/v1/evidence")
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
        let (status, _, body) = self.send(r.body(Body::from(body)).expect("request")).await;
        (status, serde_json::from_slice(&body).unwrap_or_default())
    }
}

fn json(body: &Bytes) -> serde_json::Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(body)))
}

async fn ledger_keys_checkpoint_and_proofs(db: Db) {
    let app = start(db).await;
    let (status, _, body) = app.get("/api/v1/ledger/keys", false).await;
    assert_eq!(status, StatusCode::OK);
    let keys = json(&body);
    assert_eq!(
        (keys["origin"].as_str(), keys["hash"].as_str()),
        (Some(ORIGIN), Some("sm3"))
    );
    let (status, _, _) = app.get("/api/v1/ledger/checkpoint", false).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no checkpoint yet");

    let records: Vec<ChangeRecord> = (0..6)
        .map(|i| ChangeRecord {
            entity: "subject".into(),
            entity_id: format!("s-{i}"),
            action: "create".into(),
            before: None,
            after: None,
        })
        .collect();
    app.store
        .record_changes(&records, &Actor::system("test"))
        .await
        .expect("changes");
    let signers: Vec<&(dyn NoteSigner + Send + Sync)> = vec![&app.signer];
    app.store
        .sign_checkpoint(ORIGIN, &signers)
        .await
        .expect("sign");

    let (status, headers, body) = app.get("/api/v1/ledger/checkpoint", false).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .expect("ct")
            .starts_with("text/plain")
    );
    let note = String::from_utf8(body.to_vec()).expect("utf-8");
    let key =
        zhifa_ledger::VerifierKey::parse(keys["keys"][0].as_str().expect("key")).expect("vkey");
    let (cp, _) =
        Checkpoint::parse_and_verify(&note, &[&key as &dyn NoteVerifier]).expect("signed");
    assert_eq!(cp.size(), 6);

    let (status, _, body) = app
        .get("/api/v1/ledger/proof/inclusion?leaf_index=4", false)
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let proof = ProofJson::parse(std::str::from_utf8(&body).expect("utf-8")).expect("bare proof");
    proof.verify().expect("verifies");
    let ProofJson::Inclusion(p) = proof else {
        panic!("inclusion expected")
    };
    cp.verify_inclusion(p.hash, &p.leaf_hash, 4, &p.proof)
        .expect("under the checkpoint");

    let (status, _, body) = app
        .get("/api/v1/ledger/proof/consistency?size1=3&size2=6", false)
        .await;
    assert_eq!(status, StatusCode::OK);
    let proof = ProofJson::parse(std::str::from_utf8(&body).expect("utf-8")).expect("bare proof");
    proof.verify().expect("verifies");

    let (status, _, body) = app
        .get(
            "/api/v1/ledger/proof/inclusion?leaf_index=1&tree_size=9",
            false,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        json(&body)["error"]["fields"][0]["code"],
        "ledger.tree_size"
    );
    let (status, _, _) = app
        .get("/api/v1/ledger/proof/consistency?size1=5&size2=2", false)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
on_both!(ledger_keys_checkpoint_and_proofs => ledger_api_sqlite, ledger_api_postgres);

async fn evidence_upload_and_download(db: Db) {
    let app = start(db).await;
    let (status, _) = app.upload(b"scene photo", false).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, e) = app.upload(b"scene photo", true).await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    assert_eq!(
        (e["size"].as_i64(), e["original_name"].as_str()),
        (Some(11), Some("现场.jpg"))
    );
    let sm3 = e["sm3"].as_str().expect("sm3").to_string();
    let (status, again) = app.upload(b"scene photo", true).await;
    assert_eq!(
        (status, &again["leaf_index"]),
        (StatusCode::OK, &e["leaf_index"])
    );
    let (status, too_big) = app.upload(&[b'x'; 65], true).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_big["error"]["code"], "evidence.too_large");

    let path = format!("/api/v1/evidence/{sm3}");
    let (status, headers, body) = app.get(&path, true).await;
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"scene photo"[..]));
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    let (status, _, _) = app
        .get(&format!("/api/v1/evidence/{}", "0".repeat(64)), true)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let file = app.evidence.path().join(&sm3[..2]).join(&sm3[2..]);
    std::fs::write(file, b"other photo").expect("edit on disk");
    let (status, _, body) = app.get(&path, true).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let err = json(&body);
    assert_eq!(err["error"]["code"], "evidence.tampered");
    assert!(
        err["error"]["message"]
            .as_str()
            .expect("msg")
            .contains("篡改")
    );
}
on_both!(evidence_upload_and_download => evidence_api_sqlite, evidence_api_postgres);

/// A browser form (multipart/form-data, field `file`) uploads the same way: streamed, hashed,
/// one ledger leaf, the same size limit; a form without the field is refused.
async fn evidence_upload_as_form(db: Db) {
    let app = start(db).await;
    let (status, e) = app.upload_form("file", b"audio bytes").await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    assert_eq!(
        (
            e["size"].as_i64(),
            e["original_name"].as_str(),
            e["media_type"].as_str()
        ),
        (Some(11), Some("询问录音.mp3"), Some("audio/mpeg"))
    );
    assert!(e["leaf_index"].as_i64().is_some());
    let sm3 = e["sm3"].as_str().expect("sm3");
    let (status, _, body) = app.get(&format!("/api/v1/evidence/{sm3}"), true).await;
    assert_eq!((status, &body[..]), (StatusCode::OK, &b"audio bytes"[..]));
    let (status, too_big) = app.upload_form("file", &[b'x'; 65]).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(too_big["error"]["code"], "evidence.too_large");
    let (status, missing) = app.upload_form("photo", b"audio bytes").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(missing["error"]["code"], "evidence.file_missing");
}
on_both!(evidence_upload_as_form => evidence_form_sqlite, evidence_form_postgres);
