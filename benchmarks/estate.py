"""Generated estates for the benchmarks: n domains, each with a registration, a zone with records, and
monitors, mostly healthy and a tenth with the problems real estates have."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

NOW = datetime(2026, 11, 22, tzinfo=UTC)
VENDOR_NS = [
    ["ns-{n}.awsdns-{m:02d}.com", "ns-{n}.awsdns-{m:02d}.net", "dns1.p0{k}.nsone.net", "dns2.p0{k}.nsone.net"],
    ["lara.ns.cloudflare.com", "theo.ns.cloudflare.com"],
    ["ns1-0{k}.azure-dns.com", "ns2-0{k}.azure-dns.net", "ns3-0{k}.azure-dns.org", "ns4-0{k}.azure-dns.info"],
]


def _when(days: float) -> str:
    return (NOW + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def estate(n: int, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    source = {"provider": "aws", "account": "bench", "read_at": _when(0)}
    registrations, zones, monitors = [], [], []
    for i in range(n):
        name = f"brand{i}.example"
        ns = [h.format(n=i % 2048, m=i % 64, k=i % 9) for h in VENDOR_NS[i % 3]]
        troubled = rng.random() < 0.1
        registrations.append(
            {
                "domain": name,
                "source": source,
                "registrar": "Amazon Registrar, Inc.",
                "expires": _when(rng.uniform(-5, 60) if troubled else rng.uniform(200, 900)),
                "auto_renew": not troubled,
                "transfer_lock": not troubled,
                "statuses": ["clientTransferProhibited"] if not troubled else [],
                "nameservers": ns,
                "contact_emails": [f"domains@corp{i % 10}.example"],
                "ds_key_tags": [],
            }
        )
        zones.append(
            {
                "name": name,
                "source": source,
                "provider": "aws",
                "nameservers": ns,
                "records": [
                    {
                        "name": name,
                        "type": "A",
                        "content": "192.0.2.1",
                        "ttl": 300,
                        "proxied": i % 5 == 0,
                        "edge": "cloudflare" if i % 5 == 0 else None,
                    },
                    {"name": f"www.{name}", "type": "CNAME", "content": name, "ttl": 300},
                    {"name": name, "type": "MX", "content": "10 mx.example.net", "ttl": 3600},
                    {"name": name, "type": "TXT", "content": "v=spf1 -all", "ttl": 3600},
                ],
            }
        )
        if not troubled:
            monitors.append({"name": f"expiry-{i}", "kind": "expiry", "covers": [name], "source": source})
    return {"schema_version": 1, "registrations": registrations, "zones": zones, "monitors": monitors}


def write(n: int, folder: Path) -> Path:
    path = folder / f"estate-{n}.json"
    if not path.exists():
        path.write_text(json.dumps(estate(n)), encoding="utf-8")
    return path
