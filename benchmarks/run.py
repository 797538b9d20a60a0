"""lapse benchmarks: one entry point, one table, written to docs/benchmarks.md.

    python benchmarks/run.py              # everything (several minutes: the naive loop is slow on purpose)
    python benchmarks/run.py --quick      # smaller estates and fewer runs, for a quick look

Needs lapse installed with the test extras (moto for the live AWS scan): pip install '.[test]'.
Speed is measured here, by scripts anyone can rerun, never by timed unit tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import cloudflare_api  # noqa: E402
import estate as estates  # noqa: E402
import latency  # noqa: E402

LAPSE = str(Path(sys.executable).with_name("lapse"))
ROWS: list[str] = []


def run(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Wall time (s), peak RSS (MB) and stderr of one child process."""
    started = time.perf_counter()
    # bytecode caching on, as on a user's machine (this workplace sets PYTHONDONTWRITEBYTECODE)
    environment = {**os.environ, **(env or {})}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=environment)
    assert proc.stderr is not None
    err = proc.stderr.read().decode()
    _, _, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = 0
    return elapsed, usage.ru_maxrss // 1024, err


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def offline(sizes: list[int], runs: int, folder: Path) -> None:
    ROWS.append("\n## 1. Offline scaling: `lapse check` on generated estates\n")
    ROWS.append("Each estate: a registration, a zone with four records and (for 90%) an expiry monitor per domain;")
    ROWS.append("a tenth of the domains have real problems. JSON report to a file.\n")
    ROWS.append("| domains | wall s, median (min–max) | µs per domain | peak RSS MB | target |")
    ROWS.append("|---:|---:|---:|---:|---|")
    for n in sizes:
        # generated in a child process: a parent grown by a 100,000-domain dict would be counted in
        # the peak RSS of every process it forks (the memory is shared until exec)
        code = f"import sys; sys.path.insert(0, {str(HERE)!r}); import estate; estate.write({n}, __import__('pathlib').Path({str(folder)!r}))"
        subprocess.run([sys.executable, "-c", code], check=True)
        path = folder / f"estate-{n}.json"
        times, rss = [], 0
        for _ in range(runs if n < 100_000 else max(1, runs // 2)):
            elapsed, peak, _ = run(
                [LAPSE, "check", str(path), "--format", "json", "--output", os.devnull, "--now", "2026-11-22"]
            )
            times.append(elapsed)
            rss = max(rss, peak)
        target = {10_000: "< 1 s", 100_000: "< 10 s, < 500 MB"}.get(n, "")
        met = ""
        if n == 10_000:
            met = " ✓" if statistics.median(times) < 1 else " ✗"
        if n == 100_000:
            met = " ✓" if statistics.median(times) < 10 and rss < 500 else " ✗"
        ROWS.append(f"| {n:,} | {spread(times)} | {statistics.median(times) / n * 1e6:.0f} | {rss} | {target}{met} |")
        print(ROWS[-1], flush=True)


def cold_start(runs: int, folder: Path) -> None:
    one = folder / "one.json"
    one.write_text(json.dumps(estates.estate(1)), encoding="utf-8")
    python = sys.executable
    deps = "import rich.console, rich.table, rich.text, msgspec"
    cases = {
        "python -c pass": [python, "-c", "pass"],
        "import lapse's offline dependencies": [python, "-c", deps],
        "lapse check one-domain.json": [LAPSE, "check", str(one), "--now", "2026-11-22"],
    }
    medians = {}
    ROWS.append("\n## 2. Cold start (the pre-commit case)\n")
    ROWS.append("| command | wall s, median (min–max) |")
    ROWS.append("|---|---:|")
    for label, argv in cases.items():
        times = [run(argv)[0] for _ in range(runs)]
        medians[label] = statistics.median(times)
        ROWS.append(f"| {label} | {spread(times)} |")
    base = medians["python -c pass"]
    ratio = (medians["lapse check one-domain.json"] - base) / max(
        1e-6, medians["import lapse's offline dependencies"] - base
    )
    ROWS.append(f"\nlapse's own cost over the interpreter is {ratio:.2f}× the cost of importing its dependencies.")
    print(ROWS[-1], flush=True)


def _requests(stderr: str, provider: str) -> int:
    line = next(line for line in stderr.splitlines() if line.startswith("lapse: requests:"))
    part = next(p for p in line.split(":", 2)[2].split(",") if p.strip().startswith(provider))
    return int(part.strip().split()[1])


def scan_table(
    made: int,
    elapsed: float,
    floor: float,
    peak: int,
    rate: float,
    naive_time: float | None,
    naive_requests: int | None,
) -> None:
    """One live scan against its floor and against the naive loop."""
    ROWS.append("| | requests | wall s | floor s | ratio to floor | max requests in any second |")
    ROWS.append("|---|---:|---:|---:|---:|---:|")
    ROWS.append(
        f"| lapse scan | {made:,} | {elapsed:.1f} | {floor:.1f} | {elapsed / floor:.2f} (target ≤ 1.3) | {peak} (limit {rate:g}) |"
    )
    if naive_time is not None:
        ROWS.append(f"| naive sequential list-then-get | {naive_requests:,} | {naive_time:.1f} | | | |")
        ROWS.append(f"\nlapse is {naive_time / elapsed:.1f}× faster than the naive loop (target ≥ 10×).")


MOTO = """
import sys
import logging
from moto.route53domains.models import Route53DomainsBackend
from moto.server import ThreadedMotoServer

logging.getLogger("werkzeug").setLevel(logging.ERROR)
Route53DomainsBackend.DEFAULT_MAX_DOMAINS_COUNT = 1_000_000  # moto caps accounts at 20 domains by default
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
print(server.get_host_and_port()[1], flush=True)
sys.stdin.read()
"""


def moto_server() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-c", MOTO], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}"


def live_aws(domains: int, rate: float, concurrency: int, folder: Path, naive: bool) -> None:
    import boto3

    # moto in a process of its own: in this one, its CPU time would hold up the latency proxy's
    # threads and bunch the arrival times the proxy records (the "max requests in any second")
    server, moto = moto_server()
    env = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}
    os.environ.update(env)
    setup = boto3.client("route53domains", region_name="us-east-1", endpoint_url=moto)
    contact = {
        "FirstName": "B",
        "LastName": "M",
        "ContactType": "PERSON",
        "AddressLine1": "1",
        "City": "c",
        "State": "WA",
        "CountryCode": "US",
        "ZipCode": "1",
        "PhoneNumber": "+1.5555550100",
        "Email": "domains@corp.example",
    }
    for i in range(domains):
        setup.register_domain(
            DomainName=f"bench{i}.com",
            DurationInYears=2,
            AutoRenew=i % 10 != 0,
            AdminContact=contact,
            RegistrantContact=contact,
            TechContact=contact,
        )
    proxy = latency.LatencyProxy(moto, 0.05)
    config = folder / "aws.toml"
    config.write_text(f"[providers.aws]\nrate-limit = {rate}\nconcurrency = {concurrency}\n", encoding="utf-8")
    ROWS.append(f"\n## 3. Live scan: {domains:,} domains on moto's server (AWS), 50 ms latency per request\n")
    ROWS.append(
        f"Configured: {rate:g} requests/s, {concurrency} at a time (Route 53 Domains' real limit is about 5/s per"
    )
    ROWS.append("account: at that rate the floor for this estate is requests ÷ 5).\n")
    with latency.serve(proxy) as url:
        first = folder / "first.json"
        elapsed, _, err = run(
            [LAPSE, "scan", "--config", str(config), "-o", str(first), "--format", "json"],
            {**env, "AWS_ENDPOINT_URL": url},
        )
        made = _requests(err, "aws")
        floor = max(made / rate, made * 0.05 / concurrency)
        peak = proxy.max_per_second()
        proxy.times.clear()
        _, _, err = run(
            [
                LAPSE,
                "scan",
                "--config",
                str(config),
                "--since",
                str(first),
                "-o",
                str(folder / "again.json"),
                "--format",
                "json",
            ],
            {**env, "AWS_ENDPOINT_URL": url},
        )
        again = _requests(err, "aws")
        naive_time = naive_requests = None
        if naive:
            naive_time, naive_requests = naive_loop(url)
    server.terminate()
    server.wait()
    scan_table(made, elapsed, floor, peak, rate, naive_time, naive_requests)
    ROWS.append("\n## 4. Requests per domain (AWS)\n")
    ROWS.append("| scan | requests | per domain | target |")
    ROWS.append("|---|---:|---:|---|")
    ROWS.append(f"| first scan | {made:,} | {made / domains:.3f} | |")
    ROWS.append(
        f"| rescan, unchanged estate (`--since`) | {again:,} | {again / domains:.3f} | < 0.05 {'✓' if again / domains < 0.05 else '✗'} |"
    )
    print("\n".join(ROWS[-8:]), flush=True)


def naive_loop(url: str) -> tuple[float, int]:
    """What a user writes by hand: list, then get each detail and each zone's records, one at a time."""
    import boto3
    from botocore.config import Config

    config = Config(retries={"total_max_attempts": 1})
    domains = boto3.client("route53domains", region_name="us-east-1", endpoint_url=url, config=config)
    route53 = boto3.client("route53", region_name="us-east-1", endpoint_url=url, config=config)
    count = 0
    started = time.perf_counter()
    marker = None
    while True:
        page = domains.list_domains(**({"Marker": marker} if marker else {}))
        count += 1
        for summary in page["Domains"]:
            domains.get_domain_detail(DomainName=summary["DomainName"])
            count += 1
        marker = page.get("NextPageMarker")
        if not marker:
            break
    zone_marker = None
    while True:
        page = route53.list_hosted_zones(**({"Marker": zone_marker} if zone_marker else {}))
        count += 1
        for zone in page["HostedZones"]:
            route53.list_resource_record_sets(HostedZoneId=zone["Id"])
            count += 1
        if not page.get("IsTruncated"):
            break
        zone_marker = page["NextMarker"]
    return time.perf_counter() - started, count


def live_cloudflare(domains: int, rate: float, concurrency: int, folder: Path, naive: bool) -> None:
    api = cloudflare_api.CloudflareEstate(domains, 0.05)
    config = folder / "cloudflare.toml"
    config.write_text(f"[providers.cloudflare]\nrate-limit = {rate}\nconcurrency = {concurrency}\n", encoding="utf-8")
    ROWS.append(
        f"\n## 3b. Live scan: {domains:,} zones on a local Cloudflare-shaped server, 50 ms latency per request\n"
    )
    ROWS.append(f"Configured: {rate:g} requests/s, {concurrency} at a time (Cloudflare allows 1,200 per five minutes")
    ROWS.append(
        "per token, 4/s: at that rate the floor is requests ÷ 4). Registrations, zones, DNS records, Workers routes,"
    )
    ROWS.append("health checks and notification policies are read for every zone.\n")
    with cloudflare_api.serve(api) as url:
        env = {"CLOUDFLARE_BASE_URL": url, "CLOUDFLARE_API_TOKEN": "bench"}
        first = folder / "cf-first.json"
        elapsed, _, err = run([LAPSE, "scan", "--config", str(config), "-o", str(first), "--format", "json"], env)
        made = _requests(err, "cloudflare")
        floor = max(made / rate, made * 0.05 / concurrency)
        peak = api.max_per_second()
        api.times.clear()
        _, _, err = run([LAPSE, "scan", "--config", str(config), "--since", str(first), "--format", "json"], env)
        again = _requests(err, "cloudflare")
        api.times.clear()
        naive_time = naive_requests = None
        if naive:
            import cloudflare

            client = cloudflare.Cloudflare(api_token="bench", base_url=url, max_retries=0)
            started = time.perf_counter()
            for _ in client.registrar.registrations.list(account_id=cloudflare_api.ACCOUNT):
                pass
            for zone in client.zones.list():
                for _ in client.dns.records.list(zone_id=zone.id):
                    pass
                client.workers.routes.list(zone_id=zone.id)
                for _ in client.healthchecks.list(zone_id=zone.id):
                    pass
            naive_time = time.perf_counter() - started
            naive_requests = len(api.times)
            client.close()
    scan_table(made, elapsed, floor, peak, rate, naive_time, naive_requests)
    ROWS.append(
        f"\nRequests per zone: first scan {made / domains:.3f}; rescan with `--since` {again / domains:.3f} (Cloudflare"
    )
    ROWS.append("lists carry no change marker for records, so a rescan reads them again).")
    print("\n".join(ROWS[-9:]), flush=True)


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")), "0"
    )
    return (
        f"{os.cpu_count()} cores ({cpu}), {int(memory) // 1024 // 1024} GiB; Python {platform.python_version()}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--runs", type=int)
    parser.add_argument("--domains", type=int, help="live-scan estate size (default 1000; 200 with --quick)")
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--skip-naive", action="store_true", help="skip the slow naive loop")
    parser.add_argument("--output", type=Path, default=HERE.parent / "docs" / "benchmarks.md")
    args = parser.parse_args()
    runs = args.runs or (3 if args.quick else 5)
    ROWS.extend(
        [
            "# lapse benchmarks",
            "",
            f"Machine: {machine()}.",
            "",
            f"Medians of {runs} runs (min–max in brackets) unless one run is shown. Rerun: `python benchmarks/run.py`.",
        ]
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        offline([100, 1_000, 10_000] if args.quick else [100, 1_000, 10_000, 100_000], runs, folder)
        cold_start(max(runs, 5), folder)
        if not args.skip_live:
            size = args.domains or (200 if args.quick else 1000)
            live_aws(size, 200.0, 16, folder, naive=not args.skip_naive)
            # 32 in flight: at 50 ms a request plus the SDK's and this server's CPU time on two
            # shared cores, 16 cannot keep 200 a second going; the floor counts concurrency anyway
            live_cloudflare(size, 200.0, 32, folder, naive=not args.skip_naive)
    text = "\n".join(ROWS) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"\nwritten to {args.output}")


if __name__ == "__main__":
    main()
