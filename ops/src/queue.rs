//! FIFO execution queues, one per key (PROTOCOL.md §3.4): a command takes its place when it is received and
//! runs when every earlier command with the same key has finished. Different keys never wait on each other.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use futures::channel::oneshot;

/// A queue key, e.g. `t|<session>|tab-5` (target), `d|<session>|tab-5` (dialog) or `s|<session>` (session).
pub type QueueKey = String;

#[derive(Default)]
struct KeyState {
    waiters: VecDeque<oneshot::Sender<()>>,
}

/// All queues. A key is present while a command holds it; its waiters follow in arrival order.
#[derive(Default)]
pub struct Queues {
    busy: HashMap<QueueKey, KeyState>,
}

/// A place in a queue, taken synchronously when the command arrives.
pub enum Ticket {
    /// The key was free: run now.
    Ready,
    /// Run when the previous holder hands over.
    Wait(oneshot::Receiver<()>),
}

impl Queues {
    /// Takes the next place in `key`'s queue.
    pub fn enqueue(&mut self, key: &str) -> Ticket {
        match self.busy.get_mut(key) {
            None => {
                self.busy.insert(key.to_string(), KeyState::default());
                Ticket::Ready
            }
            Some(state) => {
                let (tx, rx) = oneshot::channel();
                state.waiters.push_back(tx);
                Ticket::Wait(rx)
            }
        }
    }

    /// Hands `key` to its next live waiter, or frees it.
    fn release(&mut self, key: &str) {
        let Some(state) = self.busy.get_mut(key) else {
            return;
        };
        while let Some(tx) = state.waiters.pop_front() {
            if tx.send(()).is_ok() {
                return;
            }
        }
        self.busy.remove(key);
    }

    /// Number of keys currently held (for diagnostics and tests).
    pub fn busy_keys(&self) -> usize {
        self.busy.len()
    }
}

/// Holding a key; dropping it lets the next command with that key run.
pub struct Permit {
    queues: Rc<RefCell<Queues>>,
    key: QueueKey,
}

impl Drop for Permit {
    fn drop(&mut self) {
        self.queues.borrow_mut().release(&self.key);
    }
}

/// Waits for `ticket`'s turn in `key`'s queue and returns the permit.
pub async fn acquire(queues: Rc<RefCell<Queues>>, key: QueueKey, ticket: Ticket) -> Permit {
    if let Ticket::Wait(rx) = ticket {
        // A dropped sender only happens if the queue itself is gone; run rather than hang.
        let _ = rx.await;
    }
    Permit { queues, key }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::LocalPool;
    use futures::task::LocalSpawnExt;

    #[test]
    fn same_key_is_fifo_other_keys_do_not_wait() {
        let queues = Rc::new(RefCell::new(Queues::default()));
        let log = Rc::new(RefCell::new(Vec::new()));
        let mut pool = LocalPool::new();
        let (gate_tx, gate_rx) = oneshot::channel::<()>();
        let mut gate = Some(gate_rx);
        for (i, key) in ["a", "a", "b", "a"].into_iter().enumerate() {
            let ticket = queues.borrow_mut().enqueue(key);
            let (q, l) = (Rc::clone(&queues), Rc::clone(&log));
            let first_gate = if i == 0 { gate.take() } else { None };
            pool.spawner()
                .spawn_local(async move {
                    let _permit = acquire(q, key.to_string(), ticket).await;
                    if let Some(g) = first_gate {
                        let _ = g.await;
                    }
                    l.borrow_mut().push(i);
                })
                .unwrap();
        }
        pool.run_until_stalled();
        assert_eq!(
            *log.borrow(),
            vec![2],
            "b runs while a's first command blocks"
        );
        gate_tx.send(()).unwrap();
        pool.run_until_stalled();
        assert_eq!(*log.borrow(), vec![2, 0, 1, 3]);
        assert_eq!(queues.borrow().busy_keys(), 0);
    }
}
