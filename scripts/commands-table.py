#!/usr/bin/env python3
"""docs/COMMANDS.md from one table: for each /ops command its CLI verb, payload, result, errors, and the end-to-end
tests that exercise it (found by wire name or CLI verb in tests/tests/e2e/*.rs).

    python3 scripts/commands-table.py           # print command -> tests; exit 1 if a command has no e2e test
    python3 scripts/commands-table.py --write   # regenerate docs/COMMANDS.md
    python3 scripts/commands-table.py --check   # exit 1 if docs/COMMANDS.md is stale or a command has no test
"""
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
# wire name -> CLI verb (None: no verb; reachable with `rpc --name`).
CLI = {
    "session.launch": "env.launch(", "session.connect": "connect", "session.status": "status",
    "session.disconnect": "disconnect",
    "targets.list": "targets-list", "targets.use": "target-use", "targets.new": "target-new",
    "targets.close": "target-close", "targets.registerCanvas": None,
    "page.open": "page", "page.list": "pages", "page.close": "page-close",
    "nav.goto": "goto", "nav.wait": "wait", "nav.snapshot": "snapshot", "nav.review": "review",
    "interact.click": "click", "interact.hover": "hover", "interact.press": "press", "interact.check": "check",
    "interact.uncheck": "uncheck", "interact.type": "type", "interact.select": "select",
    "interact.scroll": "scroll", "interact.scrollIntoView": "scroll-into-view", "interact.upload": "upload",
    "pointer.move": "pointer-move", "pointer.down": "pointer-down", "pointer.up": "pointer-up",
    "pointer.drag": "pointer-drag",
    "dom.getHtml": "dom-html", "dom.getText": "dom-text", "dom.getAttr": "dom-attr", "dom.getValue": "dom-value",
    "dom.isVisible": "dom-visible", "dom.isEnabled": "dom-enabled", "dom.isChecked": "dom-checked",
    "dom.refPoint": None,
    "page.screenshot": "screenshot", "page.dialog": "dialog",
    "devtools.consolePoll": "console-poll", "devtools.networkPoll": "network-poll", "devtools.perf": "perf",
    "storage.setCookies": "cookie-import", "storage.getCookies": "cookie-list",
    "export.clonePage": "clone-page", "export.cloneComponent": "clone-component",
    "canvas.overlay.mount": None, "canvas.overlay.unmount": None, "canvas.overlay.select": None,
    "canvas.overlay.sync": None, "canvas.applyRuntimePreviewBridge": None,
}


