"""Sample inputs several test modules run the tool on."""

from __future__ import annotations

#: A Go service's Dockerfile whose only error is ``GOMEMLIMIT=512MB`` (DFM004 at line 8, column
#: 16; its safe fix writes 512MiB).
MALFORMED_DOCKERFILE = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /app .

FROM alpine:3.20
COPY --from=build /app /app
ENV GOMEMLIMIT=512MB
CMD ["/app"]
"""
