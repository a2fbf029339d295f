"""Smoke checks of the emulators with boto3, the way cutover's integration tests use them.

Run with a venv's python (both venvs have boto3):
    python smoke.py moto PORT        CloudFront create/get-config/update/get, STS GetCallerIdentity
    python smoke.py localstack PORT  CloudWatch PutMetricData + GetMetricData (Sum) over JSON 1.0
                                     and over Smithy RPC v2 CBOR (as the Rust SDK), STS

Talks to http://127.0.0.1:PORT only, with dummy credentials. Prints one line per check and
exits non-zero on the first failure.
"""

import datetime as dt
import os
import sys
import time
import uuid

import boto3
from botocore.config import Config


def client(service, port):
    return boto3.client(
        service,
        endpoint_url=f"http://127.0.0.1:{port}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        # never a proxy, never a retry that hides an error
        config=Config(proxies={}, retries={"max_attempts": 1, "mode": "standard"}),
    )


def check(cond, what):
    if not cond:
        print(f"FAIL: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def origin(oid, domain):
    return {
        "Id": oid,
        "DomainName": domain,
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
        },
    }


def behavior(target, path=None):
    b = {
        "TargetOriginId": target,
        "ViewerProtocolPolicy": "redirect-to-https",
        "CachePolicyId": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",  # Managed-CachingDisabled
    }
    if path is not None:
        b["PathPattern"] = path
    return b


def smoke_moto(port):
    sts = client("sts", port)
    ident = sts.get_caller_identity()
    check(ident["Account"].isdigit(), f"sts GetCallerIdentity -> account {ident['Account']}, arn {ident['Arn']}")

    cf = client("cloudfront", port)
    config = {
        "CallerReference": str(uuid.uuid4()),
        "Comment": "cutover smoke",
        "Enabled": True,
        "Origins": {
            "Quantity": 2,
            "Items": [origin("legacy", "legacy.example.com"), origin("lambda", "abc.execute-api.us-east-1.amazonaws.com")],
        },
        "DefaultCacheBehavior": behavior("legacy"),
        "CacheBehaviors": {
            "Quantity": 2,
            "Items": [behavior("legacy", "/api/orders*"), behavior("legacy", "/api/users*")],
        },
    }
    created = cf.create_distribution(DistributionConfig=config)
    dist_id = created["Distribution"]["Id"]
    check(created["ResponseMetadata"]["HTTPStatusCode"] == 201, f"cloudfront CreateDistribution -> {dist_id}, ETag {created['ETag']}, status {created['Distribution']['Status']}")

    got = cf.get_distribution_config(Id=dist_id)
    etag1, cfg = got["ETag"], got["DistributionConfig"]
    items = cfg["CacheBehaviors"]["Items"]
    check(
        cfg["Origins"]["Quantity"] == 2 and [b["PathPattern"] for b in items] == ["/api/orders*", "/api/users*"],
        f"cloudfront GetDistributionConfig -> ETag {etag1}, 2 origins, behaviors {[b['PathPattern'] for b in items]}",
    )

    # Change one route in place on the fetched struct, as cutover does.
    items[0]["TargetOriginId"] = "lambda"
    updated = cf.update_distribution(Id=dist_id, IfMatch=etag1, DistributionConfig=cfg)
    check(updated["ResponseMetadata"]["HTTPStatusCode"] == 200, f"cloudfront UpdateDistribution IfMatch={etag1} -> ETag {updated['ETag']}")

    back = cf.get_distribution_config(Id=dist_id)
    targets = [(b["PathPattern"], b["TargetOriginId"]) for b in back["DistributionConfig"]["CacheBehaviors"]["Items"]]
    check(
        targets == [("/api/orders*", "lambda"), ("/api/users*", "legacy")]
        and back["DistributionConfig"]["DefaultCacheBehavior"]["TargetOriginId"] == "legacy",
        f"cloudfront GetDistributionConfig after update -> {targets}, ETag {back['ETag']}",
    )
    print(f"note: ETag before update {etag1}, after update {back['ETag']} ({'unchanged' if etag1 == back['ETag'] else 'changed'})")

    # Does moto enforce IfMatch? (Real CloudFront answers 412 PreconditionFailed.)
    try:
        cf.update_distribution(Id=dist_id, IfMatch="stale-etag", DistributionConfig=back["DistributionConfig"])
        print("note: UpdateDistribution with a bogus IfMatch was accepted (moto does not check ETags)")
    except cf.exceptions.ClientError as e:
        print(f"note: UpdateDistribution with a bogus IfMatch -> {e.response['Error']['Code']}")

    dist = cf.get_distribution(Id=dist_id)["Distribution"]
    print(f"note: GetDistribution status {dist['Status']}")


