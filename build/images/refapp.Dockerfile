# ssoconform/refapp: the reference app, a static binary FROM scratch (built by `make images`, see
# scripts/build-images.sh for the build context). Run it with host networking:
#
#   docker run --network host -v refapp-data:/data -e REFAPP_BOOTSTRAP="$(cat bootstrap.json)" ssoconform/refapp
#
# It listens on 127.0.0.1:$PORT (default 8080) with base URL http://127.0.0.1:$PORT; REFAPP_ADDR and
# REFAPP_BASE_URL (any serve flag as REFAPP_<FLAG>) change that. The SQLite database is in the /data
# volume. REFAPP_BOOTSTRAP makes organizations, SCIM keys and SSO ready at start (refapp serve -h).
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="ssoconform refapp" \
      org.opencontainers.image.description="The reference SaaS app of ssoconform: Okta SSO (OIDC, SAML) and a SCIM 2.0 server" \
      org.opencontainers.image.version="${VERSION}"
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --chown=65532:65532 rootfs/data /data
COPY --chown=65532:65532 rootfs/tmp /tmp
COPY refapp /refapp
USER 65532:65532
ENV PORT=8080 REFAPP_DB=sqlite:/data/refapp.db TMPDIR=/tmp
VOLUME /data
ENTRYPOINT ["/refapp"]
CMD ["serve"]