# wire name -> (payload, result, errors). `targetId?` is accepted by every target-scoped command.
DOC = {
    "session.launch": ("`{startUrl?, tabId?, sessionId?, parallelismPolicy?}` + envelope `leaseId?`",
                       "`{opsSessionId, activeTargetId, url, title, leaseId}`",
                       "`restricted_url`, `invalid_request` (Invalid startUrl, Unknown tabId), `cdp_attach_failed`, `ops_unavailable`"),
    "session.connect": ("same as `session.launch`", "same as `session.launch`", "same as `session.launch`"),
    "session.status": ("`{}`", "`{mode, activeTargetId, url, title, dialog, leaseId, state, attachLog}`",
                       "`invalid_session`, `not_owner`"),
    "session.disconnect": ("`{closeBrowser?}` (ignored)", "`{ok:true}`, then `ops_session_closed`", "`invalid_session`, `not_owner`"),
    "targets.list": ("`{includeUrls?}`", "`{activeTargetId, targets:[{targetId, type, title, url?}]}`", "ownership errors"),
    "targets.use": ("`{targetId}`", "`{activeTargetId, url, title}`", "`invalid_request` Unknown targetId"),
    "targets.new": ("`{url?}`", "`{targetId}`", "`restricted_url`, `cdp_attach_failed`"),
    "targets.close": ("`{targetId}`", "`{ok:true}`", "`invalid_request` Unknown targetId"),
    "targets.registerCanvas": ("`{targetId}`", "-", "`not_supported` until the canvas issue"),
    "page.open": ("`{name, url?}`", "`{targetId, created, url?, title?}`", "`invalid_request` (name), `restricted_url`"),
    "page.list": ("`{}`", "`{pages:[{name, targetId, url, title}]}`", "ownership errors"),
    "page.close": ("`{name}`", "`{ok:true}`", "`invalid_request` Unknown page name"),
    "nav.goto": ("`{url, waitUntil?, timeoutMs?}`", "`{finalUrl, timingMs}`", "`restricted_url`, `invalid_request`"),
    "nav.wait": ("`{ref, state:attached|visible|hidden, timeoutMs?}` or `{until?}`", "`{timingMs}`",
                 "`timeout` (retryable), stale ref at once when the element is gone"),
    "nav.snapshot": ("`{mode?, maxChars?, cursor?, maxNodes?}`",
                     "`{snapshotId, url, title, content, truncated, nextCursor?, refCount, timingMs, warnings}`",
                     "`snapshot_too_large`, dialog open, page crashed"),
    "nav.review": ("`{maxChars?, cursor?, maxNodes?}`",
                   "`{sessionId, targetId, mode, snapshotId, url, title, content, truncated, nextCursor?, refCount, timingMs, dialog, warnings?}`",
                   "as `nav.snapshot`; with a dialog open: empty content and a warning"),
    "interact.click": ("`{ref}`", "`{timingMs, navigated}`", "stale ref, `execution_failed` (no layout box)"),
    "interact.hover": ("`{ref}`", "`{timingMs}`", "stale ref"),
    "interact.press": ("`{key, ref?}`", "`{timingMs}`", "`invalid_request` (unknown key), stale ref"),
    "interact.check": ("`{ref}`", "`{timingMs}`", "stale ref"),
    "interact.uncheck": ("`{ref}`", "`{timingMs}`", "stale ref"),
    "interact.type": ("`{ref, text, clear?, submit?}`", "`{timingMs}`", "stale ref"),
    "interact.select": ("`{ref, values:[...]}`", "`{selected:[...]}`", "`invalid_request` No option matches"),
    "interact.scroll": ("`{dy, ref?}`", "`{}`", "stale ref"),
    "interact.scrollIntoView": ("`{ref}`", "`{timingMs}`", "stale ref"),
    "interact.upload": ("`{ref, files:[absolute paths]}`", "`{targetId, fileCount, mode:direct_input|file_chooser}`",
                        "`invalid_request` (files), `timeout` (no chooser in 8 s)"),
    "pointer.move": ("`{x, y, steps?}`", "`{timingMs}`", "`invalid_request` (coordinates, steps)"),
    "pointer.down": ("`{x, y, button?, clickCount?}`", "`{timingMs}`", "`invalid_request` (button, clickCount)"),
    "pointer.up": ("`{x, y, button?, clickCount?}`", "`{timingMs}`", "`invalid_request` (button, clickCount)"),
    "pointer.drag": ("`{from:{x,y}, to:{x,y}, steps?}`", "`{timingMs}`", "`invalid_request`"),
    "dom.getHtml": ("`{ref, maxChars?}`", "`{outerHTML, truncated}`", "stale ref"),
    "dom.getText": ("`{ref, maxChars?}`", "`{text, truncated}`", "stale ref"),
    "dom.getAttr": ("`{ref, name}`", "`{value|null}`", "stale ref"),
    "dom.getValue": ("`{ref}`", "`{value|null}`", "stale ref"),
    "dom.isVisible": ("`{ref}`", "`{value}`", "stale ref"),
    "dom.isEnabled": ("`{ref}`", "`{value}`", "stale ref"),
    "dom.isChecked": ("`{ref}`", "`{value}`", "stale ref"),
    "dom.refPoint": ("`{ref}`", "`{x, y}`", "stale ref"),
    "page.screenshot": ("`{ref? | fullPage?}`", "`{base64, warning?, tiles?}`",
                        "`invalid_request` (both), `execution_failed` (capture failed or background tab)"),
    "page.dialog": ("`{action?:status|accept|dismiss, promptText?}`", "`{dialog, handled?}`",
                    "`invalid_request` No dialog is open"),
    "devtools.consolePoll": ("`{sinceSeq?, max?}`", "`{events:[{seq, level, text, ts}], nextSeq}`", "ownership errors"),
    "devtools.networkPoll": ("`{sinceSeq?, max?}`", "`{events:[{seq, method, url, status?, resourceType?, ts}], nextSeq}`",
                             "ownership errors"),
    "devtools.perf": ("`{}`", "`{metrics:[{name, value}]}`", "`execution_failed`"),
    "storage.setCookies": ("`{cookies:[...], strict?, requestId?}`", "`{requestId, imported, rejected:[{index, reason}]}`",
                           "`invalid_request` (strict batch with a bad cookie)"),
    "storage.getCookies": ("`{urls?, requestId?}`", "`{requestId, cookies:[...], count}`", "`invalid_request` (urls)"),
    "export.clonePage": ("`{sanitize?, maxNodes?, inlineStyles?, styleAllowlist?, skipStyleValues?}`",
                         "`{capture:{html, styles, warnings, inlineStyles}}`", "`execution_failed` (dialog open)"),
    "export.cloneComponent": ("`{ref, ...as clonePage}`", "`{capture:{html, styles, warnings, inlineStyles}}`", "stale ref"),
    "canvas.overlay.mount": ("`{mountId?, title?, prototypeId?, selection?}`", "-", "`not_supported` until the canvas issue"),
    "canvas.overlay.unmount": ("`{mountId}`", "-", "`not_supported` until the canvas issue"),
    "canvas.overlay.select": ("`{mountId, nodeId|selectionHint}`", "-", "`not_supported` until the canvas issue"),
    "canvas.overlay.sync": ("`{mountId}`", "-", "`not_supported` until the canvas issue"),
    "canvas.applyRuntimePreviewBridge": ("`{bindingId, rootSelector, html}`", "-", "`not_supported` until the canvas issue"),
}

