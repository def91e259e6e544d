#!/usr/bin/env python3
"""Records `Accessibility.getFullAXTree` of fixture pages from a real headless Chromium, for the snapshot
crate's checked-in test fixtures (snapshot/fixtures/*.ax.json).

Usage: python3 scripts/record-ax.py  (needs `pip install websockets` and /usr/lib/chromium/chromium)
"""
import asyncio, json, os, subprocess, sys, tempfile, threading, time, urllib.request, http.server, functools

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGES = ["login.html", "links.html", "controlled.html"]


def serve(directory):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


async def main():
    import websockets
    httpd = serve(os.path.join(ROOT, "tests", "fixtures"))
    port = httpd.server_address[1]
    profile = tempfile.mkdtemp()
    chrome = subprocess.Popen([
        os.environ.get("CHROME_PATH", "/usr/lib/chromium/chromium"), "--headless", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--remote-debugging-port=9339", f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                targets = json.load(urllib.request.urlopen("http://127.0.0.1:9339/json/list"))
                page = next(t for t in targets if t["type"] == "page")
                break
            except Exception:
                time.sleep(0.1)
        async with websockets.connect(page["webSocketDebuggerUrl"], max_size=None) as ws:
            seq = 0

            async def call(method, params=None):
                nonlocal seq
                seq += 1
                await ws.send(json.dumps({"id": seq, "method": method, "params": params or {}}))
                while True:
                    msg = json.loads(await ws.recv())
                    if msg.get("id") == seq:
                        if "error" in msg:
                            raise RuntimeError(msg["error"])
                        return msg["result"]

            await call("Page.enable")
            for name in PAGES:
                await call("Page.navigate", {"url": f"http://127.0.0.1:{port}/{name}"})
                for _ in range(100):
                    r = await call("Runtime.evaluate", {"expression": "document.readyState", "returnByValue": True})
                    if r["result"]["value"] == "complete":
                        break
                    await asyncio.sleep(0.05)
                tree = await call("Accessibility.getFullAXTree")
                out = os.path.join(ROOT, "snapshot", "fixtures", name.replace(".html", ".ax.json"))
                with open(out, "w") as f:
                    json.dump(tree["nodes"], f, indent=1)
                print(f"{out}: {len(tree['nodes'])} nodes")
    finally:
        chrome.terminate()
        httpd.shutdown()


asyncio.run(main())
