//! The real server: `Application::build` binds a free port, `run` serves over TCP with the
//! client address and ends gracefully on the shutdown signal.

use std::sync::{Arc, RwLock};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use zhifa_domain::calendar::LegalCalendar;
use zhifa_server::{AppState, Application, ServerConfig};

use crate::common::{Db, TOKEN, TestApp};
use crate::fixtures::subject_input;

/// Sends one HTTP/1.1 request and returns the whole response text.
async fn http(addr: std::net::SocketAddr, request: String) -> String {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("read");
    String::from_utf8_lossy(&response).into_owned()
}

async fn serves_over_tcp_and_shuts_down(db: Db) {
    let test = TestApp::start(db).await;
    let config = ServerConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        api_token: Some(TOKEN.to_string()),
        ..ServerConfig::default()
    };
    let state = AppState {
        store: test.store.clone(),
        calendar: Arc::new(RwLock::new(LegalCalendar::builtin())),
        config: Arc::new(config),
    };
    let app = Application::build(state).await.expect("bind");
    let addr = app.local_addr();
    assert_ne!(addr.port(), 0);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async {
        let _ = stopped.await;
    }));

    let health = http(
        addr,
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".into(),
    )
    .await;
    assert!(health.starts_with("HTTP/1.1 200"), "{health}");
    assert!(health.contains(r#"{"status":"ok"}"#));

    let body = subject_input("经由 TCP 创建的主体", 1).to_string();
    let request = format!(
        "POST /api/v1/subjects HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let created = http(addr, request).await;
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let log = test.get("/api/v1/changes?entity=subject").await.json();
    assert_eq!(
        log["items"][0]["ip"], "127.0.0.1",
        "client address from the connection"
    );

    stop.send(()).expect("server running");
    server.await.expect("join").expect("graceful shutdown");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "listener closed after shutdown"
    );
}
on_both!(serves_over_tcp_and_shuts_down => serves_over_tcp_and_shuts_down_sqlite, serves_over_tcp_and_shuts_down_postgres);

#[test]
fn config_debug_hides_the_token() {
    let config = ServerConfig {
        api_token: Some("s3cret-token".into()),
        ..ServerConfig::default()
    };
    let shown = format!("{config:?}");
    assert!(!shown.contains("s3cret-token"), "{shown}");
    assert!(shown.contains("<hidden>"));
    assert_eq!(config.max_body_bytes, 1024 * 1024);
}
