"""Take a PNG screenshot of the running web client as a given user.

    python scripts/screenshot.py URL_PATH OUT.png [--login agent] [--password agent]
        [--db sputnik] [--port 8069] [--size 1440x900]

Used for the README's picture: `make screenshot` while `make run` serves.
"""

import argparse
import base64
import json
import os
import shutil
import subprocess
import tempfile
import time

import requests
import websocket

RENDERED = "!!document.querySelector('.o_action_manager %s')"


def session_cookie(base, db, login, password):
    resp = requests.post(
        f"{base}/web/session/authenticate",
        json={"params": {"db": db, "login": login, "password": password}},
        timeout=30,
    )
    resp.raise_for_status()
    if resp.json().get("error"):
        raise SystemExit(f"login failed: {resp.json()['error']['data']['message']}")
    return resp.cookies["session_id"]


class Chrome:
    def __init__(self, width, height):
        exe = next(
            filter(
                None,
                map(shutil.which, ["chromium", "chromium-browser", "google-chrome"]),
            ),
            None,
        )
        if not exe:
            raise SystemExit("Chromium not found (apt-get install chromium)")
        self.profile = tempfile.mkdtemp(prefix="sputnik-shot-")
        self.proc = subprocess.Popen(
            [
                exe,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        for _ in range(100):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        port = open(port_file).read().split()[0]
        targets = requests.get(f"http://127.0.0.1:{port}/json", timeout=10).json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(
            json.dumps({"id": self.next_id, "method": method, "params": params})
        )
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.next_id:
                if "error" in msg:
                    raise RuntimeError(msg["error"])
                return msg.get("result", {})

    def close(self):
        self.ws.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)
        shutil.rmtree(self.profile, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path")
    parser.add_argument("out")
    parser.add_argument("--login", default="agent")
    parser.add_argument("--password", default="agent")
    parser.add_argument("--db", default=os.environ.get("DB", "sputnik"))
    parser.add_argument("--port", default=os.environ.get("PORT", "8069"))
    parser.add_argument("--size", default="1440x900")
    parser.add_argument("--wait", type=float, default=2.0)
    parser.add_argument(
        "--ready",
        default=".o_view_controller",
        help="CSS selector of the rendered action (a client action has its own)",
    )
    args = parser.parse_args()
    base = f"http://localhost:{args.port}"
    width, height = map(int, args.size.split("x"))
    cookie = session_cookie(base, args.db, args.login, args.password)
    chrome = Chrome(width, height)
    try:
        chrome.call("Network.enable")
        chrome.call(
            "Network.setCookie",
            name="session_id",
            value=cookie,
            url=base,
            httpOnly=True,
        )
        chrome.call("Page.enable")
        chrome.call("Page.navigate", url=base + args.path)
        # wait until the web client has rendered a view (first asset builds are slow)
        deadline = time.time() + 120
        while time.time() < deadline:
            ready = chrome.call(
                "Runtime.evaluate",
                expression=RENDERED % args.ready,
                returnByValue=True,
            )
            if ready.get("result", {}).get("value"):
                break
            time.sleep(0.5)
        else:
            raise SystemExit(f"the page {args.path} did not render a view in 120 s")
        time.sleep(args.wait)  # let images and counters settle
        shot = chrome.call("Page.captureScreenshot", format="png")
        with open(args.out, "wb") as f:
            f.write(base64.b64decode(shot["data"]))
    finally:
        chrome.close()


if __name__ == "__main__":
    main()
