GO ?= go

.PHONY: run test vet release-check bench fuzz emulator build bind-file build-BinderFunction build-BinderSqsFunction build-BinderS3Function build-BinderReceiptsFunction

## run: the local server on 127.0.0.1:$PORT (default 9000), on the embedded emulator unless DYPLS_ENDPOINT is set
run:
	$(GO) run ./functions/local

## bind-file: bind a CSV or JSON Lines file from disk (FILE=examples/bindings.csv), writing FILE.results.jsonl and FILE.summary.json
FILE ?= examples/bindings.csv
bind-file:
	@$(GO) build -o $(DIST)/local/axg-binder ./functions/local
	@$(DIST)/local/axg-binder bind-file $(FILE) || { code=$$?; echo "bind-file exited $$code (1: some rows did not bind, 2: the run failed or stopped); make reports any failure as 2, so scripts run $(DIST)/local/axg-binder bind-file FILE" >&2; exit $$code; }

## test: formatting, vet, every test with the race detector (fuzz seed corpora included), the release checks, and each benchmark once
test: vet
	$(GO) test -race -shuffle=on -count=1 -timeout 5m ./...
	$(MAKE) release-check
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 5m ./... > /dev/null

## release-check: what make build ships and each deployable's wiring (behind the release tag: internal/releasecheck builds every deployable twice and each main's test links a whole deployable, so go test ./... leaves them out)
RELEASE_PKGS = ./internal/releasecheck ./functions/fc/... ./functions/lambda/...
release-check:
	$(GO) test -tags release -race -shuffle=on -count=1 -timeout 5m $(RELEASE_PKGS)

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags release $(RELEASE_PKGS)

## fuzz: fuzz request decoding (bind, batch and the lifecycle requests), validation, message bodies, MNS deliveries, HTTP events, the file reader and our signer against the SDK's, Tablestore rows (FUZZTIME=30s each)
FUZZTIME ?= 30s
fuzz:
	$(GO) test ./internal/core/validate -run '^$$' -fuzz FuzzBind -fuzztime $(FUZZTIME)
	$(GO) test ./internal/core/validate -run '^$$' -fuzz FuzzBatch -fuzztime $(FUZZTIME)
	$(GO) test ./internal/core/batchfile -run '^$$' -fuzz FuzzReader -fuzztime $(FUZZTIME)
	$(GO) test ./internal/core/validate -run '^$$' -fuzz FuzzLifecycle -fuzztime $(FUZZTIME)
	$(GO) test ./internal/core/dypls -run '^$$' -fuzz FuzzQueryMatchesSDK -fuzztime $(FUZZTIME)
	$(GO) test ./internal/core/dypls -run '^$$' -fuzz FuzzLifecycleMatchesSDK -fuzztime $(FUZZTIME)
	$(GO) test ./internal/core/message -run '^$$' -fuzz FuzzBody -fuzztime $(FUZZTIME)
	$(GO) test ./internal/function/fcmns -run '^$$' -fuzz FuzzMessages -fuzztime $(FUZZTIME)
	$(GO) test ./internal/function/fchttp -run '^$$' -fuzz FuzzRequest -fuzztime $(FUZZTIME)
	$(GO) test ./internal/function/lambdahttp -run '^$$' -fuzz FuzzRequest -fuzztime $(FUZZTIME)
	$(GO) test ./internal/store/otsstore -run '^$$' -fuzz FuzzPlainBuffer -fuzztime $(FUZZTIME)

## emulator: the Dyplsapi emulator alone on 127.0.0.1:18080, for any SDK to point at; its console at the same address (ARGS="-latency 50ms -qps 100 ..." passes flags; ARGS=-h lists them)
ARGS ?=
emulator:
	$(GO) run ./cmd/dypls-emulator $(ARGS)

