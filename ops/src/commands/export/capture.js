function (opts) {
  // `export.clonePage` / `export.cloneComponent` (PROTOCOL.md §3.5); `this` is the root element. The shaping
  // rules are documented in export.rs. Returns {html, styles, warnings, inlineStyles}.
  const root = this;
  const doc = root.ownerDocument;
  const view = doc.defaultView;
  const warnings = [];
  const sanitize = opts.sanitize !== false;
  const inline = opts.inlineStyles !== false;
  const maxNodes = Math.max(1, Math.floor(Number(opts.maxNodes) || 1000));
  const allowlist = (opts.styleAllowlist || []).map((p) => String(p).trim().toLowerCase()).filter(Boolean);
  const skipValues = new Set((opts.skipStyleValues || []).map((v) => String(v).trim()));
  const INHERITED = new Set([
    'border-collapse', 'border-spacing', 'caption-side', 'caret-color', 'color', 'color-scheme', 'cursor',
    'direction', 'empty-cells', 'fill', 'fill-opacity', 'fill-rule', 'font-family', 'font-feature-settings',
    'font-kerning', 'font-optical-sizing', 'font-size', 'font-size-adjust', 'font-stretch', 'font-style',
    'font-synthesis-small-caps', 'font-synthesis-style', 'font-synthesis-weight', 'font-variant',
    'font-variant-alternates', 'font-variant-caps', 'font-variant-east-asian', 'font-variant-ligatures',
    'font-variant-numeric', 'font-variant-position', 'font-variation-settings', 'font-weight', 'hyphens',
    'image-rendering', 'letter-spacing', 'line-break', 'line-height', 'list-style-image', 'list-style-position',
    'list-style-type', 'orphans', 'overflow-wrap', 'paint-order', 'pointer-events', 'quotes', 'stroke',
    'stroke-dasharray', 'stroke-dashoffset', 'stroke-linecap', 'stroke-linejoin', 'stroke-miterlimit',
    'stroke-opacity', 'stroke-width', 'tab-size', 'text-align', 'text-align-last', 'text-anchor',
    'text-emphasis-color', 'text-emphasis-position', 'text-emphasis-style', 'text-indent', 'text-rendering',
    'text-shadow', 'text-size-adjust', 'text-transform', 'text-underline-position', 'text-wrap',
    'text-wrap-mode', 'text-wrap-style', 'visibility', 'white-space', 'white-space-collapse', 'widows',
    'word-break', 'word-spacing', 'writing-mode'
  ]);
  // `*-color` properties whose initial value is currentcolor (all but these) repeat `color` by default.
  const NOT_CURRENT_COLOR = new Set(['background-color', 'stop-color', 'flood-color', 'lighting-color',
    'accent-color', 'scrollbar-color']);
  const followsColor = (p) => p.endsWith('-color') && !NOT_CURRENT_COLOR.has(p);
  const LAYOUT_SIZED = new Set(['width', 'height', 'transform-origin', 'perspective-origin']);
  const DANGEROUS_CSS = /javascript:|vbscript:|expression\s*\(|-moz-binding|behavior\s*:/i;

  const originals = [root, ...root.querySelectorAll('*')];
  const limit = Math.min(originals.length, maxNodes);
  if (originals.length > maxNodes) {
    warnings.push(`Export truncated at ${maxNodes} nodes; ${originals.length - maxNodes} nodes omitted.`);
  }
  const shadowHosts = originals.slice(0, limit).filter((el) => el.shadowRoot).length;
  if (shadowHosts > 0) {
    warnings.push(`${shadowHosts} element(s) have a shadow root; shadow DOM content is not captured.`);
  }

  const rootStyle = view.getComputedStyle(root);
  const styles = {};
  for (const prop of allowlist.length ? allowlist : Array.from(rootStyle)) {
    styles[prop] = rootStyle.getPropertyValue(prop);
  }

  const template = doc.createElement('template');
  const clone = template.content.ownerDocument.importNode(root, true);
  template.content.appendChild(clone);
  const clones = [clone, ...clone.querySelectorAll('*')];

  if (inline) {
    const props = allowlist.length ? allowlist : Array.from(rootStyle).filter((p) =>
      !p.startsWith('-') && !LAYOUT_SIZED.has(p) && !/(^|-)(block|inline)(-|$)/.test(p) &&
      !/^border-(start|end)-(start|end)-radius$/.test(p));
    const baseline = defaultsFor(props);
    if (!baseline.ok) {
      warnings.push('Default style values could not be computed; every computed value is inlined.');
    }
    for (let i = 0; i < limit; i += 1) {
      const el = originals[i];
      const computed = view.getComputedStyle(el);
      const parent = i > 0 && el.parentElement ? view.getComputedStyle(el.parentElement) : null;
      const defaults = baseline.of(el);
      const own = computed.getPropertyValue('color').trim();
      const parts = [];
      for (const prop of props) {
        const value = computed.getPropertyValue(prop).trim();
        if (!value || skipValues.has(value) || value === defaults[prop]) continue;
        if (parent && INHERITED.has(prop) && parent.getPropertyValue(prop).trim() === value) continue;
        if (followsColor(prop) && value === own) continue;
        if (sanitize && DANGEROUS_CSS.test(value)) continue;
        parts.push(`${prop}: ${value}`);
      }
      if (parts.length > 0) clones[i].setAttribute('style', parts.join('; ') + ';');
    }
    baseline.dispose();
  }

  for (let i = clones.length - 1; i >= limit; i -= 1) clones[i].remove();
  if (sanitize) clean(template.content);

  return { html: template.innerHTML, styles, warnings, inlineStyles: inline };

  // Computed values of `props` for a fresh element of each kind, in a hidden same-origin about:blank frame
  // (standards mode when document.write is allowed), removed again by dispose().
  function defaultsFor(props) {
    let frame = null;
    let frameDoc = null;
    try {
      frame = doc.createElement('iframe');
      frame.setAttribute('aria-hidden', 'true');
      frame.tabIndex = -1;
      frame.style.cssText = 'position:fixed;left:-10000px;top:0;width:800px;height:600px;border:0;visibility:hidden;pointer-events:none';
      doc.documentElement.appendChild(frame);
      frameDoc = frame.contentDocument;
      try {
        frameDoc.open();
        frameDoc.write('<!doctype html><html><head></head><body></body></html>');
        frameDoc.close();
      } catch (e) { /* Trusted Types or similar: keep the quirks-mode about:blank document */ }
    } catch (e) {
      frameDoc = null;
    }
    const cache = new Map();
    return {
      ok: !!(frameDoc && frameDoc.body),
      of(el) {
        if (!frameDoc || !frameDoc.body) return {};
        const type = el.localName === 'input' ? (el.getAttribute('type') || '').toLowerCase() : '';
        const link = el.hasAttribute('href') ? 'link' : '';
        const key = `${el.namespaceURI} ${el.localName} ${type} ${link}`;
        if (!cache.has(key)) {
          const fresh = frameDoc.createElementNS(el.namespaceURI, el.localName);
          if (type) fresh.setAttribute('type', type);
          if (link) fresh.setAttribute('href', '#');
          frameDoc.body.appendChild(fresh);
          const cs = frameDoc.defaultView.getComputedStyle(fresh);
          const values = {};
          for (const prop of props) values[prop] = cs.getPropertyValue(prop).trim();
          fresh.remove();
          cache.set(key, values);
        }
        return cache.get(key);
      },
      dispose() {
        if (frame) frame.remove();
      }
    };
  }

  // Strips what could run code: script-capable elements, on* handlers, javascript:/vbscript:/non-image data:
  // URLs, and CSS declarations that can execute.
  function clean(fragment) {
    const BLOCKED = new Set(['script', 'iframe', 'object', 'embed', 'frame', 'frameset', 'applet', 'base', 'link',
      'meta', 'noscript', 'template', 'portal']);
    const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'srcset', 'poster',
      'background', 'data', 'ping']);
    const badUrl = (raw) => {
      const v = String(raw).replace(/[\u0000-\u0020]/g, '').toLowerCase();
      return v.startsWith('javascript:') || v.startsWith('vbscript:') ||
        (v.startsWith('data:') && !v.startsWith('data:image/'));
    };
    for (const el of Array.from(fragment.querySelectorAll('*'))) {
      if (BLOCKED.has(el.localName.toLowerCase())) {
        el.remove();
        continue;
      }
      for (const attr of Array.from(el.attributes)) {
        const name = attr.name.toLowerCase();
        if (name.startsWith('on') || name === 'srcdoc') {
          el.removeAttribute(attr.name);
        } else if (URL_ATTRS.has(name)) {
          const urls = name === 'srcset' ? attr.value.split(',').map((c) => c.trim().split(/\s+/)[0] || '') : [attr.value];
          if (urls.some(badUrl)) el.removeAttribute(attr.name);
        } else if (name === 'style' && el.style) {
          for (const prop of Array.from(el.style)) {
            if (DANGEROUS_CSS.test(el.style.getPropertyValue(prop))) el.style.removeProperty(prop);
          }
          if (!el.getAttribute('style') || !el.style.length) el.removeAttribute('style');
        }
      }
    }
  }
}
