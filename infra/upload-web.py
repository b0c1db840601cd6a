#!/usr/bin/env python3
"""Uploads the web app's build to the stack's WebBucket and invalidates WebDistribution.

    .local/deploy-venv/bin/python infra/upload-web.py --region us-east-1 --stack marquee-dev web/dist

Run by infra/deploy.sh (make deploy) with the deploy venv's boto3. The bucket and distribution
are the stack's WebBucket and WebDistribution resources. Vite's hashed assets (assets/*) are
immutable and cached for a year; every other file (index.html, ...) is revalidated on each
visit, so a deploy shows at once. Files of earlier deploys are not deleted: a browser that
loaded the previous index.html may still ask for its assets.
"""

import argparse
import mimetypes
import os
import sys
import time

import boto3

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


def physical_id(cloudformation, stack, logical_id):
    resource = cloudformation.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
    return resource["StackResourceDetail"]["PhysicalResourceId"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--region", required=True)
    parser.add_argument("--stack", required=True)
    parser.add_argument("dist", help="the web build (web/dist)")
    args = parser.parse_args()
    if not os.path.isfile(os.path.join(args.dist, "index.html")):
        sys.exit(f"{args.dist}/index.html not found: build the web app first (npm --prefix web run build)")

    session = boto3.Session(region_name=args.region)
    cloudformation = session.client("cloudformation")
    bucket = physical_id(cloudformation, args.stack, "WebBucket")
    distribution = physical_id(cloudformation, args.stack, "WebDistribution")
    s3 = session.client("s3")

    count = 0
    # index.html last, so it never names assets that are not uploaded yet.
    files = []
    for directory, _, names in os.walk(args.dist):
        for name in names:
            path = os.path.join(directory, name)
            files.append(os.path.relpath(path, args.dist).replace(os.sep, "/"))
    files.sort(key=lambda key: (key == "index.html", key))
    for key in files:
        content_type = mimetypes.guess_type(key)[0] or "application/octet-stream"
        cache = IMMUTABLE if key.startswith("assets/") else REVALIDATE
        s3.upload_file(
            os.path.join(args.dist, key),
            bucket,
            key,
            ExtraArgs={"ContentType": content_type, "CacheControl": cache},
        )
        count += 1
    print(f"uploaded {count} files to s3://{bucket}/")

    invalidation = cloudfront_invalidate(session.client("cloudfront"), distribution)
    print(f"invalidation {invalidation} of distribution {distribution} created (/*)")


def cloudfront_invalidate(cloudfront, distribution):
    answer = cloudfront.create_invalidation(
        DistributionId=distribution,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/*"]},
            "CallerReference": f"marquee-deploy-{int(time.time())}",
        },
    )
    return answer["Invalidation"]["Id"]


if __name__ == "__main__":
    main()