## build: every deployable for linux under $(DIST)/, zipped as its platform wants it; reproducible
DIST ?= dist
GOBUILD = CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=false -ldflags='-s -w -buildid='
ZIP = $(GO) run ./cmd/distzip
build:
	rm -rf $(DIST) && mkdir -p $(DIST)
	GOOS=linux GOARCH=arm64 $(GOBUILD) -tags lambda.norpc -o $(DIST)/lambda-http-arm64/bootstrap ./functions/lambda/http
	GOOS=linux GOARCH=amd64 $(GOBUILD) -tags lambda.norpc -o $(DIST)/lambda-http-amd64/bootstrap ./functions/lambda/http
	GOOS=linux GOARCH=arm64 $(GOBUILD) -tags lambda.norpc -o $(DIST)/lambda-sqs-arm64/bootstrap ./functions/lambda/sqs
	GOOS=linux GOARCH=arm64 $(GOBUILD) -tags lambda.norpc -o $(DIST)/lambda-s3-arm64/bootstrap ./functions/lambda/s3
	GOOS=linux GOARCH=arm64 $(GOBUILD) -tags lambda.norpc -o $(DIST)/lambda-receipts-arm64/bootstrap ./functions/lambda/receipts
	GOOS=linux GOARCH=amd64 $(GOBUILD) -o $(DIST)/fc-http-amd64/main ./functions/fc/http
	GOOS=linux GOARCH=amd64 $(GOBUILD) -o $(DIST)/fc-web-amd64/axg-binder ./functions/fc/web
	GOOS=linux GOARCH=amd64 $(GOBUILD) -o $(DIST)/fc-oss-amd64/main ./functions/fc/oss
	GOOS=linux GOARCH=amd64 $(GOBUILD) -o $(DIST)/fc-mns-amd64/main ./functions/fc/mns
	GOOS=linux GOARCH=amd64 $(GOBUILD) -o $(DIST)/fc-receipts-amd64/main ./functions/fc/receipts
	$(ZIP) -o $(DIST)/lambda-http-arm64.zip $(DIST)/lambda-http-arm64/bootstrap
	$(ZIP) -o $(DIST)/lambda-http-amd64.zip $(DIST)/lambda-http-amd64/bootstrap
	$(ZIP) -o $(DIST)/lambda-sqs-arm64.zip $(DIST)/lambda-sqs-arm64/bootstrap
	$(ZIP) -o $(DIST)/lambda-s3-arm64.zip $(DIST)/lambda-s3-arm64/bootstrap
	$(ZIP) -o $(DIST)/lambda-receipts-arm64.zip $(DIST)/lambda-receipts-arm64/bootstrap
	$(ZIP) -o $(DIST)/fc-http-amd64.zip $(DIST)/fc-http-amd64/main
	$(ZIP) -o $(DIST)/fc-web-amd64.zip $(DIST)/fc-web-amd64/axg-binder
	$(ZIP) -o $(DIST)/fc-oss-amd64.zip $(DIST)/fc-oss-amd64/main
	$(ZIP) -o $(DIST)/fc-mns-amd64.zip $(DIST)/fc-mns-amd64/main
	$(ZIP) -o $(DIST)/fc-receipts-amd64.zip $(DIST)/fc-receipts-amd64/main
	@ls -l $(DIST)/*.zip $(DIST)/*/*

## build-BinderFunction, build-BinderSqsFunction, build-BinderS3Function, build-BinderReceiptsFunction: what sam build runs (BuildMethod: makefile) for each function of template.yaml
LAMBDA_BUILD = GOOS=linux GOARCH=arm64 $(GOBUILD) -tags lambda.norpc -o $(ARTIFACTS_DIR)/bootstrap
build-BinderFunction:
	$(LAMBDA_BUILD) ./functions/lambda/http
build-BinderSqsFunction:
	$(LAMBDA_BUILD) ./functions/lambda/sqs
build-BinderS3Function:
	$(LAMBDA_BUILD) ./functions/lambda/s3
build-BinderReceiptsFunction:
	$(LAMBDA_BUILD) ./functions/lambda/receipts

## bench: the Go benchmarks, then cold starts, sizes and load on the built deployables (BENCH_ARGS=-duration 10s ...)
BENCH_ARGS ?=
BENCH_COUNT ?= 5
bench: build
	$(GOBUILD) -o $(DIST)/local/axg-binder ./functions/local
	$(GO) test -run '^$$' -bench . -benchmem -count $(BENCH_COUNT) -timeout 30m ./internal/core/... ./internal/function/... > $(DIST)/gobench.txt
	$(GO) run ./cmd/axg-bench -dist $(DIST) -gobench $(DIST)/gobench.txt $(BENCH_ARGS)
