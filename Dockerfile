# ScanGate container image. NOT built or tested in this repository's CI (base images cannot be pulled here);
# see docs/integrations.md. Build: docker build -t scangate .   Run: docker run --rm -e QUALYS_USERNAME \
#   -e QUALYS_PASSWORD -v "$PWD:/work" -w /work scangate scan --platform US1 --host 10.0.0.5
# Credentials come from the environment only; the image holds none.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/ScanGate.Cli -c Release -r linux-x64 --self-contained \
      -p:PublishSingleFile=true -p:DebugType=none -o /out

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
COPY --from=build /out/scangate /usr/local/bin/scangate
# Run as the image's unprivileged user; results go to the mounted working directory.
USER app
WORKDIR /work
ENTRYPOINT ["scangate"]
CMD ["--help"]
