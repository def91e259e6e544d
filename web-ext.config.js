// web-ext configuration for developers: `npx web-ext run` after `scripts/build-extension.sh`.
// Runs Debian's Chromium headless with the built extension loaded. CI does not use web-ext.
module.exports = {
  sourceDir: 'dist/extension',
  artifactsDir: 'dist/web-ext-artifacts',
  run: {
    target: ['chromium'],
    chromiumBinary: '/usr/lib/chromium/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    startUrl: ['about:blank'],
  },
};
