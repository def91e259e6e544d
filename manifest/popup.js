// OpenDevBrowser Relay: popup bootstrap. The popup's logic lives in wasm (extension-wasm/src/popup.rs).
import init, * as wasm from './pkg/odb_extension.js';

init({ module_or_path: chrome.runtime.getURL('pkg/odb_extension_bg.wasm') })
  .then(() => wasm.start_popup())
  .catch((err) => {
    console.error('[odb] wasm init failed', err);
    document.getElementById('note').textContent = `Extension failed to load: ${err}`;
  });
