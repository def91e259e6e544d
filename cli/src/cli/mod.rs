//! The `opendevbrowser` command line (clap derive): global flags, the command list, exit-code mapping and
//! output rendering (CLI.md). One file per command family:
//!
//! - [`daemon_cmds`]: `serve`, `status`.
//! - [`session_cmds`]: `launch`, `connect`, `disconnect`.
//! - [`page_cmds`]: `goto`, `wait`, `snapshot`, `review`, `click`, `type`, `press`, `dom-text`.
//! - [`interact_cmds`]: `hover`, `check`, `uncheck`, `select`, `scroll`, `scroll-into-view`, `upload`.
//! - [`pointer_cmds`]: `pointer-move`, `pointer-down`, `pointer-up`, `pointer-drag`.
//! - [`dom_cmds`]: `dom-html`, `dom-attr`, `dom-value`, `dom-visible`, `dom-enabled`, `dom-checked`.
//! - [`capture_cmds`]: the `screenshot` command.
//! - [`target_cmds`]: `targets-list`, `target-use`, `target-new`, `target-close`.
//! - [`named_page_cmds`]: `page`, `pages`, `page-close`.
//! - [`diag_cmds`]: `dialog`, `console-poll`, `network-poll`, `perf`.
//! - [`cookie_cmds`]: `cookie-import`, `cookie-list`.
//! - [`export_cmds`]: `clone-page`, `clone-component`.
//! - [`rpc_cmds`]: `rpc`, any `/ops` command by its wire name (power users).
//! - [`run_cmds`]: `run --script`, steps in one process without a daemon (managed mode).
//!
//! Flags a command cannot check alone (files that must exist, JSON that must be an object, conflicting
//! values) are checked before the daemon is contacted, so they exit 1 even when no daemon runs.
//!
//! Exit codes: 0 ok, 1 usage (clap errors included; `--help`/`--version` exit 0), 2 execution, 10 no daemon.

pub mod args;
pub mod capture_cmds;
pub mod cookie_cmds;
pub mod daemon_cmds;
pub mod diag_cmds;
pub mod dom_cmds;
pub mod export_cmds;
pub mod interact_cmds;
pub mod named_page_cmds;
pub mod page_cmds;
pub mod pointer_cmds;
pub mod rpc_cmds;
pub mod run_cmds;
pub mod session_cmds;
pub mod target_cmds;

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::client::DaemonClient;
use crate::config;
use crate::exit::{self, CliError};
use crate::output::{render_error, render_success, Outcome, OutputFormat};
use odb_protocol::http::ExtensionTransport;

