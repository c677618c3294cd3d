//! Logging: `tracing` with an `EnvFilter` (RUST_LOG, default info), to stderr and, when a log
//! folder is given, to daily rolling files. Secrets are `Sensitive` and print as `<redacted>`.

use std::path::Path;

use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

/// Returns the file writer's guard; keep it alive for the process lifetime.
pub fn init(log_dir: Option<&Path>) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn"));
    let stderr = fmt::layer().with_writer(std::io::stderr).with_target(false);
    match log_dir.and_then(|d| std::fs::create_dir_all(d).ok().map(|_| d)) {
        Some(dir) => {
            let appender = tracing_appender::rolling::daily(dir, "lti-inspector.log");
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file = fmt::layer().with_writer(writer).with_ansi(false);
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .with(file)
                .try_init();
            Some(guard)
        }
        None => {
            let _ = tracing_subscriber::registry()
                .with(filter)
                .with(stderr)
                .try_init();
            None
        }
    }
}
