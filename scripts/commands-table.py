#!/usr/bin/env python3
"""Prints, for each /ops command, the end-to-end tests that exercise it (by wire name or CLI verb), as used to keep
docs/COMMANDS.md honest: `python3 scripts/commands-table.py` lists every command with its tests and exits 1 when a
command has none."""
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


def tests():
    for path in sorted((ROOT / "tests/tests/e2e").glob("*.rs")):
        text = path.read_text()
        parts = re.split(r"#\[test\]\s*\n(?:#\[[^\]]*\]\s*\n)*fn (\w+)", text)
        for i in range(1, len(parts), 2):
            yield f"{path.stem}::{parts[i]}", parts[i + 1]


def main():
    all_tests = list(tests())
    missing = []
    for wire, verb in CLI.items():
        needles = [f'"{wire}"'] + ([verb if verb.endswith("(") else f'"{verb}"'] if verb else [])
        found = [name for name, body in all_tests if any(n in body for n in needles)]
        if not found:
            missing.append(wire)
        print(f"{wire}\t{verb or '-'}\t{', '.join(found) or 'NONE'}")
    if missing:
        print("commands without an e2e test: " + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
