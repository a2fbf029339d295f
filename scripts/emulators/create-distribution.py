"""Create a CloudFront distribution in a local moto server, shaped like a half-migrated API:
an API Gateway origin (Lambda) and an ELB origin, a default behavior and a few path behaviors.
Prints the new distribution's id. Loopback only, dummy credentials.

Usage: .venv/moto/bin/python scripts/emulators/create-distribution.py PORT
"""

import sys
import time

import boto3

ROUTES = [("/api/users/*", "apigw"), ("/api/orders/*", "apigw"), ("/api/search/*", "legacy"), ("/static/*", "legacy")]


def origin(origin_id, domain):
    return {
        "Id": origin_id,
        "DomainName": domain,
        "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
    }


def behavior(path, origin_id):
    return {
        "PathPattern": path,
        "TargetOriginId": origin_id,
        "ViewerProtocolPolicy": "redirect-to-https",
        "MinTTL": 0,
        "ForwardedValues": {"QueryString": True, "Cookies": {"Forward": "none"}},
    }


def main():
    port = sys.argv[1]
    cloudfront = boto3.client(
        "cloudfront",
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    default = behavior("*", "legacy")
    del default["PathPattern"]
    config = {
        "CallerReference": f"cutover-try-{time.time_ns()}",
        "Comment": "cutover: half-migrated API (local moto)",
        "Enabled": True,
        "Origins": {
            "Quantity": 2,
            "Items": [
                origin("apigw", "abc123.execute-api.eu-west-1.amazonaws.com"),
                origin("legacy", "legacy-api-1234.eu-west-1.elb.amazonaws.com"),
            ],
        },
        "DefaultCacheBehavior": default,
        "CacheBehaviors": {"Quantity": len(ROUTES), "Items": [behavior(p, o) for p, o in ROUTES]},
    }
    out = cloudfront.create_distribution(DistributionConfig=config)
    print(out["Distribution"]["Id"])


if __name__ == "__main__":
    main()
