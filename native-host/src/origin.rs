//! The caller-origin check (SECURITY.md §2 rule 1, checklist E1): Chrome passes
//! `chrome-extension://<id>/` as `argv[1]`; only our extension's id, or an id the user installed the host
//! for (`opendevbrowser native install <id>` writes it to [`crate::paths::ALLOWED_IDS_FILE`]), may start us.

use std::path::Path;

use odb_protocol::limits::EXTENSION_ID;

use crate::paths::ALLOWED_IDS_FILE;

/// Whether `id` has the shape of an extension id: 32 letters `a`..=`p` (PROTOCOL.md §5).
pub fn is_extension_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| (b'a'..=b'p').contains(&b))
}

/// The ids allowed to start the host: ours, plus well-formed lines of `<dir>/allowed-extension-ids`.
pub fn allowed_ids(dir: Option<&Path>) -> Vec<String> {
    let mut ids = vec![EXTENSION_ID.to_string()];
    let extra = dir
        .and_then(|d| std::fs::read_to_string(d.join(ALLOWED_IDS_FILE)).ok())
        .unwrap_or_default();
    ids.extend(
        extra
            .lines()
            .map(str::trim)
            .filter(|l| is_extension_id(l))
            .map(str::to_string),
    );
    ids
}

/// The extension id in `origin` when it is exactly `chrome-extension://<id>/` with an allowed id.
pub fn check<'a>(origin: &'a str, allowed: &[String]) -> Option<&'a str> {
    let id = origin
        .strip_prefix("chrome-extension://")?
        .strip_suffix('/')?;
    (is_extension_id(id) && allowed.iter().any(|a| a == id)).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exact_allowed_origins_pass() {
        let allowed = allowed_ids(None);
        let ours = format!("chrome-extension://{EXTENSION_ID}/");
        assert_eq!(check(&ours, &allowed), Some(EXTENSION_ID));
        for bad in [
            "",
            EXTENSION_ID,
            &format!("chrome-extension://{EXTENSION_ID}"),
            &format!("chrome-extension://{EXTENSION_ID}//"),
            &format!("https://{EXTENSION_ID}/"),
            "chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/",
            &format!("chrome-extension://{}/", EXTENSION_ID.to_uppercase()),
        ] {
            assert_eq!(check(bad, &allowed), None, "{bad:?}");
        }
    }

    #[test]
    fn installed_ids_are_read_and_malformed_lines_ignored() {
        let dir = std::env::temp_dir().join(format!("odb-origin-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(ALLOWED_IDS_FILE),
            "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\nzzzz\n*\n",
        )
        .unwrap();
        let allowed = allowed_ids(Some(&dir));
        assert_eq!(allowed.len(), 2);
        assert!(check(
            "chrome-extension://bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/",
            &allowed
        )
        .is_some());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