/// `opendevbrowser`: drive Chrome through the OpenDevBrowser Relay extension.
#[derive(Debug, Parser)]
#[command(name = "opendevbrowser", version, about, propagate_version = true)]
pub struct Cli {
    /// Output format: text (default), json (one object) or stream-json (one object per line).
    #[arg(long = "output-format", global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output_format: OutputFormat,
    /// Suppress non-essential output (errors still print).
    #[arg(long, global = true)]
    pub quiet: bool,
    /// Never prompt (fail fast and print the alternatives instead).
    #[arg(long = "no-interactive", visible_alias = "no-prompt", global = true)]
    pub no_interactive: bool,
    /// The extension link to use: `relay` (the WebSocket) or `native` (native messaging); default: the one the
    /// extension is on. Session commands fail if the extension is linked the other way; `status --transport
    /// native` reports the native host (installed, reachable, paired).
    #[arg(long, global = true, value_enum)]
    pub transport: Option<args::TransportArg>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Every command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the daemon (and its relay) in the foreground; `--stop` stops a running one.
    Serve(daemon_cmds::ServeArgs),
    /// Daemon and relay status, or a session's status with `--session-id`.
    Status(daemon_cmds::StatusArgs),
    /// Native messaging host: `install [<extension-id>] [--browser ...]`, `uninstall`, `status`.
    Native(crate::native::cmds::NativeArgs),
    /// Start a session in the browser through the extension.
    Launch(session_cmds::LaunchArgs),
    /// Attach to a browser: a relay URL goes through the extension.
    Connect(session_cmds::ConnectArgs),
    /// End a session.
    Disconnect(session_cmds::DisconnectArgs),
    /// Navigate the target to a URL.
    Goto(page_cmds::GotoArgs),
    /// Wait for the page load, or for an element state.
    Wait(page_cmds::WaitArgs),
    /// Print the accessibility snapshot with refs.
    Snapshot(page_cmds::SnapshotArgs),
    /// Print a status summary (url, title, open dialog) and the actionables.
    Review(page_cmds::ReviewArgs),
    /// Click an element by ref.
    Click(page_cmds::ClickArgs),
    /// Type text into an element by ref.
    Type(page_cmds::TypeArgs),
    /// Press a key, optionally focused on a ref.
    Press(page_cmds::PressArgs),
    /// Hover an element by ref (synthetic mouse events).
    Hover(interact_cmds::RefArgs),
    /// Check a checkbox or radio by ref.
    Check(interact_cmds::RefArgs),
    /// Uncheck a checkbox by ref.
    Uncheck(interact_cmds::RefArgs),
    /// Select options of a `<select>` by value.
    Select(interact_cmds::SelectArgs),
    /// Scroll the page, or an element, vertically.
    Scroll(interact_cmds::ScrollArgs),
    /// Scroll an element into view.
    ScrollIntoView(interact_cmds::RefArgs),
    /// Upload files to a file input, or to the file chooser an element opens.
    Upload(interact_cmds::UploadArgs),
    /// Move the mouse to viewport coordinates.
    PointerMove(pointer_cmds::PointerMoveArgs),
    /// Press a mouse button at viewport coordinates.
    PointerDown(pointer_cmds::PointerButtonArgs),
    /// Release a mouse button at viewport coordinates.
    PointerUp(pointer_cmds::PointerButtonArgs),
    /// Drag with the left button between two viewport coordinates.
    PointerDrag(pointer_cmds::PointerDragArgs),
    /// Print an element's outerHTML.
    DomHtml(dom_cmds::DomHtmlArgs),
    /// Print an element's text.
    DomText(page_cmds::DomTextArgs),
    /// Print an element attribute's value (or `null`).
    DomAttr(dom_cmds::DomAttrArgs),
    /// Print a form element's value (or `null`).
    DomValue(interact_cmds::RefArgs),
    /// Print whether an element is visible (`true`/`false`).
    DomVisible(interact_cmds::RefArgs),
    /// Print whether an element is enabled (`true`/`false`).
    DomEnabled(interact_cmds::RefArgs),
    /// Print whether an element is checked (`true`/`false`).
    DomChecked(interact_cmds::RefArgs),
    /// Capture a PNG of the viewport, the full page or one element.
    Screenshot(capture_cmds::ScreenshotArgs),
    /// List the session's targets.
    TargetsList(target_cmds::TargetsListArgs),
    /// Make a target the active one.
    TargetUse(target_cmds::TargetUseArgs),
    /// Open a new target (tab).
    TargetNew(target_cmds::TargetNewArgs),
    /// Close a target.
    TargetClose(target_cmds::TargetCloseArgs),
    /// Open (or find) a named page.
    Page(named_page_cmds::PageArgs),
    /// List the named pages.
    Pages(named_page_cmds::PagesArgs),
    /// Close a named page.
    PageClose(named_page_cmds::PageCloseArgs),
    /// Show, accept or dismiss the open JavaScript dialog.
    Dialog(diag_cmds::DialogArgs),
    /// Print console messages since a sequence number.
    ConsolePoll(diag_cmds::PollArgs),
    /// Print network requests since a sequence number.
    NetworkPoll(diag_cmds::PollArgs),
    /// Print the page's performance metrics.
    Perf(diag_cmds::PerfArgs),
    /// Import cookies from a JSON file.
    CookieImport(cookie_cmds::CookieImportArgs),
    /// List cookies, optionally for given URLs.
    CookieList(cookie_cmds::CookieListArgs),
    /// Export the page's HTML and styles.
    ClonePage(export_cmds::ClonePageArgs),
    /// Export one element's HTML and styles by ref.
    CloneComponent(interact_cmds::RefArgs),
    /// Send any `/ops` command by its wire name (power users).
    Rpc(rpc_cmds::RpcArgs),
    /// Run a JSON script of steps in one process, without a daemon (managed browser).
    Run(run_cmds::RunArgs),
}

