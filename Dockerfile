# Build: a release binary linked against libpq. Run: a slim Debian with libpq and curl (for the
# health check).
FROM rust:1-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY migrations ./migrations
COPY tests ./tests
RUN cargo build --release --locked --bin peer-support-api

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app --uid 10001 app
WORKDIR /app
COPY --from=build /app/target/release/peer-support-api /usr/local/bin/peer-support-api
RUN mkdir -p /app/data && chown app /app/data
USER app
ENV BIND_ADDR=0.0.0.0:8080 APP_ENV=production
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["peer-support-api"]
CMD ["serve"]
