# The handout service (docs/service.md, "Docker"): the tool installed as a package, `leaflets serve` run in a
# clinic's folder. The image holds no clinic: give it yours (content.yaml, its translations, assets/, templates/ if
# any, and output/ as `leaflets build` published it), mounted or copied in at /clinic. Tokens are given at run time,
# never built in:
#   docker build -t leaflets .
#   docker run --init -p 127.0.0.1:8080:8080 -v "$PWD/my-clinic:/clinic:ro" \
#       -v "$PWD/tokens.txt:/run/secrets/tokens:ro" leaflets --token-file /run/secrets/tokens --workers 2

# A wheel of the project: its templates, stylesheets and wording ship inside it (leaflets/templates).
FROM python:3.11-slim-bookworm AS wheel
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm

# WeasyPrint's text stack (Pango, with HarfBuzz's subsetter). The typeface comes with the project (pip).
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/*

COPY --from=wheel /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels

# Its own home: fontconfig keeps its cache there. The service writes nothing in the clinic's folder (handouts are
# made in memory, its scratch folder is in /tmp), so the folder may be mounted read-only.
RUN useradd --system --uid 10001 --create-home --shell /usr/sbin/nologin leaflets
USER leaflets
WORKDIR /clinic

EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/healthz', timeout=4)"]
# Inside the container the service listens on every address: publish the port to 127.0.0.1, or to the
# network behind a reverse proxy that does TLS. Arguments after the image name are added (--token-file, --workers).
ENTRYPOINT ["leaflets", "serve", "--host", "0.0.0.0", "--port", "8080"]
