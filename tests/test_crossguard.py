"""The CrossGuard pack, tested the way the Pulumi engine talks to it: start the pack, read the port it
prints, and call GetAnalyzerInfo, Configure, Analyze and AnalyzeStack over gRPC."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from factories import REPO

grpc = pytest.importorskip("grpc")
from google.protobuf import empty_pb2, struct_pb2  # noqa: E402
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc  # noqa: E402

DOMAIN_TYPE = "aws:route53domains/registeredDomain:RegisteredDomain"
UNKNOWN_BOOL = "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7"
ADVISORY, MANDATORY = 0, 1


@pytest.fixture(scope="module")
def analyzer() -> Iterator[Any]:
    pack = subprocess.Popen(
        [sys.executable, str(REPO / "examples" / "crossguard" / "__main__.py")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO / "examples" / "crossguard",
    )
    try:
        assert pack.stdout is not None
        port = int(pack.stdout.readline().decode().strip())
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        pack.terminate()
        pack.wait(timeout=30)
        for stream in (pack.stdout, pack.stderr):
            if stream is not None:
                stream.close()


def struct(values: dict[str, Any]) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(values)
    return message


def domain(
    name: str, *, auto_renew: Any = True, days: int = 800, lock: bool = True, ns: list[str] | None = None
) -> dict[str, Any]:
    expires = (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "domainName": name,
        "autoRenew": auto_renew,
        "transferLock": lock,
        "expirationDate": expires,
        "nameServers": [{"name": n} for n in (ns or ["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"])],
    }


def analyze(stub: Any, type_: str, props: dict[str, Any], name: str = "main") -> list[Any]:
    urn = f"urn:pulumi:prod::dns::{type_}::{name}"
    request = analyzer_pb2.AnalyzeRequest(type=type_, properties=struct(props), urn=urn, name=name)
    return list(stub.Analyze(request).diagnostics)


def test_analyzer_info_describes_every_policy_from_the_rule_docs(analyzer: Any) -> None:
    info = analyzer.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "lapse"
    policies = {p.name: p for p in info.policies}
    assert {"auto-renew-off", "expires-soon", "renewal-overdue", "transfer-lock-off", "delegation-drift"} <= set(
        policies
    )
    assert "provider-unreadable" not in policies  # about scans, not programs
    assert policies["renewal-overdue"].enforcementLevel == MANDATORY  # critical blocks
    assert policies["transfer-lock-off"].enforcementLevel == ADVISORY  # medium advises
    assert "aws route53domains enable-domain-auto-renew" in policies["auto-renew-off"].remediation_steps
    assert policies["auto-renew-off"].description == "Auto-renew is turned off for a registered domain"
    assert "days" in policies["expires-soon"].configSchema.properties


def test_resource_policy_flags_a_risky_domain_and_passes_a_healthy_one(analyzer: Any) -> None:
    bad = analyze(analyzer, DOMAIN_TYPE, domain("shop-demo.com", auto_renew=False, days=20, lock=False))
    by_policy = {d.policyName: d for d in bad}
    assert {"auto-renew-off", "expires-soon", "transfer-lock-off"} <= set(by_policy)
    assert by_policy["auto-renew-off"].enforcementLevel == MANDATORY
    assert "shop-demo.com: auto-renew is off" in by_policy["auto-renew-off"].message
    assert analyze(analyzer, DOMAIN_TYPE, domain("fine-demo.com")) == []
    assert analyze(analyzer, "aws:s3/bucket:Bucket", {"bucket": "x"}) == []


def test_unknown_values_during_preview_are_reported_as_pulumi_expects(analyzer: Any) -> None:
    diagnostics = analyze(analyzer, DOMAIN_TYPE, domain("new-demo.com", auto_renew=UNKNOWN_BOOL))
    assert diagnostics
    assert all("can't run policy" in d.message and "during preview" in d.message for d in diagnostics)
    assert all(d.enforcementLevel == ADVISORY for d in diagnostics)


def test_stack_policy_runs_the_rules_over_all_resources(analyzer: Any) -> None:
    cloudflare_ns = ["lara.ns.cloudflare.com", "theo.ns.cloudflare.com"]
    resources = [
        analyzer_pb2.AnalyzerResource(
            type=DOMAIN_TYPE,
            urn="urn:pulumi:prod::dns::" + DOMAIN_TYPE + "::main",
            name="main",
            properties=struct(domain("paperplane-demo.com", ns=cloudflare_ns)),
        ),
        analyzer_pb2.AnalyzerResource(
            type="cloudflare:index/zone:Zone",
            urn="urn:pulumi:prod::dns::cloudflare:index/zone:Zone::main",
            name="main",
            properties=struct(
                {"zone": "paperplane-demo.com", "nameServers": ["kai.ns.cloudflare.com", "uma.ns.cloudflare.com"]}
            ),
        ),
    ]
    diagnostics = list(analyzer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=resources)).diagnostics)
    drift = [d for d in diagnostics if d.policyName == "delegation-drift"]
    assert len(drift) == 1
    assert drift[0].urn.endswith(DOMAIN_TYPE + "::main")  # points at the resource that declares the domain
    assert drift[0].enforcementLevel == MANDATORY


def test_enforcement_and_options_are_configurable(analyzer: Any) -> None:
    config = analyzer_pb2.ConfigureAnalyzerRequest(
        policyConfig={
            "auto-renew-off": analyzer_pb2.PolicyConfig(enforcementLevel=ADVISORY),
            "expires-soon": analyzer_pb2.PolicyConfig(
                enforcementLevel=MANDATORY, properties=struct({"days": {"low": 400}})
            ),
        }
    )
    analyzer.Configure(config)
    diagnostics = {
        d.policyName: d for d in analyze(analyzer, DOMAIN_TYPE, domain("later-demo.com", auto_renew=False, days=300))
    }
    assert diagnostics["auto-renew-off"].enforcementLevel == ADVISORY
    assert diagnostics["expires-soon"].enforcementLevel == MANDATORY  # flagged only because of the configured window