/// What every command gets besides its own flags.
#[derive(Clone, Debug)]
pub struct Ctx {
    /// The config directory.
    pub dir: PathBuf,
    /// `--output-format`.
    pub format: OutputFormat,
    /// `--quiet`.
    pub quiet: bool,
    /// `--no-interactive`.
    pub no_interactive: bool,
    /// `--transport` (`None` = either link).
    pub transport: Option<ExtensionTransport>,
}

impl Ctx {
    /// The daemon client (exit 10 when no daemon was ever configured).
    ///
    /// # Errors
    /// See [`DaemonClient::locate`].
    pub fn client(&self) -> Result<DaemonClient, CliError> {
        let mut client = DaemonClient::locate(&self.dir)?;
        client.transport = self.transport;
        Ok(client)
    }
}

/// Parses `argv`, runs the command, prints its output and returns the process exit code.
pub fn run<I, T>(argv: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => return usage_exit(&e),
    };
    let dir = match config::config_dir() {
        Ok(dir) => dir,
        Err(e) => {
            return finish(
                Err(CliError::execution(e.to_string())),
                cli.output_format,
                cli.quiet,
            )
        }
    };
    let ctx = Ctx {
        dir,
        format: cli.output_format,
        quiet: cli.quiet,
        no_interactive: cli.no_interactive,
        transport: cli.transport.map(ExtensionTransport::from),
    };
    if let Some(refused) = transport_refused(&cli.command, cli.transport) {
        return finish(Err(refused), ctx.format, ctx.quiet);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return finish(
                Err(CliError::execution(format!("tokio: {e}"))),
                ctx.format,
                ctx.quiet,
            )
        }
    };
    let result = runtime.block_on(dispatch(cli.command, &ctx));
    // Do not wait for lingering tasks (e.g. idle HTTP connections) at exit.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    finish(result, ctx.format, ctx.quiet)
}

/// Maps a clap error to an exit code: help and version print and exit 0; anything else is a usage error (1).
pub fn usage_exit(e: &clap::Error) -> i32 {
    use clap::error::ErrorKind;
    let _ = e.print();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => exit::OK,
        _ => exit::USAGE,
    }
}

