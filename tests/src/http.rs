//! Plain HTTP requests a local process could make against the relay (what SECURITY.md checklist A asks
//! about), through reqwest.

/// `POST /pair` on the relay at 127.0.0.1:`port` with `Origin: origin` (a local process can send any Origin):
/// the status code and the body text.
///
/// # Panics
/// When the request cannot be sent (nothing listens on `port`).
pub fn post_pair(port: u16, origin: &str) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let resp = reqwest::Client::new()
            .post(format!("http://127.0.0.1:{port}/pair"))
            .header("Origin", origin)
            .send()
            .await
            .expect("POST /pair sent");
        let status = resp.status().as_u16();
        (status, resp.text().await.unwrap_or_default())
    })
}
