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

PERMISSIONS = {
    "aws": "An IAM policy for the role or user lapse scans with (Route 53 Domains is served from us-east-1):\n"
    + json.dumps(AWS_POLICY, indent=2),
    "azure": "Not available yet: the Azure provider is still being built.",
    "cloudflare": "Not available yet: the Cloudflare provider is still being built.",
    "rdap": "None: RDAP is public and needs no credentials. lapse sends only GET requests to the registries\n"
    "named in the IANA bootstrap registry (https://data.iana.org/rdap/dns.json by default).",
}