async fn dispatch(command: Command, ctx: &Ctx) -> Result<Outcome, CliError> {
    match command {
        Command::Serve(a) => daemon_cmds::serve(a, ctx).await,
        Command::Status(a) => daemon_cmds::status(a, ctx).await,
        Command::Native(a) => crate::native::cmds::run(a),
        Command::Launch(a) => session_cmds::launch(a, ctx).await,
        Command::Connect(a) => session_cmds::connect(a, ctx).await,
        Command::Disconnect(a) => session_cmds::disconnect(a, ctx).await,
        Command::Goto(a) => page_cmds::goto(a, ctx).await,
        Command::Wait(a) => page_cmds::wait(a, ctx).await,
        Command::Snapshot(a) => page_cmds::snapshot(a, ctx).await,
        Command::Review(a) => page_cmds::review(a, ctx).await,
        Command::Click(a) => page_cmds::click(a, ctx).await,
        Command::Type(a) => page_cmds::type_text(a, ctx).await,
        Command::Press(a) => page_cmds::press(a, ctx).await,
        Command::Hover(a) => interact_cmds::send(interact_cmds::hover(&a), ctx).await,
        Command::Check(a) => interact_cmds::send(interact_cmds::check(&a), ctx).await,
        Command::Uncheck(a) => interact_cmds::send(interact_cmds::uncheck(&a), ctx).await,
        Command::Select(a) => interact_cmds::send(interact_cmds::select(&a), ctx).await,
        Command::Scroll(a) => interact_cmds::send(interact_cmds::scroll(&a), ctx).await,
        Command::ScrollIntoView(a) => {
            interact_cmds::send(interact_cmds::scroll_into_view(&a), ctx).await
        }
        Command::Upload(a) => {
            interact_cmds::send(interact_cmds::upload(&a, &current_dir()?)?, ctx).await
        }
        Command::PointerMove(a) => interact_cmds::send(pointer_cmds::pointer_move(&a), ctx).await,
        Command::PointerDown(a) => interact_cmds::send(pointer_cmds::pointer_down(&a), ctx).await,
        Command::PointerUp(a) => interact_cmds::send(pointer_cmds::pointer_up(&a), ctx).await,
        Command::PointerDrag(a) => interact_cmds::send(pointer_cmds::pointer_drag(&a), ctx).await,
        Command::DomHtml(a) => dom_cmds::send_html(dom_cmds::html(&a), ctx).await,
        Command::DomText(a) => page_cmds::dom_text(a, ctx).await,
        Command::DomAttr(a) => dom_cmds::send_value(dom_cmds::attr(&a), ctx).await,
        Command::DomValue(a) => dom_cmds::send_value(dom_cmds::value(&a), ctx).await,
        Command::DomVisible(a) => dom_cmds::send_value(dom_cmds::visible(&a), ctx).await,
        Command::DomEnabled(a) => dom_cmds::send_value(dom_cmds::enabled(&a), ctx).await,
        Command::DomChecked(a) => dom_cmds::send_value(dom_cmds::checked(&a), ctx).await,
        Command::Screenshot(a) => capture_cmds::screenshot(a, ctx).await,
        Command::TargetsList(a) => target_cmds::list(a, ctx).await,
        Command::TargetUse(a) => target_cmds::use_target(a, ctx).await,
        Command::TargetNew(a) => target_cmds::new_target(a, ctx).await,
        Command::TargetClose(a) => target_cmds::close(a, ctx).await,
        Command::Page(a) => named_page_cmds::send_open(named_page_cmds::open(&a), ctx).await,
        Command::Pages(a) => named_page_cmds::send_list(named_page_cmds::list(&a), ctx).await,
        Command::PageClose(a) => interact_cmds::send(named_page_cmds::close(&a), ctx).await,
        Command::Dialog(a) => diag_cmds::send_dialog(diag_cmds::dialog(&a)?, ctx).await,
        Command::ConsolePoll(a) => {
            diag_cmds::send_poll(diag_cmds::console_poll(&a), diag_cmds::console_text, ctx).await
        }
        Command::NetworkPoll(a) => {
            diag_cmds::send_poll(diag_cmds::network_poll(&a), diag_cmds::network_text, ctx).await
        }
        Command::Perf(a) => diag_cmds::send_perf(diag_cmds::perf(&a), ctx).await,
        Command::CookieImport(a) => cookie_cmds::send_import(cookie_cmds::import(&a)?, ctx).await,
        Command::CookieList(a) => cookie_cmds::send_list(cookie_cmds::list(&a), ctx).await,
        Command::ClonePage(a) => export_cmds::send(export_cmds::clone_page(&a), ctx).await,
        Command::CloneComponent(a) => {
            export_cmds::send(export_cmds::clone_component(&a), ctx).await
        }
        Command::Rpc(a) => rpc_cmds::rpc(a, ctx).await,
        Command::Run(a) => run_cmds::run(a, ctx).await,
    }
}

/// `--transport` on a command that has no extension link to pick: a usage error (exit 1).
fn transport_refused(command: &Command, transport: Option<args::TransportArg>) -> Option<CliError> {
    transport?;
    let name = match command {
        Command::Serve(_) => "serve (the daemon serves both links at once)",
        Command::Native(_) => "native (use: opendevbrowser status --transport native)",
        Command::Run(_) => "run (it drives a managed browser over CDP, without the extension)",
        _ => return None,
    };
    Some(CliError::usage(format!(
        "--transport does not apply to {name}"
    )))
}

/// The working directory `upload` resolves relative paths against.
fn current_dir() -> Result<PathBuf, CliError> {
    std::env::current_dir()
        .map_err(|e| CliError::execution(format!("cannot read the current directory: {e}")))
}

fn finish(result: Result<Outcome, CliError>, format: OutputFormat, quiet: bool) -> i32 {
    match result {
        Ok(outcome) => {
            let text = render_success(&outcome, format, quiet);
            if !text.is_empty() {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{text}");
                let _ = out.flush();
            }
            exit::OK
        }
        Err(err) => {
            let (out, errtext) = render_error(&err, format);
            if !out.is_empty() {
                println!("{out}");
            }
            if !errtext.is_empty() {
                eprintln!("{errtext}");
            }
            err.exit_code
        }
    }
}

#[cfg(test)]
#[path = "mod_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "element_cmds_tests.rs"]
mod element_cmds_tests;

#[cfg(test)]
#[path = "more_cmds_tests.rs"]
mod more_cmds_tests;
#[cfg(test)]
#[path = "page_diag_cmds_tests.rs"]
mod page_diag_cmds_tests;

#[cfg(test)]
#[path = "more_cmds_text_tests.rs"]
mod more_cmds_text_tests;
