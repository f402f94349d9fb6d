# ssoconform/mockidp: the mock Okta, a static binary FROM scratch with the example fixture in
# /fixtures (built by `make images`). Out of the box:
#
#   docker run --network host ssoconform/mockidp serve --addr 127.0.0.1:8080 --config /fixtures/example.yaml
#
# With no arguments it runs exactly that. --state /data/mock.json keeps its state in the /data volume.
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="ssoconform mockidp" \
      org.opencontainers.image.description="A mock Okta org: OIDC provider, SAML IdP, SCIM client, admin console" \
      org.opencontainers.image.version="${VERSION}"
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY fixtures /fixtures
COPY --chown=65532:65532 rootfs/data /data
COPY --chown=65532:65532 rootfs/tmp /tmp
COPY mockidp /mockidp
USER 65532:65532
ENV TMPDIR=/tmp
VOLUME /data
ENTRYPOINT ["/mockidp"]
CMD ["serve", "--addr", "127.0.0.1:8080", "--config", "/fixtures/example.yaml"]
