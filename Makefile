# Entry points for working on Marquee locally. The work is done by the scripts in infra/local/.
#   make dev    run Marquee on http://127.0.0.1:3000 with demo data (local stack + devserver)
#   make test   every check and test, against a private local stack (what CI runs)
#   make fuzz   schemathesis over both OpenAPI documents against a devserver on a private stack
#   make deploy-check   what a deploy does, offline: sam validate, arm64 build, sizes, smoke test
#   make deploy ENV=dev|prod   sam build + sam deploy, the web app to S3, CloudFront invalidation
#   make test-chaos   SIGKILL the webhook process during 50 paid checkouts; nothing lost, sold twice or mailed twice
#   make lint   rustfmt and clippy
#   make stop   stop the local stack that `make dev` left running
#   make bench-onsale   the onsale benchmark (docs/bench/onsale.json + .svg; ONSALE_MODE=ga, ONSALE_FIRST_HOLD=0)
#   make bench-mail     the mail worker benchmark (docs/bench/mail.json)
#   make bench-reports  100,000 orders' sales figures, then report latency (docs/bench/reports.json)
#   make bench-checkout Stripe requests and latency per checkout (docs/bench/checkout.json)
#   make bench-window   box office sale from seat pick to printed PDF (docs/bench/window.json)

.PHONY: help install dev test fuzz deploy-check deploy test-chaos lint stop status bench-onsale bench-mail bench-reports bench-checkout bench-window

help:
	@sed -n 's/^#   make/make/p' Makefile

# Install (or check) Java, DynamoDB Local, the Python venv with moto and cfn-lint.
install:
	bash infra/local/install.sh

dev:
	bash infra/local/dev.sh

test:
	bash infra/local/test.sh

# Bounded and seeded: a few thousand requests, zero 5xx, schema violations or undocumented codes.
fuzz:
	bash infra/local/with-stack.sh bash infra/local/fuzz.sh

# docs/deploy.md: the runbook. deploy-check needs no AWS account; deploy refuses without credentials.
deploy-check:
	bash infra/local/deploy-check.sh

deploy:
	bash infra/deploy.sh "$(ENV)"

# Its own stack; the webhook process is killed and restarted at random (tests/src/bin/chaos.rs).
test-chaos:
	bash infra/local/with-stack.sh cargo run --quiet -p marquee-tests --bin chaos

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

stop:
	bash infra/local/stack.sh stop .local/run/dev

status:
	bash infra/local/stack.sh status .local/run/dev || true

# N virtual patrons racing for a 2,000-seat performance; writes docs/bench/onsale.{json,svg}.
bench-onsale:
	bash infra/local/install.sh
	bash infra/local/with-stack.sh cargo run --profile bench -p marquee-tests --bin onsale

bench-reports:
	bash infra/local/install.sh
	bash infra/local/with-stack.sh cargo run --profile bench -p marquee-tests --bin reportbench

bench-mail:
	bash infra/local/install.sh
	bash infra/local/with-stack.sh cargo run --profile bench -p marquee-tests --bin mailbench

# Box office sales from seat pick to a printed ticket-stock PDF; writes docs/bench/window.json.
bench-window:
	bash infra/local/install.sh
	bash infra/local/with-stack.sh cargo run --profile bench -p marquee-tests --bin windowbench

# Sequential purchases on a Connect venue: Stripe requests per checkout and webhook, latency.
bench-checkout:
	bash infra/local/install.sh
	bash infra/local/with-stack.sh cargo run --profile bench -p marquee-tests --bin checkoutbench
