"""What each provider needs, printed by ``lapse permissions``: read access only, nothing more.

Plain data, so that printing it never imports a vendor SDK.
"""

from __future__ import annotations

import json

AWS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "LapseReadOnly",
            "Effect": "Allow",
            "Action": [
                "route53domains:ListDomains",
                "route53domains:GetDomainDetail",
                "route53domains:ListOperations",
                "route53:ListHostedZones",
                "route53:ListResourceRecordSets",
                "route53:ListHealthChecks",
            ],
            "Resource": "*",
        }
    ],
}

AZURE_ROLE = {
    "Name": "lapse reader",
    "IsCustom": True,
    "Description": "Read DNS zones, record sets and App Service Domains for lapse scans.",
    "Actions": [
        "Microsoft.Network/dnszones/read",
        "Microsoft.Network/dnszones/recordsets/read",
        "Microsoft.DomainRegistration/domains/read",
    ],
    "NotActions": [],
    "AssignableScopes": ["/subscriptions/<subscription-id>"],
}

CLOUDFLARE_TOKEN = """A custom API token with these read permissions (dashboard: My Profile > API Tokens):
  Account  Account Settings  Read   (only to discover accounts; not needed when `accounts` is set)
  Account  Registrar         Read   (registrations: auto-renew, expiry, lock)
  Account  Notifications     Read   (certificate and health notification policies, read as monitors)
  Zone     Zone              Read   (zones and their assigned nameservers)
  Zone     DNS               Read   (records and their proxied flag)
  Zone     Workers Routes    Read   (code on the request path)
  Zone     Health Checks     Read   (health checks, read as monitors)
Resources: the accounts and zones to scan. A permission left out makes that part a coverage note,
not a failed scan. Put the token in the variable `token-env` names (default CLOUDFLARE_API_TOKEN)."""

PERMISSIONS = {
    "aws": "An IAM policy for the role or user lapse scans with (Route 53 Domains is served from us-east-1):\n"
    + json.dumps(AWS_POLICY, indent=2),
    "azure": "The built-in Reader role on each subscription, or this narrower custom role:\n"
    + json.dumps(AZURE_ROLE, indent=2),
    "cloudflare": CLOUDFLARE_TOKEN,
    "dns": "None: lapse sends DNS queries only (NS, DS, SOA, DNSKEY, A, AAAA), without recursion, to each parent\n"
    "zone's servers and each delegated nameserver on UDP/TCP port 53 (or `port`), and looks addresses up\n"
    "through the system resolver (or `resolvers`). The network must allow outbound DNS to any server.",
    "tls": "None: lapse connects to each hostname on port 443 (or `port`) and completes a TLS handshake to read\n"
    "the certificate; it sends no HTTP request. The network must allow outbound connections to those hosts.",
    "rdap": "None: RDAP is public and needs no credentials. lapse sends only GET requests to the registries\n"
    "named in the IANA bootstrap registry (https://data.iana.org/rdap/dns.json by default).",
}
