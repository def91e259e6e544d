// OpenDevBrowser Relay: service-worker shim. All logic lives in wasm (extension-wasm).
// Rules (spec/BUILD.md): static import only (no dynamic import, no top-level await); every chrome.*
// listener is registered synchronously here, and events are queued until wasm is ready.
import init, * as wasm from './pkg/odb_extension.js';

let ready = false;
const pending = [];

function dispatch(name, args) {
  if (!ready) {
    pending.push([name, args]);
    return;
  }
  try {
    wasm.on_event(name, args);
  } catch (err) {
    console.error('[odb] event handler failed', name, err);
  }
}

const forward = (name) => (...args) => dispatch(name, args);

chrome.runtime.onInstalled.addListener(forward('runtime.onInstalled'));
chrome.runtime.onStartup.addListener(forward('runtime.onStartup'));
chrome.runtime.onConnect.addListener(forward('runtime.onConnect'));
chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const reply = (value) => {
    try {
      sendResponse(value);
    } catch (_) {
      // The sender went away (popup closed).
    }
  };
  dispatch('runtime.onMessage', [message, sender, reply]);
  return true; // the reply comes asynchronously from wasm
});
chrome.alarms.onAlarm.addListener(forward('alarms.onAlarm'));
chrome.debugger.onEvent.addListener(forward('debugger.onEvent'));
chrome.debugger.onDetach.addListener(forward('debugger.onDetach'));
chrome.tabs.onRemoved.addListener(forward('tabs.onRemoved'));
chrome.tabs.onUpdated.addListener(forward('tabs.onUpdated'));
chrome.tabs.onCreated.addListener(forward('tabs.onCreated'));
chrome.tabs.onActivated.addListener(forward('tabs.onActivated'));
chrome.webNavigation.onCreatedNavigationTarget.addListener(
  forward('webNavigation.onCreatedNavigationTarget'),
);
chrome.storage.onChanged.addListener(forward('storage.onChanged'));
chrome.commands.onCommand.addListener(forward('commands.onCommand'));

const started = performance.now();
init({ module_or_path: chrome.runtime.getURL('pkg/odb_extension_bg.wasm') })
  .then(() => {
    console.log(`[odb] wasm ready in ${Math.round(performance.now() - started)} ms`);
    wasm.start_background();
    ready = true;
    for (const [name, args] of pending.splice(0)) dispatch(name, args);
  })
  .catch((err) => console.error('[odb] wasm init failed', err));
