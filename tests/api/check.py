"""The API's contract, checked against a running PropLink with the demo loaded.

1. `/v1/openapi.json` validates as OpenAPI 3.1 (openapi-spec-validator).
2. Schemathesis runs every check against it: without a token, with a device token of Acme,
   with one of Birchwood (two organisations), and finally sign-out and refresh, which end the
   token they are given. Any failure fails the run.

Usage: python check.py <path to the proplink binary>
Run by `cargo xtask test`, in a virtual environment with requirements.txt installed.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from openapi_spec_validator import validate

HERE = Path(__file__).resolve().parent
API_HOST = "api.proplink.localhost"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`proplink demo` then `proplink serve --dev` on a fresh data directory."""

    def __init__(self, binary: str):
        self.binary = binary
        self.port = free_port()
        self.data = tempfile.mkdtemp(prefix="proplink-api-")
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PROPLINK_SMTP_URL")}
        self.env = {**env, "PROPLINK_DATA_DIR": self.data, "PROPLINK_LISTEN": f"127.0.0.1:{self.port}"}
        subprocess.run([binary, "demo"], env=self.env, check=True, stdout=subprocess.DEVNULL)
        self.process = subprocess.Popen(
            [binary, "serve", "--dev"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit("proplink serve did not start")

    def request(self, method: str, path: str, host: str, body=None) -> str:
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Host": host, "Content-Type": "application/json"}
        req = urllib.request.Request(self.base + path, method=method, data=data, headers=headers)
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read().decode()

    def device_token(self, org: str, email: str) -> str:
        """Signs a device in as `email`, reading the code from the development mailbox."""
        self.request("POST", "/v1/auth/code", API_HOST, {"org": org, "email": email})
        mailbox = self.request("GET", "/dev/mailbox", f"{org}.proplink.localhost")
        codes = re.findall(r"Your sign-in code is (\d{6})", mailbox)
        if not codes:
            raise SystemExit(f"no sign-in code for {email} in the development mailbox")
        answer = self.request(
            "POST",
            "/v1/auth/token",
            API_HOST,
            {"org": org, "email": email, "code": codes[0], "device_id": str(uuid.uuid4()), "device_name": "Schemathesis"},
        )
        return json.loads(answer)["token"]

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def schemathesis(server: Server, schema: str, label: str, token=None, only=None, skip=()) -> bool:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"),
        "run", schema, "--url", server.base, "-H", f"Host: {API_HOST}",
        "--checks", "all", "--max-examples", os.environ.get("SCHEMATHESIS_EXAMPLES", "60"),
        "--generation-database", "none", "--no-color", "--seed", os.environ.get("SCHEMATHESIS_SEED", "1"),
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    for path in only or ():
        command += ["--include-path", path]
    for path in skip:
        command += ["--exclude-path", path]
    print(f"\n--- schemathesis: {label}", flush=True)
    result = subprocess.run(command, capture_output=True, text=True)
    summary = [line for line in result.stdout.splitlines() if "generated" in line or "passed" in line]
    print("\n".join(summary[-2:]) if result.returncode == 0 else result.stdout[-20000:], flush=True)
    print(f"{'ok' if result.returncode == 0 else 'FAILED'}: {label}", flush=True)
    return result.returncode == 0


def main() -> int:
    server = Server(sys.argv[1])
    valid = False
    try:
        document = json.loads(server.request("GET", "/v1/openapi.json", API_HOST))
        validate(document)
        print("ok: /v1/openapi.json is a valid OpenAPI 3.1 document", flush=True)
        valid = True
        schema = os.path.join(server.data, "openapi.json")
        with open(schema, "w") as f:
            json.dump(document, f)
        acme = server.device_token("acme", "sam.singh@acme.example")
        birchwood = server.device_token("birchwood", "ben.birch@birchwood.example")
        ending = server.device_token("acme", "mark.manager@acme.example")
        session_enders = ["/v1/auth/sign-out", "/v1/auth/refresh"]
        results = [
            schemathesis(server, schema, "without a token"),
            schemathesis(server, schema, "with an Acme device token", acme, skip=session_enders),
            schemathesis(server, schema, "with a Birchwood device token", birchwood, skip=session_enders),
            schemathesis(server, schema, "sign-out and refresh with a token", ending, only=session_enders),
        ]
    finally:
        server.stop()
    results.append(valid)
    passed = sum(results)
    print(f"\nAPI contract: {passed} of {len(results)} checks passed")
    # The totals `cargo xtask test` adds to its summary.
    print(f"# pass {passed}")
    print(f"# fail {len(results) - passed}")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
