# syntax=docker/dockerfile:1
# Bosang as a static, non-root image. Build with `docker compose build` or
# `docker build --build-arg VERSION=$(git describe --always --dirty) .`

# golang:1.27.3-bookworm is pinned by its exact tag only: no digest for it
# could be checked when this was written (README, "Running at scale").
FROM golang:1.27.3-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/bosang ./cmd/bosang \
 && mkdir -p /out/empty

FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
COPY --from=build /out/bosang /bosang
# The data directory must exist and belong to the nonroot user (65532) so that
# a fresh named volume mounted here inherits that ownership.
COPY --from=build --chown=65532:65532 /out/empty /data
ENV BOSANG_DATA_DIR=/data BOSANG_ADDR=:8080
VOLUME /data
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/bosang"]
CMD ["serve"]