# Harness helpers that send a command for the test (tests/src): calls of these count as uses.
HELPERS = {"targets.new": ["new_target("], "session.connect": ["start(&mut ops"]}
# Needles that replace the CLI verb's: a bare "status" is the daemon's status (or any string "status"); only
# `status --session-id` runs session.status.
VERB_NEEDLES = {"session.status": ['"status", "--session-id"']}

HEADER = """# /ops commands

One row per command the ops runtime dispatches (PROTOCOL.md §3.5), generated by `python3 scripts/commands-table.py
--write` (the test suite runs `--check`, so a command without an end-to-end test fails CI). Every session command also
answers the ownership errors (`invalid_request` Missing opsSessionId, `invalid_session`, `not_owner`); target-scoped
commands take `targetId?`, can answer `parallelism_backpressure`, and fail fast with `execution_failed` when the tab has
an open JavaScript dialog, crashed, or lost the debugger. "stale ref" is `invalid_request "Unknown ref: rN. Take a new
snapshot first."`. Deliberate differences from the original are in PARITY_DECLARED_DIVERGENCES.md.

Tests are in `tests/tests/e2e/<file>.rs` (`<file>::<test>`), run in headless Chromium with the real extension.

| Wire name | CLI | Payload | Result | Errors | End-to-end tests |
|---|---|---|---|---|---|
"""


def render(rows):
    out = [HEADER]
    for wire, verb, found in rows:
        payload, result, errors = DOC[wire]
        if wire == "session.launch":
            cli = "`launch`"
        elif verb:
            cli = f"`{verb}`"
        else:
            cli = f"`rpc --name {wire}`"
        tests = "<br>".join(f"`{t}`" for t in found) or "**none**"
        out.append(f"| `{wire}` | {cli} | {payload} | {result} | {errors} | {tests} |\n")
    return "".join(out)


def tests():
    for path in sorted((ROOT / "tests/tests/e2e").glob("*.rs")):
        text = path.read_text()
        parts = re.split(r"#\[test\]\s*\n(?:#\[[^\]]*\]\s*\n)*fn (\w+)", text)
        for i in range(1, len(parts), 2):
            yield f"{path.stem}::{parts[i]}", parts[i + 1]


def main():
    all_tests = list(tests())
    missing = []
    rows = []
    for wire, verb in CLI.items():
        if wire in VERB_NEEDLES:
            needles = [f'"{wire}"'] + VERB_NEEDLES[wire]
        else:
            needles = [f'"{wire}"'] + ([verb if verb.endswith("(") else f'"{verb}"'] if verb else [])
        needles += HELPERS.get(wire, [])
        found = [name for name, body in all_tests if any(n in body for n in needles)]
        if not found:
            missing.append(wire)
        rows.append((wire, verb, found))
    doc_path = ROOT / "docs/COMMANDS.md"
    if "--write" in sys.argv:
        doc_path.write_text(render(rows))
    elif "--check" in sys.argv:
        if not doc_path.exists() or doc_path.read_text() != render(rows):
            print("docs/COMMANDS.md is stale: run python3 scripts/commands-table.py --write", file=sys.stderr)
            return 1
    else:
        for wire, verb, found in rows:
            print(f"{wire}\t{verb or '-'}\t{', '.join(found) or 'NONE'}")
    if missing:
        print("commands without an e2e test: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
