//! Counts live tasks so shutdown can wait for sockets to finish their close handshakes.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

/// A counter of live tasks; each holds a [`TaskGuard`] while it runs.
#[derive(Clone, Default)]
pub(crate) struct TaskCounter(Arc<Inner>);

#[derive(Default)]
struct Inner {
    live: AtomicUsize,
    idle: Notify,
}

/// Decrements the counter when dropped.
pub(crate) struct TaskGuard(Arc<Inner>);

impl TaskCounter {
    /// Registers one live task.
    pub(crate) fn enter(&self) -> TaskGuard {
        self.0.live.fetch_add(1, Ordering::SeqCst);
        TaskGuard(self.0.clone())
    }

    /// Number of live tasks.
    pub(crate) fn live(&self) -> usize {
        self.0.live.load(Ordering::SeqCst)
    }

    /// Waits until no task is live, or `limit` passes. True when idle.
    pub(crate) async fn wait_idle(&self, limit: Duration) -> bool {
        let wait = async {
            loop {
                let notified = self.0.idle.notified();
                if self.live() == 0 {
                    return;
                }
                notified.await;
            }
        };
        tokio::time::timeout(limit, wait).await.is_ok()
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        if self.0.live.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_guards() {
        let c = TaskCounter::default();
        let g = c.enter();
        assert!(!c.wait_idle(Duration::from_millis(20)).await);
        let c2 = c.clone();
        let h = tokio::spawn(async move { c2.wait_idle(Duration::from_secs(5)).await });
        tokio::time::sleep(Duration::from_millis(10)).await;
        drop(g);
        assert!(h.await.unwrap());
        assert_eq!(c.live(), 0);
    }
}
