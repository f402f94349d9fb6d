# ssoconform/ssoconform: the conformance CLI, a static binary FROM scratch (built by `make images`).
# Reports go to /work/ssoconform-report unless --report-dir says otherwise; mount a directory there:
#
#   docker run --rm -i --network host -v "$PWD/report:/work/ssoconform-report" ssoconform/ssoconform \
#       scim --url http://127.0.0.1:8081/scim/v2 --token-file - < token.txt
#
# (`scim --image` starts containers itself and needs the Docker socket: run it outside a container.)
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="ssoconform" \
      org.opencontainers.image.description="Conformance specs for apps integrating with Okta: SCIM 2.0 provisioning, OIDC and SAML SSO" \
      org.opencontainers.image.version="${VERSION}"
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --chown=65532:65532 rootfs/work /work
COPY --chown=65532:65532 rootfs/tmp /tmp
COPY ssoconform /ssoconform
USER 65532:65532
ENV TMPDIR=/tmp
WORKDIR /work
ENTRYPOINT ["/ssoconform"]
CMD ["help"]
