//! Native messaging names shared by the extension, the native host, the relay's native bridge and the daemon
//! (docs/NATIVE.md): the pairing messages the host answers itself, and the files of the per-user native
//! directory.
//!
//! ```text
//! extension -> host: {"type":"pair_request","id"}
//! host -> extension: {"type":"pair","id","relayPort","pairingToken","instanceId","epoch"?}
//!                  | {"type":"error","id","code":"pairing_unavailable","message"}
//! ```

/// `type` of the extension's request for the relay's pairing facts.
pub const PAIR_REQUEST: &str = "pair_request";
/// `type` of the host's answer carrying the facts.
pub const PAIR_REPLY: &str = "pair";
/// Error `code` of the host's answer when it has no trusted pairing facts.
pub const PAIRING_UNAVAILABLE: &str = "pairing_unavailable";

/// The relay bridge's Unix socket in the native directory (the host dials it).
pub const SOCKET_FILE: &str = "relay.sock";
/// The bridge's 0600 token file in the native directory (the host sends it in `auth`).
pub const TOKEN_FILE: &str = "relay.token";
/// The daemon's 0600 pairing facts in the native directory (`{"relayPort","pairingToken","instanceId","epoch"}`),
/// read by the host to answer [`PAIR_REQUEST`].
pub const PAIRING_FILE: &str = "relay.pairing.json";
