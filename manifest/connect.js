// OpenDevBrowser Relay: connect page bootstrap (connect.html?relayPort=N&discoveryPort=N).
// The logic lives in wasm (extension-wasm/src/connect_page.rs).
import init, * as wasm from './pkg/odb_extension.js';

init({ module_or_path: chrome.runtime.getURL('pkg/odb_extension_bg.wasm') })
  .then(() => wasm.start_connect_page())
  .catch((err) => {
    console.error('[odb] wasm init failed', err);
    document.getElementById('message').textContent = `Extension failed to load: ${err}`;
  });
