# syntax=docker/dockerfile:1
# One image for every classmate binary (core, gate, indexer, seed, probe):
# static (CGO_ENABLED=0), on distroless/static, running as the non-root
# "nonroot" user. docker-compose.yml picks the binary with `command`.
#
#   docker build -t classmate .
#   docker run --rm classmate core        # needs its CLASSMATE_* environment

ARG GO_VERSION=1.26.8

FROM golang:${GO_VERSION} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
	go build -ldflags='-s -w' -o /out/ ./cmd/core ./cmd/gate ./cmd/indexer ./cmd/seed \
	&& go build -C tools -ldflags='-s -w' -o /out/probe ./cmd/probe

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ /usr/local/bin/
USER nonroot:nonroot
WORKDIR /home/nonroot
EXPOSE 8080 8081 8083
ENTRYPOINT []
CMD ["core"]
