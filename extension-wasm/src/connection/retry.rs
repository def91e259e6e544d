//! Reconnect scheduling: a jittered in-worker timer plus the `opendevbrowser-auto-connect` alarm as the
//! wake-up fallback when the worker was stopped, and the one-minute watchdog alarm (PROTOCOL.md §2.2).

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use super::{ensure, Background, Trigger};
use crate::backoff::alarm_delay_ms;
use crate::chrome::alarms;

/// Schedules the next attempt, unless the user disconnected.
pub fn schedule_retry(bg: &Rc<Background>) {
    let (delay_ms, alarm_ms) = {
        let mut st = bg.state.borrow_mut();
        if st.manual_off {
            return;
        }
        let delay = st.backoff.next_delay_ms(crate::js::random_unit());
        let alarm = alarm_delay_ms(st.alarm_attempt);
        st.alarm_attempt = st.alarm_attempt.saturating_add(1);
        (delay, alarm)
    };
    let again = Rc::clone(bg);
    let timer = gloo_timers::callback::Timeout::new(delay_ms, move || {
        spawn_local(ensure(again, Trigger::Retry));
    });
    bg.state.borrow_mut().retry_timer = Some(timer);
    log!("retry in {delay_ms} ms (alarm fallback in {alarm_ms} ms)");
    spawn_local(async move {
        if let Err(e) = alarms::create_once(alarms::RETRY, alarm_ms).await {
            warn!("retry alarm failed: {e}");
        }
        ensure_watchdog_now().await;
    });
}

async fn ensure_watchdog_now() {
    if let Err(e) = alarms::ensure_periodic(alarms::WATCHDOG, 1.0).await {
        warn!("watchdog alarm failed: {e}");
    }
}

/// Creates the watchdog alarm if missing.
pub fn ensure_watchdog() {
    spawn_local(ensure_watchdog_now());
}

/// Connected: the retry alarm is no longer needed; the watchdog stays.
pub fn on_connected() {
    spawn_local(async {
        if let Err(e) = alarms::clear(alarms::RETRY).await {
            warn!("clearing the retry alarm failed: {e}");
        }
        ensure_watchdog_now().await;
    });
}

/// `autoConnect` off or a user disconnect: clear both alarms.
pub fn stop_alarms() {
    spawn_local(async {
        for name in [alarms::RETRY, alarms::WATCHDOG] {
            if let Err(e) = alarms::clear(name).await {
                warn!("clearing alarm {name} failed: {e}");
            }
        }
    });
}