def smoke_localstack(port):
    sts = client("sts", port)
    ident = sts.get_caller_identity()
    check(ident["Account"].isdigit(), f"sts GetCallerIdentity -> account {ident['Account']}")
    # boto3 speaks JSON 1.0 to CloudWatch by default; the Rust SDK speaks Smithy RPC v2 CBOR.
    # Check both wire protocols.
    import botocore.model

    default_order = botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS
    for protocol in ("json", "smithy-rpc-v2-cbor"):
        botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = (protocol,) + tuple(p for p in default_order if p != protocol)
        smoke_cloudwatch(port, protocol)
    botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = default_order


def smoke_cloudwatch(port, protocol):
    cw = client("cloudwatch", port)
    check(cw.meta.service_model.resolved_protocol == protocol, f"cloudwatch client speaks {protocol}")
    dist_id = "E" + uuid.uuid4().hex[:13].upper()
    dims = [{"Name": "DistributionId", "Value": dist_id}, {"Name": "Region", "Value": "Global"}]
    now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
    t_put = time.monotonic()
    cw.put_metric_data(
        Namespace="AWS/CloudFront",
        MetricData=[
            {"MetricName": "Requests", "Dimensions": dims, "Timestamp": now - dt.timedelta(minutes=2), "Value": 40.0, "Unit": "None"},
            {"MetricName": "Requests", "Dimensions": dims, "Timestamp": now - dt.timedelta(minutes=1), "Value": 2.0, "Unit": "None"},
        ],
    )
    check(True, f"cloudwatch PutMetricData AWS/CloudFront Requests DistributionId={dist_id} ({time.monotonic() - t_put:.2f} s)")

    queries = [
        {
            "Id": "requests",
            "MetricStat": {
                "Metric": {"Namespace": "AWS/CloudFront", "MetricName": "Requests", "Dimensions": dims},
                "Period": 60,
                "Stat": "Sum",
            },
        },
        {
            "Id": "nodata",
            "MetricStat": {
                "Metric": {"Namespace": "AWS/CloudFront", "MetricName": "5xxErrorRate", "Dimensions": dims},
                "Period": 60,
                "Stat": "Average",
            },
        },
    ]
    t_get = time.monotonic()
    res = cw.get_metric_data(
        MetricDataQueries=queries,
        StartTime=now - dt.timedelta(minutes=10),
        EndTime=now + dt.timedelta(minutes=1),
    )
    by_id = {r["Id"]: r for r in res["MetricDataResults"]}
    req = by_id["requests"]
    check(
        sorted(req["Values"]) == [2.0, 40.0] and req["StatusCode"] == "Complete",
        f"cloudwatch GetMetricData Sum -> values {req['Values']} at {[t.strftime('%H:%M') for t in req['Timestamps']]}, {req['StatusCode']} ({time.monotonic() - t_get:.2f} s)",
    )
    nd = by_id["nodata"]
    print(f"note: series with no data -> StatusCode {nd['StatusCode']}, values {nd['Values']}")
    content_type = res["ResponseMetadata"]["HTTPHeaders"].get("content-type")
    check(
        content_type == {"json": "application/x-amz-json-1.0", "smithy-rpc-v2-cbor": "application/cbor"}[protocol],
        f"cloudwatch GetMetricData answered with content-type {content_type}",
    )


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("moto", "localstack"):
        sys.exit(__doc__)
    os.environ["NO_PROXY"] = "127.0.0.1,localhost"
    {"moto": smoke_moto, "localstack": smoke_localstack}[sys.argv[1]](int(sys.argv[2]))
