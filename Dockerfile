# syntax=docker/dockerfile:1
# The salle image: one static-enough binary on distroless (glibc, CA
# certificates, time-zone data, a non-root user, no shell, no package manager).
#   docker build -t salle:0.1.0 .
#   docker run --rm -p 8080:8080 salle:0.1.0 serve --demo
# The reference data (collèges, communes, holidays), the pages' styles and
# scripts and the migrations are compiled into the binary.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
COPY . .
# The caches keep the registry and the build between builds on one machine.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin salle \
    && cp target/release/salle /salle \
    && mkdir -p /state

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /salle /usr/local/bin/salle
# The embedded store's directory, for a single-container commune; on
# Kubernetes SALLE_DATABASE_URL points at PostgreSQL and the root stays read-only.
COPY --from=build --chown=65532:65532 /state /var/lib/salle
ENV SALLE_BIND=0.0.0.0:8080 \
    SALLE_DATABASE_URL=sqlite:///var/lib/salle/salle.db \
    SALLE_LOG_FORMAT=json
VOLUME ["/var/lib/salle"]
EXPOSE 8080 9090
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/salle"]
CMD ["serve"]
