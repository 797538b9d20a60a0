"""Several providers in one scan: their views of a domain join, and one failing costs only itself."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from servers import serve
from test_aws import register
from test_rdap_scan import Registry


def test_registrar_and_registry_views_join_and_a_failed_provider_costs_only_itself(
    cli: Any, tmp_path: Path, aws: str, monkeypatch: Any
) -> None:
    register(aws, "joined-demo.com", auto_renew=False)
    routes = Registry()
    with serve(routes) as rdap:
        routes.url = rdap.url
        monkeypatch.setenv("CLOUDFLARE_API_TOKEN", "canary-cf-token")
        monkeypatch.setenv("CLOUDFLARE_BASE_URL", "http://127.0.0.1:9/client/v4")  # nothing listens there
        cfg = tmp_path / "lapse.toml"
        cfg.write_text(
            "[providers.aws]\nretries = 0\n"
            "[providers.cloudflare]\nretries = 0\ntimeout = 2\n"
            f'[providers.rdap]\nbootstrap-url = "{rdap.url}/bootstrap.json"\ncache-dir = "{tmp_path}/cache"\n'
            '[[domains]]\nname = "google.com"\n',
            encoding="utf-8",
        )
        run = cli("scan", "--config", cfg, "--format", "json", "-o", tmp_path / "s.json", "--now", "2026-11-22")
    assert run.code == 3
    report = json.loads(run.out)
    assert [e["provider"] for e in report["errors"]] == ["cloudflare"]
    assert "could not connect" in report["errors"][0]["message"] or "refused" in report["errors"][0]["message"]
    codes = {(f["code"], f["domain"]) for f in report["findings"]}
    assert ("LAP101", "joined-demo.com") in codes  # AWS still read and linted
    saved = json.loads((tmp_path / "s.json").read_text())
    sources = {(r["domain"], r["source"]["provider"]) for r in saved["registrations"]}
    assert ("google.com", "rdap") in sources  # RDAP queried declared domains...
    assert ("joined-demo.com", "aws") in sources  # ...and found ones (its .com registry has no record: a note)
    assert any(n["domain"] == "joined-demo.com" for n in report["notes"])
    requests = run.err.split("requests: ")[1].splitlines()[0]
    assert "aws" in requests and "rdap" in requests and "cloudflare" in requests
    assert "canary" not in run.out + run.err
