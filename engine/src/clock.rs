//! Virtual time: waits and retry back-off register a wake-up time instead of sleeping, and the execution's driver
//! moves the clock to the earliest wake-up whenever everything left is waiting on the clock (no task is running real
//! work). Parallel branches and Map iterations therefore interleave exactly as their times say: a branch that fails
//! after a 10-second back-off still lets a sibling with a 2-second wait run first, as on AWS, and a failing branch
//! stops its siblings at the time it fails.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// The simulated clock of one execution.
#[derive(Default)]
pub(crate) struct VirtualClock {
    now: Mutex<Duration>,
    /// Wake-ups by (time, registration number).
    timers: Mutex<BTreeMap<(Duration, u64), Waker>>,
    next_id: AtomicU64,
    /// Task invocations in progress: real work the clock must not run ahead of.
    busy: AtomicUsize,
}

impl VirtualClock {
    /// Time since the execution started.
    pub fn now(&self) -> Duration {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A future that completes when the clock reaches `now() + duration`.
    pub fn sleep(self: &Arc<Self>, duration: Duration) -> VirtualSleep {
        VirtualSleep {
            clock: self.clone(),
            // Saturating: no wait moves the clock past a thousand times the largest time a definition can name.
            until: self
                .now()
                .saturating_add(duration.min(stepfn_asl::limits::max_duration()))
                .min(1000 * stepfn_asl::limits::max_duration()),
            key: None,
        }
    }

    /// Marks real work (a task invocation) in progress until the guard drops.
    pub fn busy(self: &Arc<Self>) -> BusyGuard {
        self.busy.fetch_add(1, Ordering::SeqCst);
        BusyGuard(self.clone())
    }

    /// Drives `future` on this clock: when it is pending only on the clock, the clock jumps to the next wake-up.
    pub async fn drive<F: Future>(self: &Arc<Self>, future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        std::future::poll_fn(move |cx| loop {
            if let Poll::Ready(output) = future.as_mut().poll(cx) {
                return Poll::Ready(output);
            }
            if self.busy.load(Ordering::SeqCst) > 0 || !self.advance() {
                return Poll::Pending;
            }
        })
        .await
    }

    /// Moves the clock to the earliest wake-up and wakes every sleeper due then; `false` if none is waiting.
    fn advance(&self) -> bool {
        let due: Vec<Waker> = {
            let mut timers = self.timers.lock().unwrap_or_else(|e| e.into_inner());
            let Some(&(at, _)) = timers.keys().next() else {
                return false;
            };
            let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
            *now = (*now).max(at);
            let later = timers.split_off(&(at, u64::MAX));
            std::mem::replace(&mut *timers, later)
                .into_values()
                .collect()
        };
        due.into_iter().for_each(Waker::wake);
        true
    }
}

/// Real work in progress (see [`VirtualClock::busy`]).
pub(crate) struct BusyGuard(Arc<VirtualClock>);

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// See [`VirtualClock::sleep`].
pub(crate) struct VirtualSleep {
    clock: Arc<VirtualClock>,
    until: Duration,
    key: Option<(Duration, u64)>,
}

impl Future for VirtualSleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.clock.now() >= self.until {
            return Poll::Ready(());
        }
        let key = match self.key {
            Some(key) => key,
            None => {
                let key = (
                    self.until,
                    self.clock.next_id.fetch_add(1, Ordering::SeqCst),
                );
                self.key = Some(key);
                key
            }
        };
        let mut timers = self.clock.timers.lock().unwrap_or_else(|e| e.into_inner());
        timers.insert(key, cx.waker().clone());
        Poll::Pending
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        if let Some(key) = self.key {
            let mut timers = self.clock.timers.lock().unwrap_or_else(|e| e.into_inner());
            timers.remove(&key);
        }
    }
}
