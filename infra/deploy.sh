#!/usr/bin/env bash
# `make deploy ENV=dev|prod`: builds and deploys Marquee to AWS (docs/deploy.md is the runbook).
#   1. installs or checks the deploy tools (infra/local/install-deploy.sh: SAM CLI, cargo-lambda,
#      zig, the arm64 Rust target)
#   2. refuses unless AWS credentials are configured (checked before anything is built)
#   3. `sam build --config-env <env>`: every function for arm64 with the release profile
#   4. `sam deploy --config-env <env>` (samconfig.toml: stack, region, parameters); the
#      changeset is shown and confirmed interactively unless CONFIRM=no
#   5. builds web/ (npm ci, npm run build) and uploads web/dist to the stack's WebBucket
#      (infra/upload-web.py: hashed assets cached for a year, the rest revalidated), then
#      invalidates the WebDistribution's cache
# ENV=dev uses samconfig.toml's `default` environment, ENV=prod its `prod` environment.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/local/lib.sh"
cd "$ROOT"

VENV="$LOCAL/deploy-venv"
env_name=${1:-}
case "$env_name" in
  dev) config_env=default ;;
  prod) config_env=prod ;;
  *) die "usage: make deploy ENV=dev|prod (got '${env_name}')" ;;
esac
export SAM_CLI_TELEMETRY=0

bash infra/local/install-deploy.sh

# --- credentials, before any build ----------------------------------------------------------
# Resolved locally (environment, ~/.aws profiles, SSO cache, container credentials). The EC2
# instance metadata service is only asked when AWS_EC2_METADATA_DISABLED=false is set (on an
# EC2 runner with an instance role): elsewhere it would hang for seconds before failing.
region=$(sed -n "/^\[$config_env\.deploy\.parameters\]/,/^\[/s/^region *= *\"\(.*\)\"/\1/p" samconfig.toml)
[ -n "$region" ] || die "no region in samconfig.toml [$config_env.deploy.parameters]"
AWS_EC2_METADATA_DISABLED=${AWS_EC2_METADATA_DISABLED:-true} "$VENV/bin/python" - "$region" <<'PY' ||
import sys
import boto3
session = boto3.Session(region_name=sys.argv[1])
if session.get_credentials() is None:
    sys.exit(1)
PY
  die "no AWS credentials: refusing to deploy. Configure them first (aws configure sso, or AWS_PROFILE=..., or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) - see docs/deploy.md"
account=$("$VENV/bin/python" - "$region" <<'PY'
import sys
import boto3
print(boto3.Session(region_name=sys.argv[1]).client("sts").get_caller_identity()["Account"])
PY
) || die "AWS rejected the configured credentials (sts get-caller-identity failed): refusing to deploy"
stack=$(sed -n "/^\[$config_env\.global\.parameters\]/,/^\[/s/^stack_name *= *\"\(.*\)\"/\1/p" samconfig.toml)
say "deploying $env_name: stack $stack in account $account, region $region"

confirm=()
if [ "${CONFIRM:-}" = no ]; then
  confirm=(--no-confirm-changeset)
elif [ ! -t 0 ]; then
  die "sam deploy asks to confirm the changeset and there is no terminal: run it in one, or set CONFIRM=no"
fi

# --- build and deploy the stack -------------------------------------------------------------
PATH="$VENV/bin:$PATH"
sam build --config-env "$config_env"
sam deploy --config-env "$config_env" "${confirm[@]}"

# --- the web app ----------------------------------------------------------------------------
npm --prefix web ci --no-audit --no-fund
npm --prefix web run build
"$VENV/bin/python" infra/upload-web.py --region "$region" --stack "$stack" web/dist
say "deployed $env_name"
