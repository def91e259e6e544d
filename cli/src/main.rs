//! The `opendevbrowser` binary: see [`opendevbrowser::cli`].

fn main() {
    std::process::exit(opendevbrowser::cli::run(std::env::args_os()));
}
